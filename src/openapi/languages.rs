//! Every operation answers in English, French or Spanish: the `lang` query parameter the
//! language middleware (`api::language`) reads before any handler, written into the document
//! here, once, rather than into each handler's query type.

use serde_json::{json, Value};

/// What the parameter says in the document.
const DESCRIPTION: &str =
    "The language of names, titles and problem titles in the answer: `en`, `fr` or `es` \
(decides over `Accept-Language`, whose q-values are honoured when `lang` is absent; English otherwise). \
The answer's `Content-Language` names it, followed by `en` when English stood in for a missing translation. \
Any other value is a 400 problem.";

/// Adds the `lang` parameter, and the 400 answer it may bring, to every operation.
pub fn apply(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for operation in item.values_mut().filter_map(Value::as_object_mut) {
            let parameters = operation
                .entry("parameters")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(list) = parameters.as_array_mut() {
                list.push(json!({
                    "name": crate::api::language::PARAM,
                    "in": "query",
                    "required": false,
                    "description": DESCRIPTION,
                    "schema": {"type": "string", "enum": ["en", "fr", "es"]}
                }));
            }
            // Every operation now has a parameter that can be malformed.
            let responses = operation.entry("responses").or_insert_with(|| json!({}));
            if let Some(responses) = responses.as_object_mut() {
                responses.entry("400").or_insert_with(|| {
                    json!({
                        "description": "A parameter or the body is malformed (an unoffered `lang`, say)",
                        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                    })
                });
            }
        }
    }
}
