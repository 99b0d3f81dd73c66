//! Announcing an event over HTTP, with `Router::oneshot`, the real SQLite store and outbox,
//! and a clock that stands still: held until the address is confirmed, then in the queue.

use crate::common::Harness;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use functions::store::Submissions;
use functions::store::{Status, SubmissionKind};

fn announcement(token: &str, end: &str) -> Request<Body> {
    announcement_at(token, "2026-12-10T19:00", end)
}

fn announcement_at(token: &str, start: &str, end: &str) -> Request<Body> {
    let body = serde_urlencoded::to_string([
        ("title", "仙台で防災を語る夕べ"),
        ("start", start),
        ("end", end),
        ("online", "yes"),
        ("venue.name", "せんだいメディアテーク"),
        ("prefecture", "miyagi"),
        ("capacity", "30"),
        ("tags", "防災\r\n交流会"),
        ("organizer_name", "仙台まちづくり研究会"),
        ("body", "話題提供のあと、ゆるく話します。"),
        ("email", "Yui@Example.jp"),
        ("consent", "yes"),
        ("homepage", ""),
        ("form_token", token),
    ])
    .unwrap();
    Request::post("/api/events")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn an_announced_event_waits_for_its_address_then_reaches_the_queue() {
    let h = Harness::new();
    let (status, _, page) = h.get("/api/events/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<form method=\"post\" action=\"/api/events\""));
    let token = h.form_token().await;
    let (status, headers, _) = h.send(announcement(&token, "2026-12-10T21:00")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "http://127.0.0.1:8000/event-thanks/"
    );
    let mail = h.mail_to("yui@example.jp", "/api/confirm?token=");
    assert!(
        h.store
            .list_submissions(Status::Pending)
            .await
            .unwrap()
            .is_empty()
    );
    let link = crate::common::link_in(&mail, "/api/confirm?token=");
    h.confirm(&link).await;
    let queue = h.store.list_submissions(Status::Pending).await.unwrap();
    assert_eq!(queue.len(), 1);
    let event = &queue[0];
    assert_eq!(event.kind, SubmissionKind::Event);
    assert!(event.slug.starts_with("2026-12-10-"), "{}", event.slug);
    assert!(model::slug::is_valid_slug(&event.slug));
    assert_eq!(event.fields["tags"], "防災\n交流会");
    assert_eq!(event.fields["organizer_name"], "仙台まちづくり研究会");
    assert!(!event.fields.contains_key("email") && !event.fields.contains_key("form_token"));
    // The event rules made it a valid event file.
    let checked = model::event_form::check_event(&event.fields, &event.slug).unwrap();
    assert_eq!(checked.capacity, Some(30));
}

#[tokio::test]
async fn an_end_before_the_start_is_shown_beside_the_field_with_every_value_kept() {
    let h = Harness::new();
    let token = h.form_token().await;
    let (status, _, page) = h.send(announcement(&token, "2026-12-10T18:00")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"end-error\""), "{page}");
    assert!(page.contains("value=\"仙台で防災を語る夕べ\""));
    assert!(h.outbox().is_empty());
}

#[tokio::test]
async fn an_event_must_start_after_now_in_japan() {
    let h = Harness::new();
    // The clock stands at 2026-11-25 12:00 in Japan (03:00 UTC).
    let token = h.form_token().await;
    let (status, _, page) = h
        .send(announcement_at(
            &token,
            "2026-11-25T11:59",
            "2026-11-25T21:00",
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"start-error\""), "{page}");
    assert!(page.contains("開始日時が過ぎています"), "{page}");
    assert!(h.outbox().is_empty());
    let token = h.form_token().await;
    let (status, _, page) = h
        .send(announcement_at(
            &token,
            "2026-11-25T13:00",
            "2026-11-25T21:00",
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
}

#[tokio::test]
async fn an_unstamped_post_is_shown_again_stamped_and_stores_nothing() {
    let h = Harness::new();
    let (status, _, page) = h.send(announcement("", "2026-12-10T21:00")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("もう一度確認してください"));
    assert!(page.contains("value=\"せんだいメディアテーク\""));
    assert!(h.outbox().is_empty());
}

#[tokio::test]
async fn the_sites_script_sends_multipart_within_64_kib_and_no_file() {
    let h = Harness::new();
    let token = h.form_token().await;
    let boundary = "announce-boundary";
    let part = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let fields = [
        ("title", "雪国の交通を語る会"),
        ("start", "2026-12-20T18:00"),
        ("email", "kita@example.jp"),
        ("consent", "yes"),
        ("form_token", token.as_str()),
    ];
    let mut body: String = fields.iter().map(|(n, v)| part(n, v)).collect();
    body.push_str(&format!("--{boundary}--\r\n"));
    let send = |body: String| {
        Request::post("/api/events")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, answer) = h.send(send(body)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    // A body past 64 KiB is refused before it is read as a form.
    let long = format!(
        "{}{}--{boundary}--\r\n",
        part("body", &"あ".repeat(30_000)),
        part("title", "x")
    );
    let (status, _, _) = h.send(send(long)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}
