//! `portal serve` over HTTP: the site and the functions on one origin, an edit served
//! without a restart, a content error shown to open tabs while the last good site stays,
//! and a clean stop with a tab still listening.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use portal_tests::{copy_dir, now, root};

struct Server {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: std::sync::mpsc::Receiver<Result<(), String>>,
    content: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        copy_dir(&root().join("content"), &content);
        let settings = portal_serve::start::Settings {
            content: content.clone(),
            theme: generator::ThemeSource::Folder(root().join("themes/default")),
            drafts: false,
            data: dir.path().join("data"),
            now: now(),
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (finished, done) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let result = runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                portal_serve::start::run(settings, listener, async {
                    let _ = stopped.await;
                })
                .await
            });
            let _ = finished.send(result.map_err(|e| format!("{e:#}")));
        });
        Server {
            port,
            stop: Some(stop),
            done,
            content,
            _dir: dir,
        }
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        self.get_as(&format!("127.0.0.1:{}", self.port), path)
    }

    /// A GET that names `host` in its Host header, as a browser does for the name it used.
    fn get_as(&self, host: &str, path: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_owned(), body.to_owned())
    }

    /// Waits until `path` answers with a body for which `done` holds.
    fn wait_for(&self, path: &str, done: impl Fn(u16, &str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let (status, _, body) = self.get(path);
            if done(status, &body) {
                return body;
            }
            assert!(Instant::now() < deadline, "{path} never changed: {status}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.content.join(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{relative} has no `{from}`");
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    }
}

/// An open tab's notice stream.
struct Notices {
    stream: TcpStream,
    seen: String,
}

impl Notices {
    fn open(port: u16) -> Notices {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        write!(
            stream,
            "GET /__portal/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        Notices {
            stream,
            seen: String::new(),
        }
    }

    /// Reads until the stream has said `what` (after what was read before), returning the
    /// text read since.
    fn until(&mut self, what: &str) -> String {
        let mut buffer = [0u8; 4096];
        loop {
            if let Some(at) = self.seen.find(what) {
                let end = at + what.len();
                let rest = self.seen.split_off(end);
                return std::mem::replace(&mut self.seen, rest);
            }
            let read = self
                .stream
                .read(&mut buffer)
                .expect("the stream stays open");
            assert!(read > 0, "the stream ended; read: {}", self.seen);
            self.seen
                .push_str(&String::from_utf8_lossy(&buffer[..read]));
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn serves_edits_shows_problems_and_stops_cleanly() {
    let mut server = Server::start();
    let (status, head, home) = server.get("/");
    assert_eq!(status, 200, "{head}");
    assert!(home.contains("<script src=\"/__portal/live.js\" defer></script>\n</body>"));
    let (status, head, script) = server.get("/__portal/live.js");
    assert_eq!(status, 200);
    assert!(head.contains("text/javascript"), "{head}");
    assert!(script.contains("EventSource"));
    // The functions answer on the same origin.
    let (status, _, form) = server.get("/api/members/new");
    assert_eq!(status, 200);
    assert!(form.contains("<form"), "{form}");
    let (status, _, outbox) = server.get("/outbox/");
    assert_eq!(status, 200);
    assert!(outbox.contains("送信箱"));
    assert_eq!(server.get("/members").0, 308);
    assert_eq!(server.get("/no-such-page/").0, 404);

    let mut notices = Notices::open(server.port);
    notices.until("event: ok");

    // An edit is served without a restart, and open tabs are told to reload.
    server.edit("members/abe-kaori.md", "統計データ", "人口統計データ");
    notices.until("event: reload");
    let page = server.wait_for("/members/abe-kaori/", |_, body| {
        body.contains("人口統計データ")
    });
    assert!(page.contains("/__portal/live.js"));

    // A content error: the tab is shown where and what; the last good site stays.
    server.edit("members/abe-kaori.md", "sector: private", "sector: privat");
    notices.until("event: problem");
    let problem = notices.until("\n\n");
    assert!(problem.contains("abe-kaori.md"), "{problem}");
    assert!(problem.contains("\"line\":4"), "{problem}");
    assert!(problem.contains("did you mean `private`?"), "{problem}");
    let (status, _, page) = server.get("/members/abe-kaori/");
    assert_eq!(status, 200);
    assert!(page.contains("人口統計データ"));

    // Fixed: served again, tabs reload.
    server.edit(
        "members/abe-kaori.md",
        "sector: privat",
        "sector: local-gov",
    );
    notices.until("event: reload");
    server.wait_for("/sectors/local-gov/", |_, body| body.contains("阿部"));

    // A new file makes a page and joins the directory; deleting it takes both away.
    std::fs::write(
        server.content.join("members/arai-ichiro.md"),
        "---\nname: 新井 一郎\nkana: あらい いちろう\nsector: national-gov\njoined: 2026-11-24\n---\nはじめまして。\n",
    )
    .unwrap();
    server.wait_for("/members/arai-ichiro/", |status, _| status == 200);
    assert!(server.get("/members/").2.contains("新井 一郎"));
    std::fs::remove_file(server.content.join("members/arai-ichiro.md")).unwrap();
    server.wait_for("/members/arai-ichiro/", |status, _| status == 404);
    assert!(!server.get("/members/").2.contains("新井 一郎"));
    assert!(read(&server.content.join("members/abe-kaori.md")).contains("local-gov"));

    // Ctrl-C (here: the stop signal) with a tab still listening: the server stops.
    let started = Instant::now();
    let _ = server.stop.take().map(|stop| stop.send(()));
    let result = server
        .done
        .recv_timeout(Duration::from_secs(10))
        .expect("the server stops with a tab open");
    assert_eq!(result, Ok(()));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(TcpStream::connect(("127.0.0.1", server.port)).is_err());
}

/// DNS rebinding: a page on another site points a name it owns at 127.0.0.1 and reads what
/// this server answers. The server answers only for its own names, and a path that a
/// browser would read as another host never becomes a redirect there.
#[test]
fn answers_only_for_its_own_names_and_redirects_stay_on_this_host() {
    let server = Server::start();
    let (status, _, _) = server.get_as("rebind.attacker.example", "/outbox/");
    assert_eq!(status, 421);
    let (status, _, _) = server.get_as(&format!("rebind.attacker.example:{}", server.port), "/");
    assert_eq!(status, 421);
    let (status, _, body) = server.get_as(&format!("localhost:{}", server.port), "/outbox/");
    assert_eq!(status, 200, "{body}");
    let (status, head, _) = server.get("//members");
    assert_eq!(status, 308, "{head}");
    let location = head.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("location: ")
            .map(str::to_owned)
    });
    assert_eq!(location.as_deref(), Some("/members/"), "{head}");
}
