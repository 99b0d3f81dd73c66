//! The one origin of `portal serve`: the functions under `/api/`, the outbox at `/outbox/`,
//! live reload at `/__portal/`, and every other path from the site in memory.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use functions::http::page::escape;
use futures_util::Stream;
use generator::live::Output;

use crate::shared::{Notice, Shared};

/// Where the reload script and the notice stream live; no site path starts with it
/// (page slugs are lowercase letters, digits and hyphens).
pub const LIVE_PREFIX: &str = "/__portal";
const LIVE_SCRIPT: &str = include_str!("../assets/live.js");
/// Added before `</body>` of every HTML page served, and never written by `portal build`.
const SCRIPT_TAG: &str = "<script src=\"/__portal/live.js\" defer></script>";

#[derive(Clone)]
struct Site {
    shared: Arc<Shared>,
    outbox: Arc<PathBuf>,
}

/// The whole origin: `functions` (the API routes) beside the site, outbox and live reload.
pub fn router(functions: Router, shared: Arc<Shared>, outbox: PathBuf) -> Router {
    let site = Site {
        shared,
        outbox: Arc::new(outbox),
    };
    let own = Router::new()
        .route("/__portal/live.js", get(script))
        .route("/__portal/events", get(notices))
        .route("/outbox/", get(outbox_page))
        .route("/outbox", get(|| async { redirect("/outbox/") }))
        .fallback(site_file)
        .with_state(site);
    functions.merge(own)
}

async fn script() -> Response {
    let mut response = LIVE_SCRIPT.into_response();
    set(
        &mut response,
        header::CONTENT_TYPE,
        "text/javascript; charset=utf-8",
    );
    set(&mut response, header::CACHE_CONTROL, "no-cache");
    response
}

/// Server-sent events: `problem` (JSON) when the last rebuild failed, `reload` after a good
/// one. The first event says the current state, so a tab opened during a problem shows it.
async fn notices(State(site): State<Site>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = site.shared.subscribe();
    let stopping = site.shared.stopping();
    let first = Some(match site.shared.problem() {
        Some(problem) => problem_event(&problem),
        None => Event::default().event("ok").data("ok"),
    });
    let stream = futures_util::stream::unfold(
        (first, receiver, stopping),
        |(first, mut receiver, mut stopping)| async move {
            if let Some(event) = first {
                return Some((Ok(event), (None, receiver, stopping)));
            }
            loop {
                if *stopping.borrow() {
                    return None;
                }
                tokio::select! {
                    notice = receiver.recv() => {
                        let event = match notice {
                            Ok(Notice::Reload) => Event::default().event("reload").data("reload"),
                            Ok(Notice::Problem(problem)) => problem_event(&problem),
                            // Missed notices: the page is out of date either way.
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                                Event::default().event("reload").data("reload")
                            }
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                        };
                        return Some((Ok(event), (None, receiver, stopping)));
                    }
                    changed = stopping.changed() => {
                        if changed.is_err() {
                            return None;
                        }
                    }
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn problem_event(problem: &crate::problem::Problem) -> Event {
    let json = serde_json::to_string(problem).unwrap_or_else(|_| "{}".into());
    Event::default().event("problem").data(json)
}

async fn outbox_page(State(site): State<Site>) -> Response {
    let page = crate::outbox::page(&site.outbox);
    let mut response = Html(inject(&page)).into_response();
    set(&mut response, header::CACHE_CONTROL, "no-store");
    response
}

fn set(response: &mut Response, name: header::HeaderName, value: &'static str) {
    response
        .headers_mut()
        .insert(name, HeaderValue::from_static(value));
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The page with the reload script before `</body>` (or at the end).
fn inject(html: &str) -> String {
    match html.rfind("</body>") {
        Some(at) => format!("{}{SCRIPT_TAG}\n{}", &html[..at], &html[at..]),
        None => format!("{html}{SCRIPT_TAG}\n"),
    }
}

/// Serves a site path as a static host does: `/x/` is `x/index.html`, `/x` redirects to
/// `/x/` when that is a folder, anything else is the site's 404 page with status 404.
async fn site_file(State(site): State<Site>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let files = site.shared.files();
    if files.is_empty() {
        return first_build_failed(&site.shared);
    }
    let Ok(decoded) = percent_encoding::percent_decode_str(uri.path()).decode_utf8() else {
        return not_found(&files);
    };
    let relative = decoded.trim_start_matches('/');
    let wanted = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_owned()
    };
    if let Some(output) = files.get(wanted.as_str()) {
        return file_response(StatusCode::OK, &wanted, output);
    }
    if files.contains_key(format!("{relative}/index.html").as_str()) {
        return redirect(&functions::http::site::folder_location(uri.path()));
    }
    not_found(&files)
}

fn not_found(files: &generator::live::Files) -> Response {
    match files.get("404.html") {
        Some(output) => file_response(StatusCode::NOT_FOUND, "404.html", output),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn file_response(status: StatusCode, name: &str, output: &Output) -> Response {
    let content_type = functions::http::site::content_type(Path::new(name));
    let bytes = match output.read() {
        Ok(bytes) => bytes,
        Err(error) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot read {name}: {error}"),
            )
                .into_response();
        }
    };
    let mut response = if content_type.starts_with("text/html") {
        (status, inject(&String::from_utf8_lossy(&bytes))).into_response()
    } else {
        (status, bytes.to_vec()).into_response()
    };
    set(&mut response, header::CONTENT_TYPE, content_type);
    set(&mut response, header::CACHE_CONTROL, "no-cache");
    response
}

/// Before any good build there is no site to keep serving: a page with the problem, which
/// reloads once it is fixed.
fn first_build_failed(shared: &Shared) -> Response {
    let problem = shared.problem();
    let mut list = String::new();
    for item in problem.iter().flat_map(|p| p.items.iter()) {
        list.push_str(&format!(
            "<li><code>{}:{}</code> {}{}</li>",
            escape(&item.file),
            item.line,
            escape(&item.message),
            item.hint
                .as_ref()
                .map(|h| format!("<br><small>{}</small>", escape(h)))
                .unwrap_or_default()
        ));
    }
    let summary = problem
        .as_ref()
        .map(|p| p.summary.clone())
        .unwrap_or_else(|| "the site is being built".into());
    let page = format!(
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>portal serve</title></head><body><h1>サイトを作れませんでした</h1><p>{}</p><ul>{list}</ul><p>ファイルを直すと自動で再読み込みします。</p></body></html>",
        escape(&summary)
    );
    let mut response = (StatusCode::INTERNAL_SERVER_ERROR, Html(inject(&page))).into_response();
    set(&mut response, header::CACHE_CONTROL, "no-store");
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        assert_eq!(
            inject("<html><body><p>x</p></body></html>"),
            format!("<html><body><p>x</p>{SCRIPT_TAG}\n</body></html>")
        );
        assert_eq!(inject("plain"), format!("plain{SCRIPT_TAG}\n"));
    }
}
