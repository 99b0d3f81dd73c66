//! What the HTTP tests share: a harness with the real SQLite store, the real outbox and
//! a fixed clock; request builders; a store that is down.
#![allow(dead_code)]

mod down_store;
// Not every test binary uses it (the logs test has none).
#[allow(unused_imports)]
pub use down_store::DownStore;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use functions::catalog::Catalog;
use functions::config::{Config, FixedClock};
use functions::http::app;
use functions::mail::OutboxMailer;
use functions::services::Services;
use functions::store::Submissions;
use functions::store::sqlite::SqliteStore;
use functions::store::{Status, Store, Submission};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The bearer token of the test editor `sato`.
pub const EDITOR_TOKEN: &str = "editor-token-of-sato";

/// What a request got: the status, the headers and the body as text.
pub type Reply = (StatusCode, axum::http::HeaderMap, String);

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub services: Arc<Services>,
    pub clock: Arc<FixedClock>,
    pub store: Arc<SqliteStore>,
}

impl Harness {
    pub fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("data/portal.sqlite3")).unwrap());
        Harness::with_store(dir, store.clone(), store)
    }

    pub fn with_store(
        dir: tempfile::TempDir,
        store: Arc<dyn Store>,
        sqlite: Arc<SqliteStore>,
    ) -> Harness {
        let mailer = Arc::new(OutboxMailer::new(
            dir.path().join("outbox"),
            "portal@example.org",
        ));
        Harness::with_parts(dir, store, sqlite, mailer)
    }

    /// A harness whose mail service fails while the returned switch is on.
    pub fn with_mail_outage() -> (Harness, Arc<std::sync::atomic::AtomicBool>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("data/portal.sqlite3")).unwrap());
        let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mailer = Arc::new(FlakyMailer {
            inner: OutboxMailer::new(dir.path().join("outbox"), "portal@example.org"),
            down: Arc::clone(&down),
        });
        (Harness::with_parts(dir, store.clone(), store, mailer), down)
    }

    /// A harness whose functions trust the proxy that signs with `secret` (see
    /// functions::proxy); `required` is the production setting.
    pub fn behind_proxy(secret: &[u8], required: bool) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("data/portal.sqlite3")).unwrap());
        let mailer = Arc::new(OutboxMailer::new(
            dir.path().join("outbox"),
            "portal@example.org",
        ));
        let config = test_config().behind_proxy(secret, required);
        Harness::with_parts_and_config(dir, store.clone(), store, mailer, config)
    }

    /// A harness whose settings `change` adjusts (a lower mail ceiling, say).
    pub fn with_config(change: impl FnOnce(Config) -> Config) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("data/portal.sqlite3")).unwrap());
        let mailer = Arc::new(OutboxMailer::new(
            dir.path().join("outbox"),
            "portal@example.org",
        ));
        let config = change(test_config());
        Harness::with_parts_and_config(dir, store.clone(), store, mailer, config)
    }

    fn with_parts(
        dir: tempfile::TempDir,
        store: Arc<dyn Store>,
        sqlite: Arc<SqliteStore>,
        mailer: Arc<dyn functions::mail::Mailer>,
    ) -> Harness {
        Harness::with_parts_and_config(dir, store, sqlite, mailer, test_config())
    }

    fn with_parts_and_config(
        dir: tempfile::TempDir,
        store: Arc<dyn Store>,
        sqlite: Arc<SqliteStore>,
        mailer: Arc<dyn functions::mail::Mailer>,
        config: Config,
    ) -> Harness {
        let clock = Arc::new(FixedClock::new("2026-11-25T03:00:00Z".parse().unwrap()));
        let catalog =
            Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")).unwrap();
        let services = Arc::new(Services::new(store, mailer, config, clock.clone(), catalog));
        Harness {
            dir,
            services,
            clock,
            store: sqlite,
        }
    }

    pub fn clock_now(&self) -> jiff::Timestamp {
        use functions::config::Clock;
        self.clock.now()
    }

    /// Runs the mail job once, as the `jobs` function (or the local timer) does: sends
    /// what the functions queued, such as edit and removal links.
    pub async fn deliver(&self) {
        self.services.mail_queue.retry(1000).await.unwrap();
    }

    pub fn outbox(&self) -> Vec<String> {
        OutboxMailer::new(self.dir.path().join("outbox"), "").messages()
    }

    /// Sends a request as the local server would receive it: from a socket peer, by default
    /// 203.0.113.7 (see `from_client`).
    pub async fn send(&self, mut request: Request<Body>) -> Reply {
        if request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_none()
        {
            request.extensions_mut().insert(peer("203.0.113.7"));
        }
        let response = app(self.services.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&body).into_owned();
        save_html(&headers, &text);
        (status, headers, text)
    }

    /// GET `path` from the default client.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// POST `body` (of `content_type`) to `path` from the default client.
    pub async fn post(&self, path: &str, content_type: &str, body: &str) -> Reply {
        self.send(post(path, content_type, "203.0.113.7", body))
            .await
    }

    /// POST `body` (of `content_type`) to `path` from the client address `client`.
    pub async fn post_from(
        &self,
        client: &str,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> Reply {
        self.send(post(path, content_type, client, body)).await
    }

    /// GET `path` as the editor (with the editor's bearer token).
    pub async fn editor_get(&self, path: &str) -> Reply {
        self.send(as_editor(Request::get(path)).body(Body::empty()).unwrap())
            .await
    }

    /// POST to `path` as the editor, with `json` as the body (none when empty).
    pub async fn editor_post(&self, path: &str, json: &str) -> Reply {
        let request = as_editor(Request::post(path));
        let request = if json.is_empty() {
            request.body(Body::empty())
        } else {
            request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_owned()))
        };
        self.send(request.unwrap()).await
    }

    /// Serves the form and returns its fill-time stamp, then lets 5 seconds pass.
    pub async fn form_token(&self) -> String {
        let (status, _, html) = self
            .send(
                Request::get("/api/members/new")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        self.clock.advance(5);
        let marker = "name=\"form_token\" value=\"";
        let start = html.find(marker).expect("a form stamp") + marker.len();
        html[start..].split('"').next().unwrap().to_owned()
    }
}

