//! Every function on one local server (http://127.0.0.1:8787 by default), for local runs.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    functions::runtime::main(functions::http::app).await
}
