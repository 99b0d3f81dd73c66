//! Logs are structured and never contain an e-mail address, a token or a client address.
//! Its own test binary, so that its global log subscriber sees every event.

mod common;

use std::sync::Arc;

use common::{Harness, LogWriter, form_post};

#[tokio::test]
async fn logs_never_contain_an_email_address_or_a_token() {
    let h = Harness::new();
    let buffer = Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let writer = {
        let buffer = buffer.clone();
        move || LogWriter(buffer.clone())
    };
    // A global subscriber, installed before anything logs in this process (this file is its
    // own test binary): tracing caches per call site whether anyone listens.
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let token = h.form_token().await;
    h.send(form_post(&common::valid_form(&token))).await;
    let link = h.outbox()[0]
        .lines()
        .find(|l| l.contains("token="))
        .unwrap()
        .trim()
        .trim_start_matches("http://127.0.0.1:8787")
        .to_owned();
    h.confirm(&link).await;
    h.send(form_post(
        &common::valid_form("").replace("homepage=", "homepage=spam"),
    ))
    .await;
    let logs = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("signup_stored")
            && logs.contains("signup_confirmed")
            && logs.contains("signup_spam"),
        "{logs}"
    );
    assert!(!logs.to_lowercase().contains("hanako@example.jp"), "{logs}");
    assert!(
        !logs.contains(link.split("token=").nth(1).unwrap()),
        "{logs}"
    );
    assert!(!logs.contains("203.0.113.7"), "{logs}");
}
