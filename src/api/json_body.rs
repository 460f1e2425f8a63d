//! The JSON body extractor every handler uses. It reads the body as `web::Json` does (same
//! size limit, content type and error answers) and then accepts what JSON Schema calls an
//! integer: a number with no fractional part, whether written `7` or `7.0` (OpenAPI 3.1 types
//! `integer` so, and a client or generator that writes `7.0` sent a valid request).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use crate::error::AppError;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for JsonBody<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let mut value = value.await?.into_inner();
            whole_numbers_as_integers(&mut value);
            serde_json::from_value(value)
                .map(JsonBody)
                .map_err(|e| AppError::bad_request(format!("invalid JSON body: {e}")).into())
        })
    }
}

/// Rewrites every float with no fractional part (and within `i64`) as an integer.
pub fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
                    *n = Number::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_floats_become_integers_and_fractions_stay() {
        let mut v = serde_json::json!({"a": 7.0, "b": [1.0, 2.5], "c": {"d": -3.0}, "e": "7.0"});
        whole_numbers_as_integers(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": 7, "b": [1, 2.5], "c": {"d": -3}, "e": "7.0"})
        );
        #[derive(serde::Deserialize)]
        struct Id {
            id: i32,
        }
        let mut v = serde_json::json!({"id": 12.0});
        whole_numbers_as_integers(&mut v);
        assert_eq!(serde_json::from_value::<Id>(v).map(|i| i.id).ok(), Some(12));
    }
}
