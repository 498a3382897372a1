//! The single-page app: files from trunk's dist folder; app routes fall back to index.html,
//! while a missing asset is a 404 (a broken script must not come back as HTML).

use poem::error::StaticFileError;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::StaticFileRequest;
use poem::{Endpoint, FromRequest, IntoResponse, Request, Response, Result};
use std::path::PathBuf;
use std::sync::Arc;

/// Paths owned by the server; under these nothing falls back to the app.
const SERVER_PREFIXES: &[&str] = &["/graphql", "/graphiql", "/healthz", "/readyz", "/vendor/", "/export/"];

#[derive(Clone)]
pub struct Spa {
    dir: Arc<PathBuf>,
}

impl Spa {
    pub fn new(dir: PathBuf) -> Spa {
        Spa { dir: Arc::new(dir) }
    }

    /// The file a URL path names inside the folder; `None` for anything that could escape it.
    fn file_for(&self, path: &str) -> Option<PathBuf> {
        let decoded = percent_decode(path)?;
        let mut file = (*self.dir).clone();
        for part in decoded.split('/').filter(|p| !p.is_empty()) {
            if part == "." || part == ".." || part.contains('\\') || part.starts_with('.') {
                return None;
            }
            file.push(part);
        }
        if file.is_dir() {
            file.push("index.html");
        }
        Some(file)
    }
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// An app route names a page (`/customers/…`), not a file (`/app-1a2b.js`).
pub(super) fn is_app_route(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    !last.contains('.') && !SERVER_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// trunk names built assets `name-<16 hex>.ext`; those never change and may be cached for good.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Endpoint for Spa {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let path = req.uri().path().to_owned();
        let file = match self.file_for(&path) {
            Some(f) if f.is_file() => f,
            _ if is_app_route(&path) => self.dir.join("index.html"),
            _ => return Ok(StatusCode::NOT_FOUND.into_response()),
        };
        let (req, mut body) = req.split();
        let file_request = StaticFileRequest::from_request(&req, &mut body).await?;
        let hashed = is_hashed_asset(&path);
        let mut response = match file_request.create_response(&file, true, !hashed) {
            Ok(r) => r.into_response(),
            Err(StaticFileError::NotFound) => return Ok(StatusCode::NOT_FOUND.into_response()),
            Err(e) => return Err(e.into()),
        };
        if hashed && response.status().is_success() {
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_routes_and_assets() {
        assert!(is_app_route("/"));
        assert!(is_app_route("/customers/Q3VzdG9tZXI6"));
        assert!(!is_app_route("/missing.js"));
        assert!(!is_app_route("/graphql/x"));
        assert!(!is_app_route("/vendor/graphiql/nope"));
    }

    #[test]
    fn paths_cannot_escape_the_folder() {
        let spa = Spa::new(PathBuf::from("/srv/dist"));
        assert_eq!(spa.file_for("/app.js"), Some(PathBuf::from("/srv/dist/app.js")));
        assert_eq!(spa.file_for("/../etc/passwd"), None);
        assert_eq!(spa.file_for("/%2e%2e/etc/passwd"), None);
        assert_eq!(spa.file_for("/.git/config"), None);
    }

    #[test]
    fn hashed_assets_are_recognised() {
        assert!(is_hashed_asset("/frontend-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_asset("/frontend-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/vendor/graphiql/graphiql.min.js"));
    }
}
