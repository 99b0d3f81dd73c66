//! `portal`: build the portal from content/, check the content, or write a benchmark corpus.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow};
use clap::{Parser, Subcommand};
use generator::report::Format;
use generator::{BuildError, BuildOptions};
use jiff::Timestamp;

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "Builds the community portal from content/"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct SiteArgs {
    /// The content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// A theme folder; without it, the project's themes/default if there is one, else the
    /// default theme built into portal.
    #[arg(long)]
    theme: Option<PathBuf>,
    /// Include members and events marked `draft: true` (or set PORTAL_DRAFTS=true, which a
    /// host's settings can do for previews without changing the build command).
    #[arg(long, env = "PORTAL_DRAFTS")]
    drafts: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Render the whole site into the output folder (replaced only when the build succeeds).
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// The output folder.
        #[arg(long, default_value = "public")]
        out: PathBuf,
        /// Use this base URL instead of site.yaml's (e.g. http://127.0.0.1:8000 for a preview).
        #[arg(long)]
        base_url: Option<String>,
        /// Use this address of the functions instead of site.yaml's `api_base`
        /// (e.g. http://127.0.0.1:8787 to post to local functions).
        #[arg(long)]
        api_base: Option<String>,
        /// What counts as now (RFC 3339) for upcoming/past events; defaults to
        /// SOURCE_DATE_EPOCH if set, else the clock. A fixed value makes builds byte-identical.
        #[arg(long)]
        now: Option<String>,
    },
    /// Check the content and report every problem with file, line and column; nothing is
    /// written. Exit 1 on errors (and on warnings with --strict).
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// human (coloured on a terminal), github (annotations on a pull request) or json.
        #[arg(long, value_enum, default_value = "human")]
        format: generator::report::Format,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
    },
    /// Write approved sign-ups and removals from the moderation API into content/members/
    /// (with --commit, as commits on a new branch); each is acknowledged once written.
    /// The editor token comes from PORTAL_EDITOR_TOKEN.
    Export {
        /// The content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// The site (or functions) origin that serves /api/moderation/, e.g. https://portal.example.org.
        #[arg(long)]
        api: String,
        /// Commit each item on a new branch (submissions/<date>-<n>) instead of writing into
        /// the working tree; the current branch and working tree are left as they are.
        #[arg(long)]
        commit: bool,
        /// The branch for --commit (must not exist).
        #[arg(long, requires = "commit")]
        branch: Option<String>,
        /// Push the branch to this remote before acknowledging the items (with --commit).
        #[arg(long, requires = "commit")]
        push: Option<String>,
        /// Run `portal check` on the branch's content before pushing, printing what it finds
        /// in this format (human, github, json); an error pushes and acknowledges nothing.
        #[arg(long, requires = "commit", value_enum)]
        check: Option<generator::report::Format>,
        /// What counts as now (RFC 3339), for the branch's date; defaults to the clock.
        #[arg(long)]
        now: Option<String>,
    },
    /// Start a content file from a commented template that passes `portal check` as written.
    New {
        /// member, event or page.
        #[arg(value_enum)]
        kind: generator::new::Kind,
        /// The file name without .md: lowercase letters, digits and hyphens.
        slug: String,
        /// The content folder.
        #[arg(long, default_value = "content")]
        content: PathBuf,
        /// What counts as now (RFC 3339), for the dates in the template; defaults to the clock.
        #[arg(long)]
        now: Option<String>,
    },
    /// Serve the portal and its functions on http://127.0.0.1:1111/, rebuilt as you edit.
    ///
    /// Runs the `portal-serve` program beside this one; `portal serve --help` lists its options.
    #[command(disable_help_flag = true)]
    Serve {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Print a new editor token and the PORTAL_EDITORS entry to configure the functions with
    /// (they keep only its hash). Give the token to the editor; it is not shown again.
    EditorToken {
        /// The editor's name in the functions' logs and the export's commits.
        #[arg(long)]
        name: String,
    },
    /// Write a synthetic content folder of N members and N/10 events (for benchmarks).
    Corpus {
        #[arg(long)]
        members: usize,
        #[arg(long, default_value = "bench-corpus")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if error.downcast_ref::<ProblemsFound>().is_some() {
                // The report is printed already.
            } else if let Some(BuildError::Content(diagnostics)) =
                error.downcast_ref::<BuildError>()
            {
                for d in diagnostics {
                    eprintln!("{d}");
                }
                eprintln!(
                    "error: {} problem(s) in the content; nothing was written",
                    diagnostics.len()
                );
            } else {
                eprintln!("error: {error:#}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build {
            site,
            out,
            base_url,
            api_base,
            now,
        } => {
            let options = BuildOptions {
                content: site.content,
                theme: theme_source(site.theme),
                out,
                base_url,
                api_base,
                drafts: site.drafts,
                now: resolve_now(now.as_deref())?,
            };
            let started = std::time::Instant::now();
            let report = generator::build(&options)?;
            eprintln!(
                "built {} pages ({} files) for {} members and {} events into {} in {:.2?}",
                report.pages,
                report.files,
                report.members,
                report.events,
                options.out.display(),
                started.elapsed()
            );
            Ok(())
        }
        Command::Check {
            site,
            format,
            strict,
        } => check(site, format, strict),
        Command::Export {
            content,
            api,
            commit,
            branch,
            push,
            check,
            now,
        } => {
            let now = resolve_now(now.as_deref())?;
            // Only from the environment: a token on the command line is visible to others.
            let token = std::env::var("PORTAL_EDITOR_TOKEN").unwrap_or_default();
            let options = generator::export::ExportOptions {
                content,
                api,
                token,
                commit,
                branch,
                push,
                today: model::time::tokyo().to_datetime(now).date(),
                check,
            };
            let report = generator::export::export(&options)?;
            for slug in &report.written {
                eprintln!("wrote content/members/{slug}.md");
            }
            for slug in &report.removed {
                eprintln!("removed content/members/{slug}.md");
            }
            for slug in &report.already_done {
                eprintln!("already done: {slug} (acknowledged)");
            }
            if let Some(branch) = &report.branch {
                eprintln!("committed on branch {branch}");
            }
            for (id, problem) in &report.failed {
                eprintln!("error: submission {id} stays in the queue: {problem}");
            }
            if report.failed.is_empty() {
                eprintln!(
                    "exported {} new, {} removed, {} already done",
                    report.written.len(),
                    report.removed.len(),
                    report.already_done.len()
                );
                Ok(())
            } else {
                Err(anyhow!("{} item(s) stay in the queue", report.failed.len()))
            }
        }
        Command::New {
            kind,
            slug,
            content,
            now,
        } => {
            let today = model::time::tokyo()
                .to_datetime(resolve_now(now.as_deref())?)
                .date();
            let path = generator::new::new_file(&content, kind, &slug, today)?;
            eprintln!(
                "wrote {}: fill it in, remove `draft: true` when it is ready, and run `portal check`",
                path.display()
            );
            Ok(())
        }
        Command::Serve { args } => serve(&args),
        Command::EditorToken { name } => {
            let (token, entry) = generator::editor_token::new_editor_token(&name)?;
            println!("token for {name} (give it to them; it is not kept anywhere):\n  {token}");
            println!(
                "add to PORTAL_EDITORS (comma-separated), e.g. in the SSM parameter:\n  {entry}"
            );
            Ok(())
        }
        Command::Corpus { members, out } => {
            generator::corpus::write_corpus(&out, members)
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "wrote {members} members and {} events to {}",
                members / 10,
                out.display()
            );
            Ok(())
        }
    }
}

