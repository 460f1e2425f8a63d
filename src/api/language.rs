//! The language of every request: its `lang` query parameter, else its `Accept-Language`
//! header, else English (`i18n::negotiate` has the rules). The middleware takes `lang` out
//! of the query string, so no handler's query type needs to know it, runs the request in
//! that language (problem titles, names and titles in answers, CSV exports and the feed), and
//! answers with `Content-Language` (`fr, en` when English stood in for a missing translation)
//! and `Vary: Accept-Language`. An unoffered `lang` is a 400 problem.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::uri::{PathAndQuery, Uri};
use actix_web::middleware::Next;
use actix_web::ResponseError;

use crate::error::{AppError, FieldError};
use crate::i18n::{self, negotiate, Context, Lang};

/// The query parameter that chooses the language.
pub const PARAM: &str = "lang";

/// The query string without `lang`, and the value of `lang` (percent-decoded). Given twice,
/// `lang` is refused as any other parameter is: the value is made one no language matches.
fn split_query(query: &str) -> (String, Option<String>) {
    let mut kept = Vec::new();
    let mut lang = None;
    for pair in query.split('&') {
        let name = pair.split('=').next().unwrap_or("");
        if name == PARAM {
            let value = pair.split_once('=').map(|(_, v)| v).unwrap_or("");
            lang = Some(match lang {
                None => percent_decoded(value),
                Some(_) => "given more than once".to_string(),
            });
        } else if !pair.is_empty() {
            kept.push(pair);
        }
    }
    (kept.join("&"), lang)
}

fn percent_decoded(value: &str) -> String {
    actix_web::web::Query::<Vec<(String, String)>>::from_query(&format!("v={value}"))
        .ok()
        .and_then(|q| q.into_inner().pop())
        .map(|(_, v)| v)
        .unwrap_or_else(|| value.to_string())
}

pub async fn negotiate(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let query = req.query_string().to_string();
    let (rest, param) = if query.split('&').any(|p| p.split('=').next() == Some(PARAM)) {
        split_query(&query)
    } else {
        (query, None)
    };
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // The API refuses an unoffered `lang` (its document says so); the page and its assets
    // ignore one, as the page's own script does.
    let strict = req.path().starts_with("/api/") || ["/healthz", "/readyz", "/metrics"].contains(&req.path());
    let chosen = match negotiate::choose(param.as_deref(), accept.as_deref()) {
        Err(_) if !strict => negotiate::choose(None, accept.as_deref()),
        other => other,
    };
    let lang = match chosen {
        Ok(lang) => lang,
        Err(message) => {
            let context = Context::new(Lang::En);
            let error = AppError::BadRequest {
                detail: "the query parameter lang is invalid".into(),
                errors: vec![FieldError::new(PARAM, message)],
            };
            let response = i18n::sync_scope(Some(context), || error.error_response());
            return Ok(req.into_response(response).map_into_right_body());
        }
    };
    if param.is_some() {
        let path = req.path().to_string();
        let target = if rest.is_empty() {
            path
        } else {
            format!("{path}?{rest}")
        };
        if let Ok(path_and_query) = PathAndQuery::try_from(target) {
            let mut parts = req.head().uri.clone().into_parts();
            parts.path_and_query = Some(path_and_query);
            if let Ok(uri) = Uri::from_parts(parts) {
                req.head_mut().uri = uri;
            }
        }
    }
    let context = Context::new(lang);
    let result = i18n::scope(context.clone(), next.call(req)).await;
    let mut res = match result {
        Ok(res) => res.map_into_left_body(),
        // Rendered later, outside the request's task: in its language all the same.
        Err(inner) => return Err(InLanguage { context, inner }.into()),
    };
    let headers = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&context.content_language()) {
        headers.insert(header::CONTENT_LANGUAGE, value);
    }
    headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
    Ok(res)
}

/// An error that left the request's task, rendered in the request's language.
#[derive(Debug)]
struct InLanguage {
    context: Context,
    inner: actix_web::Error,
}

impl std::fmt::Display for InLanguage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl ResponseError for InLanguage {
    fn status_code(&self) -> actix_web::http::StatusCode {
        self.inner.as_response_error().status_code()
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let mut res = i18n::sync_scope(Some(self.context.clone()), || self.inner.error_response());
        if let Ok(value) = HeaderValue::from_str(&self.context.content_language()) {
            res.headers_mut().insert(header::CONTENT_LANGUAGE, value);
        }
        res.headers_mut()
            .append(header::VARY, HeaderValue::from_static("Accept-Language"));
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_is_taken_out_of_the_query_and_the_rest_kept_in_order() {
        assert_eq!(
            split_query("region=africa&lang=fr&page=2"),
            ("region=africa&page=2".to_string(), Some("fr".to_string()))
        );
        assert_eq!(split_query("lang=es"), (String::new(), Some("es".to_string())));
        assert_eq!(split_query("lang"), (String::new(), Some(String::new())));
        assert_eq!(split_query("language=fr"), ("language=fr".to_string(), None));
        assert_eq!(split_query("lang=fr%2DCH").1.as_deref(), Some("fr-CH"));
        let twice = split_query("lang=fr&lang=fr").1;
        assert!(negotiate::choose(twice.as_deref(), None).is_err());
    }
}
