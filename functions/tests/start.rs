//! Starting a function binary: on Lambda, missing production settings stop the start with a
//! clear message; there is no silent fallback to the local store or outbox.

use std::process::Command;

#[test]
fn on_lambda_missing_production_settings_stop_the_start() {
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_moderation"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        // A closed port: if the binary got past its checks, it would fail differently.
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env(
            "PORTAL_SECRET",
            "a secret that is long enough for the check",
        )
        .env("PORTAL_DATA", data.path())
        .env(
            "PORTAL_CONTENT",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../content"),
        )
        .env("PORTAL_SITE_URL", "https://portal.example.org")
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "PORTAL_DYNAMODB_TABLE, PORTAL_MAIL_FROM, PORTAL_API_URL, PORTAL_ALLOWED_ORIGINS must be set on Lambda"
        ),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(data.path()).unwrap().count(),
        0,
        "no local store or outbox was made"
    );
}
