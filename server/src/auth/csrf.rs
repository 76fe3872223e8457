//! Cross-site request forgery defence beyond SameSite=Lax: every state-changing request must come
//! from the console's own origin (Origin header) or, failing that, not be marked cross-site by
//! the browser (Sec-Fetch-Site).

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// `scheme://host[:port]` of a URL, lower-cased, without a trailing slash or path.
pub fn origin_of(url: &str) -> String {
    let lower = url.trim().to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").unwrap_or(("", lower.as_str()));
    let host = rest.split('/').next().unwrap_or_default();
    format!("{scheme}://{host}")
}

/// Whether a state-changing request with these headers may proceed.
pub fn same_origin_allowed(
    method: &Method,
    origin: Option<&str>,
    fetch_site: Option<&str>,
    public_origin: &str,
) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    match origin {
        Some("null") => false,
        Some(origin) => origin_of(origin) == public_origin,
        None => !matches!(fetch_site, Some("cross-site" | "same-site")),
    }
}

/// The console's own origin (`scheme://host[:port]` of `server.public_url`), the only one
/// state-changing requests may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin(pub std::sync::Arc<str>);

pub async fn check_origin(
    State(public_origin): State<PublicOrigin>,
    request: Request,
    next: Next,
) -> Response {
    let allowed = {
        let header =
            |name: header::HeaderName| request.headers().get(name).and_then(|v| v.to_str().ok());
        let origin = header(header::ORIGIN);
        let allowed = same_origin_allowed(
            request.method(),
            origin,
            header(header::HeaderName::from_static("sec-fetch-site")),
            &public_origin.0,
        );
        if !allowed {
            tracing::warn!(path = %request.uri().path(), origin = ?origin, "cross-origin request refused");
        }
        allowed
    };
    if allowed {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"cross-site request refused: submit the form from the console itself"}"#,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_check_table() {
        let me = "http://127.0.0.1:3000";
        let post = Method::POST;
        let cases = [
            (Method::GET, Some("https://evil.example"), None, true),
            (post.clone(), Some("http://127.0.0.1:3000"), None, true),
            (post.clone(), Some("HTTP://127.0.0.1:3000"), None, true),
            (post.clone(), Some("https://evil.example"), None, false),
            (post.clone(), Some("null"), None, false),
            (post.clone(), None, Some("same-origin"), true),
            (post.clone(), None, Some("cross-site"), false),
            (post.clone(), None, Some("same-site"), false),
            (post.clone(), None, None, true),
        ];
        for (method, origin, site, expected) in cases {
            assert_eq!(
                same_origin_allowed(&method, origin, site, me),
                expected,
                "{method} {origin:?} {site:?}"
            );
        }
    }

    #[test]
    fn origins_drop_paths() {
        assert_eq!(
            origin_of("https://Ops.Example.com/console/"),
            "https://ops.example.com"
        );
    }
}
