//! Which methods each documented path answers, so that a known path asked with another
//! method gets 405 with `Allow` rather than 404. Built from the OpenAPI document, which is
//! built from the route table: one source.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use crate::error::AppError;

/// Path templates (`/api/v1/gaps/{id}`) with the methods they answer.
#[derive(Debug, Clone, Default)]
pub struct RouteMethods(Vec<(Vec<String>, Vec<String>)>);

impl RouteMethods {
    pub fn from_document(doc: &utoipa::openapi::OpenApi) -> RouteMethods {
        let mut routes = Vec::new();
        for (path, item) in &doc.paths.paths {
            let segments = path.split('/').map(str::to_string).collect();
            let mut methods = Vec::new();
            for (name, present) in [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ] {
                if present {
                    methods.push(name.to_string());
                }
            }
            routes.push((segments, methods));
        }
        RouteMethods(routes)
    }

    /// The methods of the documented path matching `path`, if any. Where several templates
    /// match, the most specific (fewest `{placeholders}`) wins, as it does in the router:
    /// `/report-requests/generate` is not `/report-requests/{id}`.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, Vec<String>)> = None;
        for (template, methods) in &self.0 {
            let matches = template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s);
            if !matches {
                continue;
            }
            let placeholders = template.iter().filter(|t| t.starts_with('{')).count();
            match &mut best {
                Some((fewest, allowed)) if *fewest == placeholders => allowed.extend(methods.iter().cloned()),
                Some((fewest, _)) if *fewest < placeholders => {}
                _ => best = Some((placeholders, methods.clone())),
            }
        }
        best.map(|(_, allowed)| allowed)
    }

    /// The answer to `method` on `path` when no handler took it: 405 with `Allow` when the
    /// path is documented for other methods, otherwise 404 about `what`.
    pub fn refusal(&self, method: &str, path: &str, what: String) -> HttpResponse {
        match self.allowed(path) {
            Some(methods) if !methods.iter().any(|m| m == method) => {
                let mut response = AppError::MethodNotAllowed(methods.join(", ")).error_response();
                if let Ok(value) = header::HeaderValue::from_str(&methods.join(", ")) {
                    response.headers_mut().insert(header::ALLOW, value);
                }
                response
            }
            _ => AppError::NotFound(what).error_response(),
        }
    }
}

/// The default service: no route answered. A documented path asked with another method is
/// 405 (with `Allow`); anything else 404.
pub async fn no_route(req: HttpRequest, routes: web::Data<RouteMethods>) -> HttpResponse {
    routes.refusal(req.method().as_str(), req.path(), "the requested path".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_methods_of_a_templated_path() {
        let doc = crate::openapi::document();
        let routes = RouteMethods::from_document(&doc);
        assert_eq!(
            routes.allowed("/api/v1/ratifications/ZWE/C087"),
            Some(vec!["GET".into(), "PUT".into()])
        );
        assert_eq!(routes.allowed("/api/v1/countries"), Some(vec!["GET".into()]));
        assert_eq!(routes.allowed("/api/v1/nothing"), None);
        assert_eq!(routes.allowed("/api/v1/ratifications/ZWE/"), None);
        assert_eq!(
            routes.allowed("/api/v1/report-requests/generate"),
            Some(vec!["POST".into()]),
            "a literal segment is more specific than a placeholder"
        );
    }
}
