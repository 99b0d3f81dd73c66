//! The scheduled jobs as one Lambda function, started every minute by EventBridge: sends
//! the mail the other functions queued and closes introduction requests whose 14 days ran
//! out (see `runtime::jobs_main`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    functions::runtime::jobs_main().await
}