/// yamada-hanako (published in the sample content) signed up with this address.
pub const HANAKO: &str = "hanako@example.jp";

/// The store as it is once yamada-hanako's sign-up was approved and exported: it knows the
/// address her profile was submitted with, which alone may act on her profile.
pub async fn published_member(h: &Harness) {
    published_as(h, "yamada-hanako", HANAKO).await;
}

/// The store as it is once member `slug` (published in the sample content) signed up with
/// `email` and was approved and exported.
pub async fn published_as(h: &Harness, slug: &str, email: &str) {
    let now = h.clock_now();
    let id = format!("profile-{slug}");
    let s = Submission::pending(
        id.clone(),
        functions::store::SubmissionKind::Profile,
        slug.into(),
        email.into(),
        "iphash".into(),
        now,
        3600,
    );
    h.store.create_submission(&s).await.unwrap();
    h.store.confirm_submission(&id, now).await.unwrap();
    h.store
        .decide(&id, Status::Approved, "sato", None, now)
        .await
        .unwrap();
    assert!(h.store.mark_exported(&id, now).await.unwrap());
}

fn test_config() -> Config {
    Config::local(b"test secret").with_editor("sato", EDITOR_TOKEN)
}

pub fn form_post(body: &str) -> Request<Body> {
    Request::post("/api/members")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// A JSON sign-up as an API client sends it: with a fresh stamp from
/// `GET /api/members/new` (Accept: application/json), sent 5 seconds later. A body that is
/// not a JSON object is sent as it is.
impl Harness {
    pub async fn json_post(&self, body: &str) -> Request<Body> {
        let Ok(serde_json::Value::Object(mut fields)) = serde_json::from_str(body) else {
            return json_post_unstamped(body);
        };
        if !fields.contains_key("form_token") {
            fields.insert("form_token".into(), self.json_stamp().await.into());
        }
        json_post_unstamped(&serde_json::Value::Object(fields).to_string())
    }

    /// A stamp for a JSON sign-up, then 5 seconds pass.
    pub async fn json_stamp(&self) -> String {
        let stamp = self.fresh_stamp().await;
        self.clock.advance(5);
        stamp
    }

    /// `body` (a JSON object or a urlencoded form) with a fresh form stamp, then 5 seconds
    /// pass: every public form that mails someone needs one (event sign-ups, edit and
    /// removal links, as the join form).
    pub async fn stamped(&self, content_type: &str, body: &str) -> String {
        let stamp = self.json_stamp().await;
        if content_type.starts_with("application/json") {
            let serde_json::Value::Object(mut fields) = serde_json::from_str(body).unwrap() else {
                panic!("a JSON object: {body}");
            };
            fields.insert("form_token".into(), stamp.into());
            serde_json::Value::Object(fields).to_string()
        } else {
            format!("{body}&form_token={stamp}")
        }
    }

    /// A stamp for a JSON sign-up, just served.
    pub async fn fresh_stamp(&self) -> String {
        let (status, _, text) = self
            .send(
                Request::get("/api/members/new")
                    .header(header::ACCEPT, "application/json")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let answer: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        answer["form_token"].as_str().expect("a stamp").to_owned()
    }
}

impl Harness {
    /// Opens a mailed confirmation link as a person does: the page (which must change
    /// nothing and carry a button), then the button's post. Returns the post's answer.
    pub async fn confirm(&self, link: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let (status, _, page) = self
            .send(Request::get(link).body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            page.contains("<form method=\"post\" action=\"/api/confirm\">"),
            "{page}"
        );
        let token = link.split("token=").nth(1).expect("a token in the link");
        self.send(
            Request::post("/api/confirm")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("token={token}")))
                .unwrap(),
        )
        .await
    }
}

