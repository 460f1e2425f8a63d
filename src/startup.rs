//! Builds the application once, for `serve` and for the tests.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::KeepAlive;
use actix_web::middleware::{DefaultHeaders, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{self, problems, AppState};
use crate::config::{Settings, Timeouts};
use crate::db::{self, PoolSettings};
use crate::seed::{self, SeedOutcome};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(db::migrations::MigrationError),
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    #[error(transparent)]
    Secret(#[from] crate::auth::secret::SecretError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the pool, applies pending migrations and seeds an empty database.
pub fn prepare_database(settings: &Settings) -> Result<AppState, StartupError> {
    let pool = db::build_pool(
        &settings.database_url,
        &PoolSettings {
            max_size: settings.pool_size,
            connection_timeout: settings.timeouts.db_connection,
        },
    )?;
    let engine = db::Engine::from_url(&settings.database_url).0;
    let mut conn = pool.get()?;
    let applied = db::migrations::run_pending(&mut conn).map_err(StartupError::Migrate)?;
    tracing::info!(
        engine = engine.name(),
        migrations_applied = applied.len(),
        "database migrated"
    );
    match seed::seed(&mut conn)? {
        SeedOutcome::Seeded {
            countries,
            conventions,
            ratifications,
        } => {
            tracing::info!(countries, conventions, ratifications, "empty database seeded")
        }
        SeedOutcome::AlreadySeeded => tracing::info!("database already has data; not seeding"),
    }
    if let Some(seeded) = seed::seed_trade_and_supervision(&mut conn)? {
        tracing::info!(
            arrangements = seeded.arrangements,
            events = seeded.events,
            instruments = seeded.instruments,
            comments = seeded.comments,
            "trade arrangements and supervisory comments seeded"
        );
    }
    if let Some(initiatives) = seed::seed_rbc(&mut conn)? {
        tracing::info!(initiatives, "responsible-business-conduct initiatives seeded");
    }
    let secret = crate::auth::secret::load_or_create(&mut conn, settings.jwt_secret.as_deref())?;
    drop(conn);
    let mailer = settings.notify.mailer()?;
    Ok(AppState {
        pool,
        engine,
        auth: std::sync::Arc::new(crate::auth::Auth::new(&secret, settings.limits.password_hashing)),
        cache: Default::default(),
        reads: Default::default(),
        changes: crate::db::changes::ChangeWatch::start(&settings.database_url),
        limits: std::sync::Arc::new(settings.limits.clone()),
        in_flight: crate::api::client::InFlight::new(settings.limits.max_requests_per_client),
        public_base: settings.public_base().into(),
        metrics: Default::default(),
        notify: std::sync::Arc::new(crate::api::NotifySettings {
            webhooks: settings.notify.webhooks,
            mailer,
        }),
        sso: std::sync::Arc::new(crate::outbound::oidc::Providers::new(
            settings
                .sso
                .iter()
                .map(|p| crate::outbound::oidc::Provider::new(p.clone(), &settings.public_base()))
                .collect(),
        )),
    })
}

/// Starts the HTTP server on `listener` with the default time limits.
pub fn run(listener: TcpListener, state: AppState) -> Result<Server, StartupError> {
    run_with(listener, state, &Timeouts::default())
}

/// Starts the HTTP server on `listener`. A client must send a request's head within
/// `timeouts.request_head` (else 408), an idle kept-alive connection is closed after
/// `timeouts.keep_alive`, and on SIGTERM (handled by actix-web) the server stops accepting and
/// lets requests in flight finish for up to `timeouts.shutdown`, then exits.
pub fn run_with(listener: TcpListener, state: AppState, timeouts: &Timeouts) -> Result<Server, StartupError> {
    let data = web::Data::new(state);
    let doc = crate::openapi::document();
    let routes = web::Data::new(crate::api::routes::RouteMethods::from_document(&doc));
    let body_timeout = web::Data::new(crate::api::body_deadline::BodyTimeout {
        authenticated: timeouts.request_body,
        public: timeouts.public_body,
    });
    let connections = crate::api::client::Connections::new(
        data.limits.max_connections_per_client,
        data.limits.trusted_proxies.clone(),
    );
    let server = HttpServer::new(move || {
        let metrics = data.metrics.clone();
        App::new()
            .app_data(data.clone())
            .app_data(body_timeout.clone())
            .app_data(web::QueryConfig::default().error_handler(problems::query_error))
            .app_data(web::PathConfig::default().error_handler(problems::path_error))
            .app_data(
                web::JsonConfig::default()
                    .limit(problems::JSON_LIMIT)
                    .error_handler(problems::json_error),
            )
            .app_data(web::PayloadConfig::new(problems::UPLOAD_LIMIT))
            .into_utoipa_app()
            .configure(api::configure)
            .into_app()
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", doc.clone()))
            .configure(crate::page::configure)
            .app_data(routes.clone())
            .default_service(web::to(crate::api::routes::no_route))
            .wrap(actix_web::middleware::from_fn(crate::api::client::admit))
            .wrap(ErrorHandlers::new().default_handler(problems::ensure_problem_json))
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "no-referrer")),
            )
            .wrap_fn(move |req, srv| {
                let started = Instant::now();
                let method = req.method().clone();
                let path = req.path().to_string();
                // The route template (bounded), never the path itself, labels the figures.
                // Written `/api/v1/gaps/:id`: braces inside label values trip some parsers.
                let route = req
                    .match_pattern()
                    .map(|p| p.replace('{', ":").replace('}', ""))
                    .unwrap_or_else(|| "unmatched".to_string());
                let metrics = metrics.clone();
                let fut = srv.call(req);
                async move {
                    let result = fut.await;
                    let status = match &result {
                        Ok(res) => res.status().as_u16(),
                        Err(e) => e.as_response_error().status_code().as_u16(),
                    };
                    let elapsed = started.elapsed().as_secs_f64();
                    metrics.request(method.as_str(), &route, status, elapsed);
                    tracing::info!(%method, path, status, elapsed_ms = elapsed * 1000.0, "request");
                    let mut res = result?;
                    if path.starts_with("/api/") {
                        // JSON answers: never cached by intermediaries, never rendered as a page.
                        let headers = res.headers_mut();
                        if !headers.contains_key(header::CACHE_CONTROL) {
                            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                        }
                        headers.insert(
                            header::CONTENT_SECURITY_POLICY,
                            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
                        );
                    }
                    Ok(res)
                }
            })
            // The request's language, around everything that may answer in it.
            .wrap(actix_web::middleware::from_fn(crate::api::language::negotiate))
            // Outermost: the request id and span around everything, the access log included.
            .wrap(actix_web::middleware::from_fn(crate::api::request_id::assign))
    })
    .on_connect(move |connection, data| crate::api::client::on_connect(&connections, connection, data))
    .client_request_timeout(timeouts.request_head)
    .client_disconnect_timeout(timeouts.client_disconnect)
    .keep_alive(if timeouts.keep_alive.is_zero() {
        KeepAlive::Disabled
    } else {
        KeepAlive::Timeout(timeouts.keep_alive)
    })
    .shutdown_timeout(timeouts.shutdown.as_secs())
    .listen(listener)?
    .run();
    Ok(server)
}

/// Serves `GET /metrics` without a token on `listener` (`NORMTRACK_METRICS_BIND`), from the
/// same application state as the main server.
pub fn run_metrics(listener: TcpListener, state: AppState) -> Result<Server, StartupError> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/metrics", web::get().to(crate::api::metrics::metrics))
    })
    .workers(1)
    .listen(listener)?
    .run();
    Ok(server)
}
