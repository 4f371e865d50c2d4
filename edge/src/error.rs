//! The one error body every Zelly HTTP service and Worker answers with.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "..."}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    /// The error itself.
    pub error: ApiErrorDetail,
}

/// A machine-readable code and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorDetail {
    /// Stable, machine-readable code such as `not_found` or `invalid_request`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// For validation errors (422): each bad field's path and what is wrong with it.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, String>,
}

impl ApiErrorBody {
    /// Builds an error body.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ApiErrorDetail {
                code: code.into(),
                message: message.into(),
                fields: Default::default(),
            },
        }
    }
}

impl ApiErrorBody {
    /// A 422 body naming each bad field.
    pub fn invalid_fields(fields: std::collections::BTreeMap<String, String>) -> Self {
        let mut body = Self::new("invalid", "some fields are invalid");
        body.error.fields = fields;
        body
    }
}

/// An error with its causes, `outer: inner: …`: an HTTP client's own message alone ("client error
/// (Connect)") does not say what went wrong.
pub fn error_chain(error: &dyn core::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
