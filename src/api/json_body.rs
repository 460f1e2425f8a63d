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
        let value = web::Json::<NoDuplicateKeys>::from_request(req, payload);
        Box::pin(async move {
            let mut value = value.await?.into_inner().0;
            whole_numbers_as_integers(&mut value);
            serde_json::from_value(value)
                .map(JsonBody)
                .map_err(|e| AppError::bad_request(format!("invalid JSON body: {e}")).into())
        })
    }
}

/// A JSON value read strictly: an object that names a key twice is refused (parsers
/// disagree on which of the two counts, so a request could mean one thing to a proxy or a
/// client library and another to us).
pub struct NoDuplicateKeys(pub Value);

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(NoDuplicateKeys)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(NoDuplicateKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut fields = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if fields.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("the key '{key}' appears twice")));
            }
            let NoDuplicateKeys(value) = map.next_value()?;
            fields.insert(key, value);
        }
        Ok(Value::Object(fields))
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
    fn refuses_duplicate_keys_at_any_depth() {
        let read = |s: &str| serde_json::from_str::<NoDuplicateKeys>(s).map(|v| v.0);
        assert!(read(r#"{"role": "viewer", "role": "admin"}"#).is_err());
        assert!(read(r#"{"a": [{"b": 1, "b": 2}]}"#).is_err());
        assert_eq!(
            read(r#"{"a": [1, 2.5, "x", null, true], "b": {"c": {}}}"#).ok(),
            Some(serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": {}}}))
        );
    }

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
