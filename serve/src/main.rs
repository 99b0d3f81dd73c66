//! `portal-serve`, run as `portal serve`: the portal and its functions on one local origin.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow};
use clap::Parser;
use jiff::Timestamp;

#[derive(Parser)]
#[command(
    name = "portal-serve",
    bin_name = "portal serve",
    version,
    about = "Serves the portal and its functions on http://127.0.0.1:PORT/, rebuilt as you edit"
)]
struct Args {
    /// The content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// A theme folder; without it, the project's themes/default if there is one, else the
    /// default theme built into portal.
    #[arg(long)]
    theme: Option<PathBuf>,
    /// The port on 127.0.0.1.
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Include members and events marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// The folder of the local store, the outbox and the editor token.
    #[arg(long, env = "PORTAL_DATA", default_value = "data")]
    data: PathBuf,
    /// What counts as now (RFC 3339) for upcoming and past events; defaults to the clock
    /// at the start.
    #[arg(long)]
    now: Option<String>,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    let now = match &args.now {
        Some(text) => model::time::parse_datetime(text).map_err(|e| anyhow!("--now: {e}"))?,
        None => Timestamp::now(),
    };
    let theme = match args.theme {
        Some(dir) => generator::ThemeSource::Folder(dir),
        None => generator::ThemeSource::default_for(std::path::Path::new(".")),
    };
    let settings = portal_serve::start::Settings {
        content: args.content,
        theme,
        drafts: args.drafts,
        data: args.data,
        now,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("port {} is taken; pass another with --port", args.port))?;
        portal_serve::start::run(settings, listener, async {
            // Without a signal handler the process would stop at once; then the store is
            // still consistent (each change is one transaction), only requests are cut.
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("\nstopping: finishing the requests under way");
        })
        .await
    })
}
