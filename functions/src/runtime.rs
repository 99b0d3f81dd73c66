//! Starting a function: settings from the environment, the store and mailer they name, and
//! serving a router on AWS Lambda or locally with the same handler code.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;

use crate::catalog::Catalog;
use crate::config::{Config, Editor, SystemClock};
use crate::mail::{Mailer, OutboxMailer};
use crate::private_files::{private_dir, write_private};
use crate::services::Services;
use crate::store::Store;

/// What can stop a function from starting, said so that an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{name}: {problem}")]
    Setting { name: &'static str, problem: String },
    #[error("cannot read the content for the catalog: {0}")]
    Catalog(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn setting(name: &'static str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The folder for the local store, outbox and secret (`PORTAL_DATA`, default `data`).
pub fn data_dir() -> PathBuf {
    setting("PORTAL_DATA").map_or_else(|| PathBuf::from("data"), PathBuf::from)
}

/// Settings from the environment:
/// - `PORTAL_SECRET`: signs links and salts IP hashes (locally, a random one is kept in the data folder);
/// - `PORTAL_SITE_URL`, `PORTAL_API_URL`, `PORTAL_ALLOWED_ORIGINS` (comma-separated);
/// - `PORTAL_EDITORS`: `name:sha256-hex-of-token,...`;
/// - `PORTAL_MAILS_PER_HOUR`: the ceiling on mails the public forms cause in an hour.
pub fn config_from_env(data: &std::path::Path) -> Result<Config, StartError> {
    let secret = match setting("PORTAL_SECRET") {
        Some(secret) if secret.len() >= 32 => secret.into_bytes(),
        Some(_) => {
            return Err(StartError::Setting {
                name: "PORTAL_SECRET",
                problem: "must be at least 32 characters".into(),
            });
        }
        None if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() => {
            return Err(StartError::Setting {
                name: "PORTAL_SECRET",
                problem: "is required on Lambda".into(),
            });
        }
        None => local_secret(data)?,
    };
    let mut config = Config::local(&secret);
    if let Some(url) = setting("PORTAL_SITE_URL") {
        config.site_url = url.trim_end_matches('/').to_owned();
    }
    if let Some(url) = setting("PORTAL_API_URL") {
        config.api_url = url.trim_end_matches('/').to_owned();
    }
    if let Some(origins) = setting("PORTAL_ALLOWED_ORIGINS") {
        config.allowed_origins = origins
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
    }
    // The site's proxy: its shared secret, and whether only what it signs is served.
    let require_proxy = match setting("PORTAL_REQUIRE_PROXY").as_deref() {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => {
            return Err(StartError::Setting {
                name: "PORTAL_REQUIRE_PROXY",
                problem: format!("must be `true` or `false`, not `{other}`"),
            });
        }
    };
    match setting("PORTAL_PROXY_SECRET") {
        Some(secret) if secret.len() >= 32 => {
            config = config.behind_proxy(secret.as_bytes(), require_proxy);
        }
        Some(_) => {
            return Err(StartError::Setting {
                name: "PORTAL_PROXY_SECRET",
                problem: "must be at least 32 characters (the secret of the `signed` proxy rule in netlify.toml)".into(),
            });
        }
        None if require_proxy => {
            return Err(StartError::Setting {
                name: "PORTAL_PROXY_SECRET",
                problem: "is required when PORTAL_REQUIRE_PROXY is true".into(),
            });
        }
        None => {}
    }
    if let Some(ceiling) = setting("PORTAL_MAILS_PER_HOUR") {
        config.mails_per_hour = match ceiling.trim().parse::<u32>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(StartError::Setting {
                    name: "PORTAL_MAILS_PER_HOUR",
                    problem: format!("`{ceiling}` is not a whole number of mails an hour above 0"),
                });
            }
        };
    }
    for entry in setting("PORTAL_EDITORS")
        .unwrap_or_default()
        .split(',')
        .filter(|e| !e.trim().is_empty())
    {
        let (name, hash) = entry
            .trim()
            .split_once(':')
            .ok_or_else(|| StartError::Setting {
                name: "PORTAL_EDITORS",
                problem: format!("`{entry}` is not name:sha256-hex"),
            })?;
        let token_sha256 = decode_hex(hash).ok_or_else(|| StartError::Setting {
            name: "PORTAL_EDITORS",
            problem: format!("the hash of `{name}` is not 64 hex digits"),
        })?;
        config.editors.push(Editor {
            name: name.to_owned(),
            token_sha256,
        });
    }
    Ok(config)
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A random secret kept in the data folder, so that links survive restarts of a local run.
fn local_secret(data: &std::path::Path) -> Result<Vec<u8>, StartError> {
    let path = data.join("secret");
    if let Ok(secret) = std::fs::read(&path)
        && secret.len() >= 32
    {
        return Ok(secret);
    }
    private_dir(data)?;
    let secret = format!(
        "{}{}",
        crate::tokens::random_id(),
        crate::tokens::random_id()
    )
    .into_bytes();
    write_private(&path, &secret)?;
    Ok(secret)
}

/// Settings that production must name: on Lambda there is no local fallback, so a missing
/// one stops the start with every missing name at once.
const PRODUCTION_SETTINGS: &[&str] = &[
    "PORTAL_DYNAMODB_TABLE",
    "PORTAL_MAIL_FROM",
    "PORTAL_SITE_URL",
    "PORTAL_API_URL",
    "PORTAL_ALLOWED_ORIGINS",
];

fn on_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// On Lambda, the production settings that are missing; empty elsewhere.
pub fn missing_production_settings() -> Vec<&'static str> {
    if !on_lambda() {
        return Vec::new();
    }
    PRODUCTION_SETTINGS
        .iter()
        .copied()
        .filter(|name| setting(name).is_none())
        .collect()
}

/// The services the environment names. Production: `PORTAL_DYNAMODB_TABLE` (DynamoDB) and
/// `PORTAL_MAIL_FROM` (Amazon SES), with AWS settings from the usual sources. Otherwise, for
/// local runs: SQLite and the outbox in the data folder. The catalog comes from
/// `PORTAL_CONTENT` (default `content`).
pub async fn services_from_env() -> Result<Arc<Services>, StartError> {
    let missing = missing_production_settings();
    if !missing.is_empty() {
        return Err(StartError::Setting {
            name: "production settings",
            problem: format!(
                "{} must be set on Lambda (there is no local store or outbox there)",
                missing.join(", ")
            ),
        });
    }
    let data = data_dir();
    let config = config_from_env(&data)?;
    let content = setting("PORTAL_CONTENT").map_or_else(|| PathBuf::from("content"), PathBuf::from);
    let catalog = Catalog::load(&content).map_err(StartError::Catalog)?;
    let table = setting("PORTAL_DYNAMODB_TABLE");
    let from = setting("PORTAL_MAIL_FROM");
    // The display name of the sender (`PORTAL_MAIL_FROM_NAME`, else the site's short name
    // from site.yaml), encoded for the header.
    let sender_name =
        setting("PORTAL_MAIL_FROM_NAME").unwrap_or_else(|| catalog.short_title.clone());
    let (store, mailer) = aws_services(table.as_deref(), from.as_deref(), &sender_name).await?;
    let store = match store {
        Some(store) => store,
        None => local_store(&data)?,
    };
    let mailer: Arc<dyn Mailer> = match mailer {
        Some(mailer) => mailer,
        None => Arc::new(OutboxMailer::new(
            data.join("outbox"),
            crate::email::from_mailbox(&sender_name, "no-reply@portal.example.org"),
        )),
    };
    Ok(Arc::new(Services::new(
        store,
        mailer,
        config,
        Arc::new(SystemClock),
        catalog,
    )))
}

type AwsServices = (Option<Arc<dyn Store>>, Option<Arc<dyn Mailer>>);

/// DynamoDB when a table is named, Amazon SES when a sender is named.
#[cfg(feature = "aws")]
async fn aws_services(
    table: Option<&str>,
    from: Option<&str>,
    sender_name: &str,
) -> Result<AwsServices, StartError> {
    if table.is_none() && from.is_none() {
        return Ok((None, None));
    }
    let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let store = table.map(|table| {
        let mut builder = aws_sdk_dynamodb::config::Builder::from(&aws);
        if let Some(endpoint) = setting("PORTAL_DYNAMODB_ENDPOINT") {
            builder = builder.endpoint_url(endpoint);
        }
        Arc::new(crate::store::dynamo::DynamoStore::new(
            aws_sdk_dynamodb::Client::from_conf(builder.build()),
            table.to_owned(),
        )) as Arc<dyn Store>
    });
    let mailer = from.map(|from| {
        Arc::new(crate::mail::SesMailer::new(
            aws_sdk_sesv2::Client::new(&aws),
            crate::email::from_mailbox(sender_name, from),
        )) as Arc<dyn Mailer>
    });
    Ok((store, mailer))
}

/// A build without the `aws` feature (a local tool) has only the local store and outbox.
#[cfg(not(feature = "aws"))]
async fn aws_services(
    table: Option<&str>,
    from: Option<&str>,
    _: &str,
) -> Result<AwsServices, StartError> {
    match (table, from) {
        (None, None) => Ok((None, None)),
        _ => Err(StartError::Setting {
            name: "PORTAL_DYNAMODB_TABLE",
            problem: "this build has no AWS support (feature `aws`); unset PORTAL_DYNAMODB_TABLE and PORTAL_MAIL_FROM for a local run".into(),
        }),
    }
}

/// The embedded store of local runs.
#[cfg(feature = "local")]
fn local_store(data: &std::path::Path) -> Result<Arc<dyn Store>, StartError> {
    Ok(Arc::new(crate::store::sqlite::SqliteStore::open(
        &data.join("portal.sqlite3"),
    )?))
}

#[cfg(not(feature = "local"))]
fn local_store(_: &std::path::Path) -> Result<Arc<dyn Store>, StartError> {
    Err(StartError::Setting {
        name: "PORTAL_DYNAMODB_TABLE",
        problem: "this build has no local store (feature `local`); name the DynamoDB table".into(),
    })
}

/// Structured logs (JSON on Lambda, text locally), filtered by `RUST_LOG` (default info).
pub fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        builder.json().without_time().init();
    } else {
        builder.init();
    }
}

