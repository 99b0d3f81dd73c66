//! HTTP mapping only: requests to service calls, results to responses. Each function is an
//! axum `Router`; the same router serves on AWS Lambda and locally.

pub mod announce;
pub mod edit;
pub mod events;
pub mod extract;
pub mod introductions;
pub mod members;
pub mod moderation;
pub mod page;
mod refusal;
pub mod site;

use std::sync::Arc;

pub use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use http_body_util::BodyExt;

use crate::services::Services;
use model::profile::FormFields;

pub use extract::{ClientIp, Editor, FormPost, MultipartPost, ProfilePost};

/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// The largest sign-up with a photo: the photo, and the text fields as any post.
pub const MAX_BODY_WITH_PHOTO: usize = crate::photo::MAX_UPLOAD_BYTES + MAX_BODY;

pub type SharedServices = Arc<Services>;

/// Every route of every function, for local runs.
pub fn app(services: SharedServices) -> Router {
    let routes = members::routes()
        .merge(edit::routes())
        .merge(introductions::routes())
        .merge(events::routes())
        .merge(announce::routes())
        .merge(moderation::routes())
        .with_state(SharedServices::clone(&services));
    with_edge(routes, &services)
}

/// The moderation function alone (one Lambda).
pub fn moderation_app(services: SharedServices) -> Router {
    let routes = moderation::routes().with_state(SharedServices::clone(&services));
    with_edge(routes, &services)
}

/// The event function alone (one Lambda): sign-ups and announcements.
pub fn events_app(services: SharedServices) -> Router {
    let routes = events::routes()
        .merge(announce::routes())
        .with_state(SharedServices::clone(&services));
    with_edge(routes, &services)
}

/// The member function alone (one Lambda): sign-ups, profile edits and introductions.
pub fn members_app(services: SharedServices) -> Router {
    let routes = members::routes()
        .merge(edit::routes())
        .merge(introductions::routes())
        .with_state(SharedServices::clone(&services));
    with_edge(routes, &services)
}

/// How the client wants its answers: a browser form gets HTML, an API client JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Form,
    Json,
}

/// A request error with a message people can act on.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub format: Format,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>, format: Format) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            format,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        match self.format {
            Format::Json => {
                json_response(self.status, &serde_json::json!({ "error": self.message }))
            }
            Format::Form => {
                // Drawn with the site's name by `name_error_pages`, which knows the site.
                let mut response = page::message_page(self.status, "エラー", &self.message);
                response.extensions_mut().insert(ErrorPage(self.message));
                response
            }
        }
    }
}

