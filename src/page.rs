//! The read-only dashboard page at `/`: three static files and the three message catalogues embedded in the binary (no CDN, no
//! build step). The page holds no data of its own: it calls the JSON API with the token its
//! user signs in for or pastes.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::i18n::Lang;

const INDEX_HTML: &str = include_str!("../static/index.html");
const APP_JS: &str = include_str!("../static/app.js");
const STYLE_CSS: &str = include_str!("../static/style.css");

/// Scripts and styles from this server only; data from this server's API only.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                        img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn file(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .body(body)
}

async fn index() -> HttpResponse {
    file("text/html; charset=utf-8", INDEX_HTML)
}

async fn app_js() -> HttpResponse {
    file("text/javascript; charset=utf-8", APP_JS)
}

async fn style_css() -> HttpResponse {
    file("text/css; charset=utf-8", STYLE_CSS)
}

/// The page's labels: the message catalogue of one language (the server's own).
fn catalogue(lang: Lang) -> HttpResponse {
    file("application/json", crate::i18n::catalogue::file(lang))
}

/// Registers the page's routes (public: the files hold no data).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/", web::head().to(index))
        .route("/index.html", web::get().to(index))
        .route("/index.html", web::head().to(index))
        .route("/programmes/{id}/progress", web::get().to(index))
        .route("/programmes/{id}/progress", web::head().to(index))
        .route("/assets/app.js", web::get().to(app_js))
        .route("/assets/app.js", web::head().to(app_js))
        .route("/assets/style.css", web::get().to(style_css))
        .route("/assets/style.css", web::head().to(style_css));
    for lang in Lang::ALL {
        let path = format!("/assets/i18n/{}.json", lang.code());
        cfg.route(&path, web::get().to(move || async move { catalogue(lang) }))
            .route(&path, web::head().to(move || async move { catalogue(lang) }));
    }
}
