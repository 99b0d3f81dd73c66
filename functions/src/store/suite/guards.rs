//! The store suite: one-time values and rate-limit windows.

use std::sync::Arc;

use super::at;
use crate::store::Store;

pub async fn rate_limits_count_per_window(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:10:00Z");
    for _ in 0..5 {
        assert!(store.allow("signup:iphash", 5, 3600, now).await.unwrap());
    }
    assert!(!store.allow("signup:iphash", 5, 3600, now).await.unwrap());
    assert!(
        store.allow("signup:other", 5, 3600, now).await.unwrap(),
        "keys are separate"
    );
    assert!(
        store
            .allow("signup:iphash", 5, 3600, at("2026-11-25T04:00:00Z"))
            .await
            .unwrap(),
        "a new window"
    );
}

pub async fn a_one_time_key_is_used_once(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:10:00Z");
    let expires = at("2026-11-26T03:10:00Z");
    assert!(store.use_once("stamp:abc", expires, now).await.unwrap());
    assert!(
        !store.use_once("stamp:abc", expires, now).await.unwrap(),
        "twice"
    );
    assert!(
        !store
            .use_once("stamp:abc", expires, at("2026-11-26T03:09:59Z"))
            .await
            .unwrap(),
        "still used just before it expires"
    );
    assert!(store.use_once("stamp:other", expires, now).await.unwrap());
}