pub fn json_response(status: StatusCode, value: &serde_json::Value) -> axum::response::Response {
    let mut response = (status, value.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The format a request asks for, from its Content-Type (and Accept for GETs).
pub fn format_of(headers: &HeaderMap) -> Format {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json")
        || (content_type.is_empty() && accept.contains("application/json"))
    {
        Format::Json
    } else {
        Format::Form
    }
}

/// Reads a form or JSON body into fields: at most 64 KiB (413), a known content type (415),
/// UTF-8 (400). JSON values may be strings, or lists of strings (joined by line breaks).
/// [`read_fields`] for the sign-up, which may also come as `multipart/form-data` (the join
/// form with a photo): text fields as a form's, plus the bytes of the file `photo` when one
/// was chosen. Any other file, a second photo or more than 64 KiB of text is refused.
pub async fn read_fields_and_photo(
    request: Request<Body>,
    limit: usize,
) -> Result<(Format, FormFields, Option<Vec<u8>>), ApiError> {
    let is_multipart = (request.headers().get(header::CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        let (format, fields) = read_fields(request).await?;
        return Ok((format, fields, None));
    }
    // A browser's multipart post is answered as its plain form post is, unless the page's
    // script asks for JSON.
    let wants_json = (request.headers().get(header::ACCEPT))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let format = if wants_json {
        Format::Json
    } else {
        Format::Form
    };
    let refuse = |status: StatusCode, message: &str| ApiError::new(status, message, format);
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            if limit > MAX_BODY {
                "the sign-up is larger than 4 MB with its photo; choose a smaller photo"
            } else {
                "the request is larger than 64 KiB; shorten the text"
            },
        )
    };
    let malformed = || refuse(StatusCode::BAD_REQUEST, "the form data is malformed");
    let declared = (request.headers().get(header::CONTENT_LENGTH))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    // Read whole first, so that a body over the limit is told apart from a malformed one.
    let (parts, body) = request.into_parts();
    let bytes = http_body_util::Limited::new(body, limit)
        .collect()
        .await
        .map_err(|_| too_large())?
        .to_bytes();
    let request = Request::from_parts(parts, Body::from(bytes));
    let mut multipart =
        <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
            .await
            .map_err(|_| malformed())?;
    let mut fields = FormFields::new();
    let mut photo: Option<Vec<u8>> = None;
    let mut text_bytes = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(malformed()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field.file_name().is_some();
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                malformed()
            }
        })?;
        if name == crate::form::PHOTO && is_file {
            if photo.is_some() {
                return Err(refuse(StatusCode::BAD_REQUEST, "send one photo"));
            }
            // A file input left empty still sends an empty part.
            if !bytes.is_empty() {
                photo = Some(bytes.to_vec());
            }
            continue;
        }
        if is_file {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "only the field `photo` may be a file",
            ));
        }
        text_bytes += bytes.len();
        if text_bytes > MAX_BODY {
            return Err(refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request is larger than 64 KiB; shorten the text",
            ));
        }
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
            refuse(
                StatusCode::BAD_REQUEST,
                "the request is not valid UTF-8; send text as UTF-8",
            )
        })?;
        // A field sent more than once (several interests) keeps every value, one per line.
        match fields.get_mut(&name) {
            Some(earlier) => {
                earlier.push('\n');
                earlier.push_str(&text);
            }
            None => {
                fields.insert(name, text);
            }
        }
    }
    Ok((format, fields, photo))
}

pub async fn read_fields(request: Request<Body>) -> Result<(Format, FormFields), ApiError> {
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = if content_type.starts_with("application/json") {
        Format::Json
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        Format::Form
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the form as application/x-www-form-urlencoded or application/json",
            format_of(&parts.headers),
        ));
    };
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request is larger than 64 KiB; shorten the text",
            format,
        )
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let bytes = http_body_util::Limited::new(body, MAX_BODY)
        .collect()
        .await
        .map_err(|_| too_large())?
        .to_bytes();
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "the request is not valid UTF-8; send text as UTF-8",
            format,
        )
    })?;
    let fields = match format {
        Format::Form => {
            let pairs = decode_form(text)
                .map_err(|problem| ApiError::new(StatusCode::BAD_REQUEST, problem, format))?;
            let mut fields = FormFields::new();
            // A field sent more than once (several interests) keeps every value, one per line.
            for (name, value) in pairs {
                match fields.get_mut(&name) {
                    Some(earlier) => {
                        earlier.push('\n');
                        earlier.push_str(&value);
                    }
                    None => {
                        fields.insert(name, value);
                    }
                }
            }
            fields
        }
        Format::Json => {
            let UniqueObject(object) = serde_json::from_str(text).map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("the JSON is malformed: {e}"),
                    format,
                )
            })?;
            let mut fields = FormFields::new();
            for (name, value) in object {
                let text = match value {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Bool(b) => b.to_string(),
                    serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => items
                        .iter()
                        .filter_map(|i| i.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    serde_json::Value::Null => continue,
                    _ => {
                        return Err(ApiError::new(
                            StatusCode::BAD_REQUEST,
                            format!("`{name}` must be text or a list of texts"),
                            format,
                        ));
                    }
                };
                fields.insert(name, text);
            }
            fields
        }
    };
    Ok((format, fields))
}

/// Decodes an `application/x-www-form-urlencoded` body strictly: a name or value whose
/// percent-escapes decode to bytes that are not UTF-8 (`%FF%FE`) is refused, as the same
/// bytes sent raw are, instead of being stored as U+FFFD.
fn decode_form(text: &str) -> Result<Vec<(String, String)>, &'static str> {
    let decode = |part: &str| -> Result<String, &'static str> {
        let spaced = part.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8()
            .map(|text| text.into_owned())
            .map_err(|_| "the form data is not valid UTF-8 once its %-escapes are decoded; send text as UTF-8")
    };
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(name)?, decode(value)?))
        })
        .collect()
}

