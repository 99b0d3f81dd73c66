//! Local runs only: serves a built site folder beside the functions, so the portal and
//! `/api/*` share one origin as they do behind the production proxy (the editors' page
//! and the forms then need no cross-origin requests).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// `router` with every path it does not answer served from the site folder `dir`.
pub fn with_site(router: Router, dir: PathBuf) -> Router {
    let dir = Arc::new(dir);
    router.fallback(move |method: Method, uri: Uri| serve(Arc::clone(&dir), method, uri))
}

/// The Content-Type of a site file, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn file(status: StatusCode, path: &Path, bytes: Vec<u8>) -> Response {
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn serve(dir: Arc<PathBuf>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let not_found = || {
        let page = dir.join("404.html");
        match std::fs::read(&page) {
            Ok(bytes) => file(StatusCode::NOT_FOUND, &page, bytes),
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        }
    };
    let Ok(decoded) = percent_encoding::percent_decode_str(uri.path()).decode_utf8() else {
        return not_found();
    };
    let relative = decoded.trim_start_matches('/');
    if relative
        .split('/')
        .any(|part| part == ".." || part.contains(['\\', '\0']))
    {
        return not_found();
    }
    let mut path = dir.join(relative);
    if path.is_dir() {
        if !decoded.ends_with('/') {
            let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
            if let Ok(location) = HeaderValue::from_str(&format!("{}/", uri.path())) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            return response;
        }
        path = path.join("index.html");
    }
    match std::fs::read(&path) {
        Ok(bytes) => file(StatusCode::OK, &path, bytes),
        Err(_) => not_found(),
    }
}