/// Hands over to `portal-serve` beside this program: the server links the functions and
/// their store, which `portal build` does without (see ARCHITECTURE.md).
fn serve(args: &[std::ffi::OsString]) -> Result<()> {
    let name = format!("portal-serve{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&name)))
        .filter(|path| path.is_file());
    let program = beside.unwrap_or_else(|| PathBuf::from(&name));
    let mut command = std::process::Command::new(&program);
    command.args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        // exec: Ctrl-C and the exit code belong to the server itself.
        let error = command.exec();
        Err(anyhow!(
            "cannot run {}: {error}; build it with `cargo build --release -p portal-serve` (scripts/serve does it)",
            program.display()
        ))
    }
    #[cfg(not(unix))]
    {
        let status = command.status().with_context(|| {
            format!(
                "cannot run {}; build it with `cargo build --release -p portal-serve`",
                program.display()
            )
        })?;
        if status.success() {
            Ok(())
        } else {
            Err(anyhow!("portal serve stopped with {status}"))
        }
    }
}

/// Exit code 1 when there is an error, or a warning with `--strict`.
#[derive(Debug, thiserror::Error)]
#[error("the content has problems")]
struct ProblemsFound;

fn check(site: SiteArgs, format: Format, strict: bool) -> Result<()> {
    use std::io::IsTerminal as _;
    let options = BuildOptions {
        content: site.content,
        theme: theme_source(site.theme),
        out: PathBuf::new(),
        base_url: None,
        api_base: None,
        drafts: site.drafts,
        now: Timestamp::UNIX_EPOCH,
    };
    let started = std::time::Instant::now();
    let report = generator::check::check(&options)?;
    let (errors, warnings) = (report.errors(), report.warnings());
    match format {
        Format::Human => {
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", generator::report::human(&report.diagnostics, colour));
        }
        Format::Github => print!("{}", generator::report::github(&report.diagnostics)),
        Format::Json => print!("{}", generator::report::json(&report.diagnostics)),
    }
    if errors == 0 && warnings == 0 {
        eprintln!(
            "content is valid: {} members, {} events, {} pages (checked in {:.2?})",
            report.members,
            report.events,
            report.pages,
            started.elapsed()
        );
    } else {
        eprintln!(
            "{errors} error(s), {warnings} warning(s) (checked in {:.2?})",
            started.elapsed()
        );
    }
    if errors > 0 || (strict && warnings > 0) {
        return Err(ProblemsFound.into());
    }
    Ok(())
}

fn theme_source(flag: Option<PathBuf>) -> generator::ThemeSource {
    match flag {
        Some(dir) => generator::ThemeSource::Folder(dir),
        None => generator::ThemeSource::default_for(std::path::Path::new(".")),
    }
}

fn resolve_now(flag: Option<&str>) -> Result<Timestamp> {
    if let Some(text) = flag {
        return model::time::parse_datetime(text).map_err(|e| anyhow!("--now: {e}"));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch
            .trim()
            .parse()
            .with_context(|| format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds"))?;
        return Timestamp::from_second(seconds).map_err(|e| anyhow!("SOURCE_DATE_EPOCH: {e}"));
    }
    Ok(Timestamp::now())
}