/// Serves `router` on Lambda when `AWS_LAMBDA_RUNTIME_API` is set, else on `PORTAL_LISTEN`
/// (default 127.0.0.1:8787), answering only for `local_hosts` (see `http::site`).
pub async fn serve(
    router: Router,
    local_hosts: Vec<String>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    #[cfg(feature = "aws")]
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return lambda_http::run(router)
            .await
            .map_err(|e| e.to_string().into());
    }
    let address: SocketAddr = setting("PORTAL_LISTEN")
        .unwrap_or_else(|| "127.0.0.1:8787".into())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(event = "listening", address = %address);
    let router = crate::http::site::local_hosts_only(router, local_hosts);
    // The peer address is the client for rate limits (see http::extract::ClientIp).
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}

/// The common `main` of every function binary.
pub async fn main(make: fn(Arc<Services>) -> Router) -> std::process::ExitCode {
    init_logs();
    let services = match services_from_env().await {
        Ok(services) => services,
        Err(error) => {
            tracing::error!(event = "start_failed", error = %error);
            eprintln!("error: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // Locally, the queued mail is sent by a timer; on Lambda, by the `jobs` function.
    if !on_lambda() {
        spawn_mail_job(Arc::clone(&services), std::time::Duration::from_secs(1));
    }
    // Locally, answer only for this machine's names and the configured ones.
    let hosts =
        crate::http::site::local_hosts(&[&services.config.site_url, &services.config.api_url]);
    match serve(make(services), hosts).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Closes introduction requests whose time ran out and sends the store's queued mail every
/// `every`, for local runs (`portal-api`, `portal
/// serve`); production runs the same job from the `jobs` function. A failure waits for the
/// next round.
pub fn spawn_mail_job(services: Arc<Services>, every: std::time::Duration) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(error) = crate::introductions::close_due(&services, MAIL_JOB_BATCH).await {
                tracing::warn!(event = "introduction_job_failed", error = %error);
            }
            if let Err(error) = services.mail_queue.retry(MAIL_JOB_BATCH).await {
                tracing::warn!(event = "mail_job_failed", error = %error);
            }
        }
    });
}

