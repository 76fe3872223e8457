//! The one error type at the boundary between the browser and the server. Internal failures are
//! opaque to the client (the detail goes to the server log); everything else carries a message a
//! person can act on.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("you are not signed in")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("AWS in {env}: {message}")]
    Upstream { env: String, message: String },
    #[error("something went wrong on the server; the details are in its log")]
    Internal,
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Upstream { .. } => StatusCode::BAD_GATEWAY,
            AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Logs an internal failure with its full chain and returns the opaque error for the client.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%context, error = %error, "internal error");
        AppError::Internal
    }

    /// Like [`AppError::internal`] for a typed error: every cause in its source chain goes to
    /// the log (`outer: inner: root`).
    #[cfg(feature = "ssr")]
    pub fn internal_error(context: &str, error: &(dyn std::error::Error + 'static)) -> Self {
        let chain = error_chain(error);
        tracing::error!(%context, error = %chain, "internal error");
        AppError::Internal
    }
}

/// An error and its causes, outermost first, joined by `: `.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        // Transparent wrappers repeat their cause's text: say it once.
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                AppError::Invalid(format!("bad request: {msg}"))
            }
            ServerFnErrorErr::Request(msg) => AppError::Transport(msg),
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let body = serde_json::json!({ "error": self.to_string() });
        (self.status(), axum::Json(body)).into_response()
    }
}

impl From<crate::domain::ids::IdError> for AppError {
    fn from(value: crate::domain::ids::IdError) -> Self {
        AppError::Invalid(value.to_string())
    }
}

impl From<crate::domain::policy::Denied> for AppError {
    fn from(value: crate::domain::policy::Denied) -> Self {
        AppError::Forbidden(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_say_nothing_about_their_cause() {
        assert_eq!(
            AppError::Internal.to_string(),
            "something went wrong on the server; the details are in its log"
        );
    }

    #[test]
    fn error_chains_name_every_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("reading a release")]
        struct Outer(#[source] Inner);
        #[derive(Debug, thiserror::Error)]
        #[error("database is locked")]
        struct Inner;
        #[derive(Debug, thiserror::Error)]
        #[error(transparent)]
        struct Transparent(#[from] Outer);
        let table: [(&(dyn std::error::Error + 'static), &str); 3] = [
            (&Inner, "database is locked"),
            (&Outer(Inner), "reading a release: database is locked"),
            (
                &Transparent(Outer(Inner)),
                "reading a release: database is locked",
            ),
        ];
        for (error, text) in table {
            assert_eq!(error_chain(error), text);
        }
    }

    #[test]
    fn statuses_match_kinds() {
        let table = [
            (AppError::Unauthenticated, 401),
            (AppError::Forbidden("x".into()), 403),
            (AppError::Invalid("x".into()), 400),
            (AppError::NotFound("x".into()), 404),
            (AppError::Conflict("x".into()), 409),
            (
                AppError::Upstream {
                    env: "dev".into(),
                    message: "x".into(),
                },
                502,
            ),
            (AppError::Internal, 500),
        ];
        for (err, status) in table {
            assert_eq!(err.status().as_u16(), status, "{err:?}");
        }
    }
}