impl Harness {
    /// The last mail to `email` that holds `needle`.
    pub fn mail_to(&self, email: &str, needle: &str) -> String {
        self.outbox()
            .into_iter()
            .rev()
            .find(|m| m.contains(&format!("To: {email}")) && m.contains(needle))
            .unwrap_or_else(|| panic!("no mail to {email} with {needle}"))
    }

    /// An event sign-up as a person makes it: the post (answered 202, with a mail), then
    /// the mailed link's page and its button. Returns the button's answer.
    pub async fn event_signup(
        &self,
        event: &str,
        client: &str,
        content_type: &str,
        body: &str,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let path = format!("/api/events/{event}/signups");
        let body = self.stamped(content_type, body).await;
        let (status, _, text) = self.send(post(&path, content_type, client, &body)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{text}");
        let marker = format!("/api/events/{event}/confirm?token=");
        let mail = self
            .outbox()
            .into_iter()
            .rev()
            .find(|m| m.contains(&marker))
            .expect("a confirmation mail");
        let link = link_in(&mail, &marker);
        let (status, _, page) = self
            .send(Request::get(&link).body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let token = link.split("token=").nth(1).expect("a token");
        // The button answers in the format the sign-up was made in.
        let confirm = if content_type.starts_with("application/json") {
            format!(r#"{{"token":"{token}"}}"#)
        } else {
            format!("token={token}")
        };
        self.send(post(
            &format!("/api/events/{event}/confirm"),
            content_type,
            client,
            &confirm,
        ))
        .await
    }
}

/// A JSON sign-up without a stamp (an API client that did not ask for one).
pub fn json_post_unstamped(body: &str) -> Request<Body> {
    Request::post("/api/members")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// A complete, valid join form carrying the fill-time stamp `token`.
pub fn valid_form(token: &str) -> String {
    serde_urlencoded::to_string([
        ("name", "山田 花子"),
        ("kana", "やまだ はなこ"),
        ("sector", "local-gov"),
        ("organization", "横浜市役所"),
        ("prefecture", "kanagawa"),
        ("interests", "防災\r\n観光"),
        ("links.website", "https://example.org/hanako"),
        ("bio", "よろしくお願いします。"),
        ("email", "Hanako@Example.jp"),
        ("consent", "yes"),
        ("homepage", ""),
        ("form_token", token),
    ])
    .unwrap()
}

/// Keeps every HTML page the functions answer with in `PORTAL_HTML_OUT`, if set, so that
/// scripts/test can run them through the Nu HTML Checker.
fn save_html(headers: &axum::http::HeaderMap, text: &str) {
    let Some(dir) = std::env::var_os("PORTAL_HTML_OUT") else {
        return;
    };
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_html {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        let dir = std::path::PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{:016x}.html", hasher.finish())), text);
    }
}

/// A request with the editor's bearer token.
pub fn as_editor(request: axum::http::request::Builder) -> axum::http::request::Builder {
    request.header(header::AUTHORIZATION, format!("Bearer {EDITOR_TOKEN}"))
}

/// A request with a body of the given content type from the given client address.
pub fn post(path: &str, content_type: &str, client: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .extension(peer(client))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// The socket peer a request comes from: the only client address the functions trust locally.
pub fn peer(ip: &str) -> ConnectInfo<SocketAddr> {
    ConnectInfo(SocketAddr::new(ip.parse().expect("an IP address"), 40000))
}

/// The first line of a mail that holds `needle`, as a path on the functions' host.
pub fn link_in(mail: &str, needle: &str) -> String {
    mail.lines()
        .find(|l| l.contains(needle))
        .expect("a link")
        .trim()
        .trim_start_matches("http://127.0.0.1:8787")
        .to_owned()
}

/// The outbox, unless the switch says the mail service is down.
pub struct FlakyMailer {
    inner: OutboxMailer,
    down: Arc<std::sync::atomic::AtomicBool>,
}

#[async_trait]
impl functions::mail::Mailer for FlakyMailer {
    async fn send(
        &self,
        message: &functions::mail::Message,
    ) -> Result<(), functions::mail::MailError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(functions::mail::MailError(
                "the mail service is down".into(),
            ));
        }
        self.inner.send(message).await
    }
}

pub struct LogWriter(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