/// The most queued mails one run of the mail job sends (a minute's worth at SES's default
/// rate of 14 a second is far more; this keeps one run well inside the function's timeout).
pub const MAIL_JOB_BATCH: usize = 200;

/// The `jobs` function on Lambda, started every minute by an EventBridge schedule (AWS SAM
/// template): closes introduction requests whose time ran out, then sends the mail the
/// other functions queued. Each queued mail is taken out of
/// the queue before it is sent, so two runs that overlap never send one twice.
#[cfg(feature = "aws")]
pub async fn jobs_main() -> std::process::ExitCode {
    use lambda_http::{LambdaEvent, service_fn};
    init_logs();
    let services = match services_from_env().await {
        Ok(services) => services,
        Err(error) => {
            tracing::error!(event = "start_failed", error = %error);
            eprintln!("error: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let handler = service_fn(move |_: LambdaEvent<serde_json::Value>| {
        let services = Arc::clone(&services);
        async move {
            let closed = crate::introductions::close_due(&services, MAIL_JOB_BATCH).await?;
            let sent = services.mail_queue.retry(MAIL_JOB_BATCH).await?;
            Ok::<_, lambda_http::Error>(
                serde_json::json!({ "sent": sent, "introductions_closed": closed }),
            )
        }
    });
    match lambda_http::lambda_runtime::run(handler).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::private_files::{private_dir, write_private};

    #[test]
    fn decodes_editor_hashes() {
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert_eq!(decode_hex(hex).map(|h| h[0]), Some(0x9f));
        assert_eq!(decode_hex("xyz"), None);
        assert_eq!(decode_hex(&"g".repeat(64)), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_data_folder_others_can_read_is_tightened_and_a_shared_one_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let error = private_dir(&shared).unwrap_err().to_string();
        assert!(
            error.contains("is shared") && error.contains("PORTAL_DATA"),
            "{error}"
        );
        assert_eq!(mode(&shared), 0o1777, "left as it was");
        // A file that was readable by others is made private before it is written.
        let file = data.join("secret");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&file, b"new").unwrap();
        assert_eq!(
            (mode(&file), std::fs::read(&file).unwrap()),
            (0o600, b"new".to_vec())
        );
        let fresh = data.join("fresh");
        write_private(&fresh, b"x").unwrap();
        assert_eq!(mode(&fresh), 0o600);
    }

    #[test]
    fn a_local_secret_is_kept_across_restarts_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = local_secret(&data).unwrap();
        assert!(first.len() >= 32);
        assert_eq!(local_secret(&data).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&data), 0o700);
            assert_eq!(mode(&data.join("secret")), 0o600);
        }
    }
}
