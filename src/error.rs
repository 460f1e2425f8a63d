//! One error type for the API, mapped once to RFC 9457 problem details
//! (`application/problem+json`). Internal details go to the log, never to the client.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field (query parameter, body field or CSV column) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The parameter or field name (for CSV files: the column).
    pub field: String,
    pub message: String,
    /// For CSV files: the line of the file (1 is the header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
            line: None,
        }
    }
}

/// RFC 9457 problem details, as every error response carries them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A stable identifier of the kind of problem (e.g. `/problems/not-found`).
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field-level errors, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request's id (also its `X-Request-Id` header and in every log line it caused):
    /// quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "5f0c2a9e1b7d4c3a8e6f0b1d2c3a4e5f")]
    pub request_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// The path exists; these methods are allowed on it.
    #[error("method not allowed; allowed: {0}")]
    MethodNotAllowed(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("precondition required")]
    PreconditionRequired,
    #[error("unprocessable: {detail}")]
    Unprocessable { detail: String, errors: Vec<FieldError> },
    #[error("too many requests; retry after {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("the request body did not arrive within {0} s")]
    RequestTimeout(u64),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Too many requests of one kind from one client or for one account (not failures).
    #[error("rate limited: {detail}")]
    RateLimited { retry_after: u64, detail: String },
    /// The server is at its limit for this kind of work (password hashing); retry shortly.
    #[error("busy: {0}")]
    Busy(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A 400 for invalid fields; the detail names them.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        AppError::BadRequest {
            detail: format!("invalid value for: {}", names.join(", ")),
            errors,
        }
    }

    /// A 422 for values that are well-formed but break a rule; the detail names the fields.
    pub fn unprocessable(errors: Vec<FieldError>) -> Self {
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        AppError::Unprocessable {
            detail: format!("rule broken by: {}", names.join(", ")),
            errors,
        }
    }

    /// Every problem kind's slug (the catalogue has a title for each).
    pub const SLUGS: [&'static str; 17] = [
        "bad-request",
        "unauthorized",
        "forbidden",
        "not-found",
        "method-not-allowed",
        "conflict",
        "precondition-failed",
        "precondition-required",
        "unprocessable",
        "too-many-requests",
        "unsupported-media-type",
        "payload-too-large",
        "request-timeout",
        "service-unavailable",
        "rate-limited",
        "busy",
        "internal-error",
    ];

    fn slug(&self) -> &'static str {
        match self {
            AppError::BadRequest { .. } => "bad-request",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not-found",
            AppError::MethodNotAllowed(_) => "method-not-allowed",
            AppError::Conflict(_) => "conflict",
            AppError::PreconditionFailed => "precondition-failed",
            AppError::PreconditionRequired => "precondition-required",
            AppError::Unprocessable { .. } => "unprocessable",
            AppError::TooManyRequests { .. } => "too-many-requests",
            AppError::UnsupportedMediaType(_) => "unsupported-media-type",
            AppError::PayloadTooLarge(_) => "payload-too-large",
            AppError::RequestTimeout(_) => "request-timeout",
            AppError::Unavailable(_) => "service-unavailable",
            AppError::RateLimited { .. } => "rate-limited",
            AppError::Busy(_) => "busy",
            AppError::Internal(_) => "internal-error",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let (detail, errors) = match self {
            AppError::BadRequest { detail, errors } => (detail.clone(), errors.clone()),
            AppError::Unprocessable { detail, errors } => (detail.clone(), errors.clone()),
            AppError::Unauthorized(detail) | AppError::Forbidden(detail) | AppError::Conflict(detail) => {
                (detail.clone(), Vec::new())
            }
            AppError::NotFound(what) => (format!("{what} was not found"), Vec::new()),
            AppError::MethodNotAllowed(allowed) => (format!("this path answers {allowed}"), Vec::new()),
            AppError::PreconditionFailed => (
                "the record has changed since you read it (If-Match does not match its ETag); read it again"
                    .into(),
                Vec::new(),
            ),
            AppError::PreconditionRequired => (
                "changing this record needs an If-Match header with its current ETag".into(),
                Vec::new(),
            ),
            AppError::TooManyRequests { retry_after } => (
                format!("too many failed attempts; try again in {retry_after} seconds"),
                Vec::new(),
            ),
            AppError::UnsupportedMediaType(detail) | AppError::PayloadTooLarge(detail) => {
                (detail.clone(), Vec::new())
            }
            AppError::RequestTimeout(secs) => (
                format!("the request body did not arrive within {secs} seconds; send it again"),
                Vec::new(),
            ),
            AppError::Unavailable(_) => (
                "the database is unavailable; try again shortly".into(),
                Vec::new(),
            ),
            AppError::RateLimited { detail, .. } | AppError::Busy(detail) => (detail.clone(), Vec::new()),
            AppError::Internal(_) => (
                "an internal error occurred; it has been logged".into(),
                Vec::new(),
            ),
        };
        Problem {
            problem_type: format!("/problems/{}", self.slug()),
            title: crate::i18n::catalogue::problem_title(
                self.slug(),
                status.canonical_reason().unwrap_or("Error"),
            ),
            status: status.as_u16(),
            detail,
            errors,
            request_id: crate::telemetry::request_id(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::Unavailable(_) | AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            AppError::Internal(cause) => tracing::error!(error = %cause, "internal error"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            AppError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            AppError::TooManyRequests { retry_after } | AppError::RateLimited { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            AppError::Busy(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            AppError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"normtrack\""));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        if is_connection_loss(&e) {
            return AppError::Unavailable(e.to_string());
        }
        match e {
            // Two writers raced for the same key; the loser may simply try again.
            Error::DatabaseError(
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::SerializationFailure,
                info,
            ) => {
                tracing::warn!(error = info.message(), "concurrent write refused");
                AppError::Conflict("a concurrent change got there first; read it again and retry".into())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Messages of libpq (and the kernel, through it) that say the connection to the database
/// is gone, for errors diesel reports without a connection-error kind.
const CONNECTION_LOSS_MESSAGES: [&str; 9] = [
    "server closed the connection",
    "no connection to the server",
    "could not receive data from server",
    "could not send data to server",
    "connection to server",
    "terminating connection",
    "ssl syscall error",
    "connection reset",
    "broken pipe",
];

/// Whether a database error means the database could not be reached (or the connection
/// was lost): the request may succeed later, so it is a 503, not a 500.
pub fn is_connection_loss(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => true,
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            let message = info.message().to_lowercase();
            CONNECTION_LOSS_MESSAGES.iter().any(|m| message.contains(m))
        }
        // A rollback failed, which happens when the connection died in the transaction.
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let problem = AppError::Internal("syntax error near SELECT".into()).problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("SELECT"));
    }

    #[test]
    fn a_lost_database_connection_is_unavailable_and_other_database_errors_are_internal() {
        use diesel::result::{DatabaseErrorKind, Error};
        let db = |kind, message: &str| Error::DatabaseError(kind, Box::new(message.to_string()));
        for lost in [
            db(
                DatabaseErrorKind::Unknown,
                "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally",
            ),
            db(DatabaseErrorKind::Unknown, "no connection to the server\n"),
            db(DatabaseErrorKind::Unknown, "could not receive data from server: Connection reset by peer"),
            db(DatabaseErrorKind::ClosedConnection, "terminating connection due to administrator command"),
            db(DatabaseErrorKind::UnableToSendCommand, "could not send data to server: Broken pipe"),
            Error::BrokenTransactionManager,
        ] {
            let status = AppError::from(lost).status_code();
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        }
        for internal in [
            db(DatabaseErrorKind::Unknown, "syntax error at or near \"SELEC\""),
            db(DatabaseErrorKind::Unknown, "database is locked"),
            db(
                DatabaseErrorKind::ForeignKeyViolation,
                "violates foreign key constraint",
            ),
            Error::NotFound,
        ] {
            let status = AppError::from(internal).status_code();
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        }
    }

    #[test]
    fn validation_problem_lists_fields() {
        let problem = AppError::invalid(vec![FieldError::new("per_page", "too big")]).problem();
        assert_eq!(problem.status, 400);
        assert_eq!(problem.problem_type, "/problems/bad-request");
        assert_eq!(problem.errors.len(), 1);
        assert!(problem.detail.contains("per_page"));
    }
}
