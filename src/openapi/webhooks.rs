//! The document's `webhooks` section (OpenAPI 3.1; issue 17): what normtrack posts to a
//! registered endpoint for each event, with the Standard Webhooks headers. utoipa has no
//! webhooks of its own, so the section is added to the finished document, its bodies
//! described by the schemas below.

use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::domain::events::EventType;

/// The body of every delivery: the event's type, when it happened, the country and
/// instruments it concerns, and its data.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WebhookEvent {
    #[schema(example = "ratification.changed")]
    r#type: EventType,
    /// When the change was committed (RFC 3339, UTC).
    #[schema(example = "2026-12-04T10:15:00Z")]
    timestamp: String,
    #[schema(example = "ZWE")]
    country: Option<String>,
    #[schema(example = json!(["C087"]))]
    conventions: Vec<String>,
    /// The event's data: see the event's own schema.
    #[schema(value_type = Object)]
    data: serde_json::Value,
}

/// `ratification.changed`: a ratification record was created, changed or imported.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RatificationChangedData {
    /// The record: country and instrument.
    #[schema(example = "ZWE/C087")]
    id: String,
    /// `create`, `update`, `import`, ...
    #[schema(example = "update")]
    action: String,
    /// The record before the change, as the audit log keeps it; absent when created.
    #[schema(value_type = Option<Object>)]
    before: Option<serde_json::Value>,
    /// The record after the change.
    #[schema(value_type = Option<Object>)]
    after: Option<serde_json::Value>,
}

/// `supervisory_comment.created`: a comment of the ILO supervisory bodies was recorded.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SupervisoryCommentCreatedData {
    #[schema(example = "12")]
    id: String,
    /// The comment with the instruments it examines.
    #[schema(value_type = Object)]
    comment: serde_json::Value,
}

/// `report_request.status_changed`: a report request moved from one status to another.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReportRequestStatusChangedData {
    #[schema(example = "41")]
    id: String,
    #[schema(example = "requested")]
    from: String,
    #[schema(example = "submitted")]
    to: String,
    /// The report request after the change.
    #[schema(value_type = Object)]
    request: serde_json::Value,
}

fn header(name: &str, description: &str, example: &str) -> Value {
    json!({
        "name": name,
        "in": "header",
        "required": true,
        "description": description,
        "schema": {"type": "string"},
        "example": example,
    })
}

fn operation(event: EventType, data: &str, summary: &str) -> Value {
    json!({
        "post": {
            "summary": summary,
            "description": "Posted to each active endpoint that follows this event and, when it names \
                countries or instruments, one of the event's. Signed following the Standard Webhooks \
                convention: verify `webhook-signature` over `webhook-id.webhook-timestamp.body` with \
                the endpoint's secret, and drop a `webhook-id` already seen (a delivery may arrive \
                more than once). Any 2xx within 10 s counts as delivered; anything else is retried \
                with exponential backoff for 24 hours. Redirects are not followed.",
            "tags": ["notifications"],
            "parameters": [
                header("webhook-id", "The message id: the same on every attempt of this delivery.", "msg_41_3"),
                header("webhook-timestamp", "When this attempt was signed (Unix seconds).", "1764843300"),
                header("webhook-signature", "`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`.", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="),
            ],
            "requestBody": {
                "required": true,
                "content": {"application/json": {"schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/WebhookEvent"},
                        {"type": "object", "properties": {
                            "type": {"const": event.as_str()},
                            "data": {"$ref": format!("#/components/schemas/{data}")}
                        }}
                    ]
                }}}
            },
            "responses": {
                "2XX": {"description": "Delivered"},
                "default": {"description": "Not delivered: retried later"}
            }
        }
    })
}

/// The section, keyed by event type.
pub fn section() -> Value {
    json!({
        EventType::RatificationChanged.as_str(): operation(
            EventType::RatificationChanged,
            "RatificationChangedData",
            "A ratification record was created, changed or imported",
        ),
        EventType::SupervisoryCommentCreated.as_str(): operation(
            EventType::SupervisoryCommentCreated,
            "SupervisoryCommentCreatedData",
            "A supervisory comment was recorded",
        ),
        EventType::ReportRequestStatusChanged.as_str(): operation(
            EventType::ReportRequestStatusChanged,
            "ReportRequestStatusChangedData",
            "A report request's status changed",
        ),
    })
}
