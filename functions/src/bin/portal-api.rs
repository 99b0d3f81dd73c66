//! Every function on one local server (http://127.0.0.1:8787 by default), for local runs.
//! With `PORTAL_SITE_DIR`, it also serves that built site, so the portal and `/api/*`
//! share one origin as behind the production proxy.

fn local_app(services: std::sync::Arc<functions::services::Services>) -> functions::http::Router {
    let app = functions::http::app(services);
    match std::env::var_os("PORTAL_SITE_DIR") {
        Some(dir) => functions::http::site::with_site(app, dir.into()),
        None => app,
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    functions::runtime::main(local_app).await
}
