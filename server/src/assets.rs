//! The browser bundle under `/pkg/` (wasm, JS glue, CSS), served from memory: each file is read
//! once (again when it changes on disk), gzip-compressed once at the highest level, and answered
//! with an ETag, so a browser that has it gets a 304. Files whose name carries a content hash
//! (`name.<hash>.ext`, cargo-leptos' `hash-files`) are cacheable for a year; the others must be
//! revalidated on every use, which costs a 304.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// One file as served.
struct Asset {
    raw: axum::body::Bytes,
    /// Present when compressing saved something.
    gzip: Option<axum::body::Bytes>,
    etag: HeaderValue,
    content_type: &'static str,
    /// What the file on disk looked like when read, to notice a rebuild.
    stamp: (SystemTime, u64),
}

/// The `/pkg/` directory of the built site, and what was read of it.
pub struct Assets {
    dir: PathBuf,
    cache: RwLock<HashMap<String, Arc<Asset>>>,
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Plain file names only: no directories, no dot-files, nothing to climb out with.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `quarterdeck.0a1b2c3d4e5f6a7b.wasm`: a middle part of 8 or more hex digits.
pub fn is_hashed(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| p.len() >= 8 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

impl Assets {
    pub fn new(site_root: &std::path::Path) -> Self {
        Self {
            dir: site_root.join("pkg"),
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// The file, read (and compressed) now if it is new or changed on disk.
    fn load(&self, name: &str) -> std::io::Result<Arc<Asset>> {
        let path = self.dir.join(name);
        let meta = std::fs::metadata(&path)?;
        if !meta.is_file() {
            return Err(std::io::ErrorKind::NotFound.into());
        }
        let stamp = (
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.len(),
        );
        if let Ok(cache) = self.cache.read() {
            if let Some(asset) = cache.get(name).filter(|a| a.stamp == stamp) {
                return Ok(Arc::clone(asset));
            }
        }
        let raw = std::fs::read(&path)?;
        let digest = Sha256::digest(&raw);
        let etag = format!(
            "\"{}\"",
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let gzip = gzip(&raw).filter(|z| z.len() < raw.len());
        let asset = Arc::new(Asset {
            etag: HeaderValue::from_str(&etag).map_err(std::io::Error::other)?,
            gzip: gzip.map(axum::body::Bytes::from),
            raw: axum::body::Bytes::from(raw),
            content_type: content_type(name),
            stamp,
        });
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(name.to_string(), Arc::clone(&asset));
        }
        Ok(asset)
    }
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// `GET /pkg/{file}`.
pub async fn serve(
    State(assets): State<Arc<Assets>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let assets = &assets;
    if !valid_name(&name) {
        return (StatusCode::NOT_FOUND, "no such file\n").into_response();
    }
    let loaded = {
        let assets = Arc::clone(assets);
        let name = name.clone();
        tokio::task::spawn_blocking(move || assets.load(&name)).await
    };
    let asset = match loaded.unwrap_or_else(|e| Err(std::io::Error::other(e))) {
        Ok(asset) => asset,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (StatusCode::NOT_FOUND, "no such file\n").into_response()
        }
        Err(e) => {
            tracing::error!(file = %name, error = %e, "reading a static file");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not read the file\n",
            )
                .into_response();
        }
    };
    let cache_control = if is_hashed(&name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut builder = Response::builder()
        .header(header::ETAG, asset.etag.clone())
        .header(header::CACHE_CONTROL, cache_control)
        .header(header::VARY, "accept-encoding");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == asset.etag.to_str().unwrap_or(""))
        });
    if fresh {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::NOT_MODIFIED.into_response());
    }
    builder = builder.header(header::CONTENT_TYPE, asset.content_type);
    let body = match (&asset.gzip, accepts_gzip(&headers)) {
        (Some(gz), true) => {
            builder = builder.header(header::CONTENT_ENCODING, "gzip");
            gz.clone()
        }
        _ => asset.raw.clone(),
    };
    builder
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_file_names_are_served() {
        let cases = [
            ("quarterdeck.wasm", true),
            ("quarterdeck.0a1b2c3d.js", true),
            ("", false),
            (".env", false),
            ("../secret", false),
            ("a/b.js", false),
            ("x%2e%2e", false),
        ];
        for (name, ok) in cases {
            assert_eq!(valid_name(name), ok, "{name}");
        }
    }

    #[test]
    fn hashed_names_are_recognised() {
        let cases = [
            ("quarterdeck.wasm", false),
            ("quarterdeck.css", false),
            ("quarterdeck.0a1b2c3d4e5f.wasm", true),
            ("quarterdeck.deadbeef.js", true),
            ("quarterdeck.notahash.js", false),
            ("quarterdeck_bg.wasm", false),
        ];
        for (name, hashed) in cases {
            assert_eq!(is_hashed(name), hashed, "{name}");
        }
    }

    #[test]
    fn gzip_is_sent_only_to_those_who_accept_it() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            accepts_gzip(&h)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("br"));
        assert!(!with("gzip;q=0"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn files_are_compressed_once_and_reread_when_they_change() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("pkg")).unwrap();
        let file = dir.path().join("pkg").join("app.css");
        std::fs::write(&file, "body { color: red; } ".repeat(200)).unwrap();
        let assets = Assets::new(dir.path());
        let first = assets.load("app.css").unwrap();
        assert!(first.gzip.as_ref().unwrap().len() < first.raw.len() / 10);
        assert!(
            Arc::ptr_eq(&first, &assets.load("app.css").unwrap()),
            "cached"
        );
        std::fs::write(&file, "p { margin: 0 }").unwrap();
        let second = assets.load("app.css").unwrap();
        assert_eq!(&second.raw[..], b"p { margin: 0 }");
        assert_ne!(first.etag, second.etag);
        assert!(second.gzip.is_none(), "not worth compressing");
        assert_eq!(
            assets.load("missing.js").err().map(|e| e.kind()),
            Some(std::io::ErrorKind::NotFound)
        );
    }
}
