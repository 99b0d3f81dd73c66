//! Local runs only: serves a built site folder beside the functions, so the portal and
//! `/api/*` share one origin as they do behind the production proxy (the editors' page
//! and the forms then need no cross-origin requests).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// The hosts a local server answers for: the loopback names and the hosts of `urls` (the
/// configured site and API addresses). A page on another site that points a name it owns
/// at 127.0.0.1 (DNS rebinding) sends its own name as `Host`, and is refused, so it cannot
/// read `/outbox/` or anything else served here.
pub fn local_hosts(urls: &[&str]) -> Vec<String> {
    let mut hosts: Vec<String> = ["127.0.0.1", "localhost", "[::1]"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    for url in urls {
        let authority = url.split_once("://").map_or(*url, |(_, rest)| rest);
        let authority = authority.split('/').next().unwrap_or("");
        let host = host_of(authority);
        if !host.is_empty() && !hosts.iter().any(|h| h == host) {
            hosts.push(host.to_ascii_lowercase());
        }
    }
    hosts
}

/// `example.org:8080` -> `example.org`, `[::1]:1111` -> `[::1]`.
fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

/// Answers 421 to a request whose `Host` (or, over HTTP/2, authority) is not one of
/// `hosts`, and to one without a host at all; local servers only (Lambda's routing is
/// API Gateway's).
pub fn local_hosts_only(router: Router, hosts: Vec<String>) -> Router {
    let hosts = Arc::new(hosts);
    router.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let hosts = Arc::clone(&hosts);
            async move {
                let named = request
                    .headers()
                    .get(header::HOST)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
                    .or_else(|| request.uri().authority().map(|a| a.to_string()));
                let allowed = named.as_deref().is_some_and(|authority| {
                    let host = host_of(authority).to_ascii_lowercase();
                    hosts.contains(&host)
                });
                if allowed {
                    next.run(request).await
                } else {
                    (
                        StatusCode::MISDIRECTED_REQUEST,
                        format!(
                            "this local server answers only for {}; open it by one of those names",
                            hosts.join(", ")
                        ),
                    )
                        .into_response()
                }
            }
        },
    ))
}

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
            if let Ok(location) = HeaderValue::from_str(&folder_location(uri.path())) {
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

/// Where `/x` of a folder redirects: `/x/`, always with one leading slash, so that
/// `//evil.example` (which a browser reads as another host) stays on this one.
pub fn folder_location(path: &str) -> String {
    format!("/{}/", path.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_stay_on_this_host() {
        assert_eq!(folder_location("/members"), "/members/");
        assert_eq!(folder_location("//members"), "/members/");
        assert_eq!(folder_location("///evil.example"), "/evil.example/");
    }

    #[test]
    fn the_configured_hosts_are_allowed_besides_loopback() {
        let hosts = local_hosts(&[
            "http://127.0.0.1:8000",
            "https://portal.example.org/x",
            "http://[::1]:1111",
        ]);
        assert_eq!(
            hosts,
            ["127.0.0.1", "localhost", "[::1]", "portal.example.org"]
        );
        assert_eq!(host_of("[::1]:1111"), "[::1]");
        assert_eq!(host_of("localhost:1111"), "localhost");
    }
}