/// A JSON object whose keys are all different: `{"email": "a", "email": "b"}` is refused,
/// as a form field sent twice where one value is expected is, instead of keeping the last.
struct UniqueObject(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for UniqueObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = UniqueObject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object of fields")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<UniqueObject, A::Error> {
                let mut seen = std::collections::BTreeSet::new();
                let mut fields = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    if !seen.insert(name.clone()) {
                        return Err(serde::de::Error::custom(format!(
                            "the key `{name}` appears twice; send each field once"
                        )));
                    }
                    fields.push((name, map.next_value()?));
                }
                Ok(UniqueObject(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// The `token` a mailed link's button posts, with the format to answer in.
pub async fn read_token(request: Request<Body>) -> Result<(Format, String), ApiError> {
    let format = format_of(request.headers());
    let (format, fields) = read_fields(request)
        .await
        .map_err(|error| ApiError { format, ..error })?;
    Ok((format, fields.get("token").cloned().unwrap_or_default()))
}

/// The `?token=` of a link from a mail.
#[derive(serde::Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

/// Browsers send Origin on posts; one that is not the portal's is refused (403), and so is
/// a post without an Origin that a browser marks as sent from another site
/// (`Sec-Fetch-Site: cross-site`). API clients send neither.
pub fn check_origin(
    headers: &HeaderMap,
    services: &Services,
    format: Format,
) -> Result<(), ApiError> {
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site.eq_ignore_ascii_case("cross-site"));
    // With an Origin, the list of allowed origins decides (the functions may be served from
    // another site than the pages, on purpose).
    if cross_site && headers.get(header::ORIGIN).is_none() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "posts are accepted only from the portal's own pages",
            format,
        ));
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin)
            if !services
                .config
                .allowed_origins
                .iter()
                .any(|allowed| allowed == origin) =>
        {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "posts are accepted only from the portal's own pages",
                format,
            ))
        }
        _ => Ok(()),
    }
}

/// Security headers on every response: a static host's header rules do not reach
/// responses from the functions. The stylesheet may come from the portal itself.
async fn security_headers(
    axum::extract::State(policy): axum::extract::State<HeaderValue>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> Response<Body> {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        // Not "no-referrer": under it browsers send `Origin: null` with the form posts of
        // these very pages (the join form shown again, the confirmation buttons), and the
        // origin check refuses them. "same-origin" still tells other sites nothing.
        ("referrer-policy", "same-origin"),
        ("strict-transport-security", "max-age=31536000"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Nothing is cached unless the handler says so (a public list for a minute): answers
    // carry personal pages, links and stamps.
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert("content-security-policy", policy);
    response
}

/// An error page an extractor or handler answered without knowing the site: its message.
#[derive(Clone)]
struct ErrorPage(String);

/// Draws error pages again with the site's name (an `ApiError` is made where the site is
/// not at hand: body limits, the origin check).
async fn name_error_pages(
    axum::extract::State(services): axum::extract::State<SharedServices>,
    mut response: axum::response::Response,
) -> axum::response::Response {
    match response.extensions_mut().remove::<ErrorPage>() {
        Some(ErrorPage(message)) => {
            page::site_message_page(response.status(), &services.site(), "エラー", &message)
        }
        None => response,
    }
}

/// What every function does before its routes: the proxy check (outermost), then the
/// security headers on every answer, and error pages with the site's name.
fn with_edge(routes: Router, services: &SharedServices) -> Router {
    let routes = routes.layer(axum::middleware::map_response_with_state(
        SharedServices::clone(services),
        name_error_pages,
    ));
    with_security_headers(routes, services).layer(axum::middleware::from_fn_with_state(
        SharedServices::clone(services),
        extract::proxy_guard,
    ))
}

/// Wraps a router with the security headers.
pub fn with_security_headers(router: Router, services: &Services) -> Router {
    let site = services.config.site_url.trim_end_matches('/');
    let policy = format!(
        "default-src 'none'; style-src 'self' {site}; img-src 'self' {site}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    let policy = HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    router.layer(axum::middleware::from_fn_with_state(
        policy,
        security_headers,
    ))
}
