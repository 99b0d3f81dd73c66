//! Starting `portal serve`: the site's first build, the functions on the embedded store and
//! outbox, a local editor token, the watcher, and a clean stop on Ctrl-C.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use functions::config::{Editor, SystemClock};
use functions::mail::OutboxMailer;
use functions::services::Services;
use generator::live::LiveSite;
use generator::{BuildOptions, ThemeSource};
use jiff::Timestamp;
use sha2::Digest;

use crate::shared::Shared;

pub struct Settings {
    pub content: PathBuf,
    pub theme: ThemeSource,
    pub drafts: bool,
    /// The local store, outbox, secret and editor token.
    pub data: PathBuf,
    /// What counts as now for upcoming and past events, fixed for the whole run.
    pub now: Timestamp,
}

/// Serves until `stop` completes, then finishes the requests under way and returns; the
/// SQLite store commits each change in a transaction, so none is left half-written.
pub async fn run(
    settings: Settings,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    if !settings.content.is_dir() {
        anyhow::bail!(
            "the content folder {} does not exist; run from the project root, or pass --content DIR",
            settings.content.display()
        );
    }
    let address = listener.local_addr()?;
    let origin = format!("http://{address}");
    let shared = Arc::new(Shared::default());

    let mut live = LiveSite::new(BuildOptions {
        content: settings.content.clone(),
        theme: settings.theme.clone(),
        // Nothing is written: the site stays in memory.
        out: PathBuf::from("public"),
        base_url: Some(origin.clone()),
        api_base: Some(origin.clone()),
        drafts: settings.drafts,
        now: settings.now,
    });
    let services = services(&settings, &origin)?;
    let token = editor_token(&settings.data)?;
    let services = Arc::new(with_editor(services, &token));
    // Mail the functions queued (edit and removal links) goes out within a second.
    functions::runtime::spawn_mail_job(Arc::clone(&services), std::time::Duration::from_secs(1));

    crate::watch::rebuild(&mut live, None, &shared, &services);
    let mut folders = vec![settings.content.clone()];
    if let ThemeSource::Folder(theme) = &settings.theme {
        folders.push(theme.clone());
    }
    let canonical: Vec<PathBuf> = folders
        .iter()
        .map(|f| {
            f.canonicalize()
                .with_context(|| format!("{} cannot be watched", f.display()))
        })
        .collect::<Result<_>>()?;
    let (watcher, events) = crate::watch::watch(&canonical)
        .with_context(|| format!("watching {}", settings.content.display()))?;
    let rebuilder = {
        let (shared, services) = (Arc::clone(&shared), Arc::clone(&services));
        let content_root = canonical[0].clone();
        std::thread::spawn(move || {
            crate::watch::rebuild_on_changes(live, content_root, shared, services, events);
        })
    };

    let outbox = settings.data.join("outbox");
    eprintln!(
        "\nportal serve: {origin}/\n  editors' page: {origin}/admin/  (token: {token})\n  mail is not sent: it goes to {} and {origin}/outbox/\n  store: {} (SQLite)\n  watching {} — edits rebuild the site and reload open tabs. Ctrl-C stops.\n",
        outbox.display(),
        settings.data.join("portal.sqlite3").display(),
        folders
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" and "),
    );

    let app = crate::http::router(
        functions::http::app(Arc::clone(&services)),
        Arc::clone(&shared),
        outbox,
    );
    // DNS rebinding: a page elsewhere must not read the outbox through a name of its own.
    let app = functions::http::site::local_hosts_only(
        app,
        functions::http::site::local_hosts(&[&origin]),
    );
    let stopping = Arc::clone(&shared);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop.await;
        // Open tabs hold their notice streams open; end them so the server can stop.
        stopping.stop();
    })
    .await
    .context("serving")?;
    // Stops the watcher, which ends the rebuild thread.
    drop(watcher);
    let _ = rebuilder.join();
    eprintln!("portal serve stopped");
    Ok(())
}

fn services(settings: &Settings, origin: &str) -> Result<Services> {
    let data = &settings.data;
    functions::private_files::private_dir(data)
        .with_context(|| format!("creating {}", data.display()))?;
    let mut config = functions::runtime::config_from_env(data)?;
    config.site_url = origin.to_owned();
    config.api_url = origin.to_owned();
    config.allowed_origins = vec![origin.to_owned()];
    let store = functions::store::sqlite::SqliteStore::open(&data.join("portal.sqlite3"))
        .with_context(|| format!("opening the store in {}", data.display()))?;
    // The content may have mistakes at the start; the functions then know nothing of it
    // until the first good rebuild.
    let catalog = functions::catalog::Catalog::load(&settings.content).unwrap_or_default();
    let sender = format!("{} (portal serve)", catalog.short_title);
    let mailer = OutboxMailer::new(
        data.join("outbox"),
        functions::email::from_mailbox(sender.trim_start(), "no-reply@localhost"),
    );
    Ok(Services::new(
        Arc::new(store),
        Arc::new(mailer),
        config,
        Arc::new(SystemClock),
        catalog,
    ))
}

fn with_editor(mut services: Services, token: &str) -> Services {
    services.config.editors.push(Editor {
        name: "local".into(),
        token_sha256: sha2::Sha256::digest(token.as_bytes()).into(),
    });
    services
}

/// The local editor token in `data/editor-token`, made on the first run and kept private.
pub fn editor_token(data: &Path) -> Result<String> {
    let path = data.join("editor-token");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let token = text.trim();
        if token.len() >= 16 {
            return Ok(token.to_owned());
        }
    }
    let token = functions::tokens::random_id();
    functions::private_files::write_private(&path, format!("{token}\n").as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(token)
}
