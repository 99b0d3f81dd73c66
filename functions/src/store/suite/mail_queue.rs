//! The store suite: mail that waits to be sent.

use std::sync::Arc;

use super::at;
use crate::store::Store;

pub async fn queued_mail_is_kept_in_order_until_sent(store: Arc<dyn Store>) {
    let message = |n: u32| crate::message::Message {
        to: format!("p{n}@example.jp"),
        subject: "件名".into(),
        body: format!("本文 {n}"),
    };
    store
        .queue_mail("m2", &message(2), at("2026-11-25T03:00:02Z"))
        .await
        .unwrap();
    store
        .queue_mail("m1", &message(1), at("2026-11-25T03:00:01Z"))
        .await
        .unwrap();
    let queued = store.queued_mail(10).await.unwrap();
    assert_eq!(
        queued
            .iter()
            .map(|(_, m)| m.to.as_str())
            .collect::<Vec<_>>(),
        ["p1@example.jp", "p2@example.jp"]
    );
    assert_eq!(queued[0].1, message(1));
    assert!(store.unqueue_mail(&queued[0].0).await.unwrap());
    assert!(
        !store.unqueue_mail(&queued[0].0).await.unwrap(),
        "taken once"
    );
    let left = store.queued_mail(10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].1, message(2));
    assert_eq!(store.queued_mail(0).await.unwrap().len(), 0);
}
