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
}

impl ApiErrorBody {
    /// Builds an error body.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ApiErrorDetail {
                code: code.into(),
                message: message.into(),
            },
        }
    }
}
