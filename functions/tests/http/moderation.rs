//! Moderation over HTTP: editors' bearer tokens, the queue of confirmed submissions,
//! decisions with their mails, the attendee CSV and the queue after a mail outage.

use crate::common::{Harness, as_editor, link_in};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use functions::store::{MailQueue, Submissions};
use functions::store::{Status, SubmissionKind};

const JSON: &str = "application/json";

/// A confirmed profile submission; returns its id.
async fn confirmed_submission(h: &Harness, email: &str) -> String {
    let stamp = h.json_stamp().await;
    let body = format!(
        r#"{{"name":"佐藤 健","kana":"さとう けん","sector":"private","email":"{email}","consent":"yes","form_token":"{stamp}"}}"#
    );
    assert_eq!(
        h.post_from("203.0.113.9", "/api/members", JSON, &body)
            .await
            .0,
        StatusCode::ACCEPTED
    );
    let mail = h
        .outbox()
        .into_iter()
        .rev()
        .find(|m| m.contains(&format!("To: {email}")))
        .unwrap();
    assert_eq!(
        h.confirm(&link_in(&mail, "/api/confirm?token=")).await.0,
        StatusCode::OK
    );
    h.store
        .list_submissions(Status::Pending)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.email == email)
        .unwrap()
        .id
}

#[tokio::test]
async fn moderation_needs_an_editor_token() {
    let h = Harness::new();
    let (status, headers, _) = h.get("/api/moderation/submissions").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        headers[header::WWW_AUTHENTICATE],
        "Bearer realm=\"moderation\""
    );
    let wrong = Request::get("/api/moderation/submissions")
        .header(header::AUTHORIZATION, "Bearer guess")
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(wrong).await.0, StatusCode::UNAUTHORIZED);
    let empty = Request::get("/api/moderation/submissions")
        .header(header::AUTHORIZATION, "Bearer ")
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(empty).await.0, StatusCode::UNAUTHORIZED);
    let approve = Request::post("/api/moderation/submissions/x/approve")
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(approve).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_queue_lists_confirmed_submissions_and_an_approval_is_recorded() {
    let h = Harness::new();
    // An unconfirmed one stays out of the queue.
    h.post_from(
        "203.0.113.8",
        "/api/members",
        JSON,
        r#"{"name":"未確認","sector":"other","email":"later@example.jp","consent":"yes"}"#,
    )
    .await;
    let id = confirmed_submission(&h, "ken@example.jp").await;
    let (status, _, body) = h
        .editor_get("/api/moderation/submissions?status=pending")
        .await;
    assert_eq!(status, StatusCode::OK);
    let queue: serde_json::Value = serde_json::from_str(&body).unwrap();
    let listed = queue["submissions"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["slug"], "satou-ken");
    assert_eq!(listed[0]["fields"]["name"], "佐藤 健");

    h.clock.advance(60);
    let (status, _, body) = h
        .editor_post(&format!("/api/moderation/submissions/{id}/approve"), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let decided = h.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(
        (decided.status, decided.decided_by.as_deref()),
        (Status::Approved, Some("sato"))
    );
    assert_eq!(
        decided.decided_at.unwrap().to_string(),
        "2026-11-25T03:01:05Z"
    );
    assert!(h.outbox().last().unwrap().contains("承認しました"));
    let approve_again = || {
        as_editor(Request::post(format!(
            "/api/moderation/submissions/{id}/approve"
        )))
        .body(Body::empty())
        .unwrap()
    };
    // The same decision again (a retry after a failed mail) mails the submitter again and
    // changes nothing else.
    let mails = h.outbox().len();
    let again = h.send(approve_again()).await;
    assert_eq!(again.0, StatusCode::OK);
    assert_eq!(h.outbox().len(), mails + 1);
    let unchanged = h.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(unchanged.decided_at, decided.decided_at);
    // The opposite decision is refused.
    let reject = h
        .editor_post(
            &format!("/api/moderation/submissions/{id}/reject"),
            r#"{"reason":"x"}"#,
        )
        .await;
    assert_eq!(reject.0, StatusCode::CONFLICT);
    // Approved ones wait for the editorial export, which marks each exactly once; after
    // that, approving again is refused.
    assert!(h.store.mark_exported(&id, h.clock_now()).await.unwrap());
    assert!(!h.store.mark_exported(&id, h.clock_now()).await.unwrap());
    assert_eq!(h.send(approve_again()).await.0, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_export_acknowledges_approved_submissions_idempotently() {
    let h = Harness::new();
    let id = confirmed_submission(&h, "ken@example.jp").await;
    let ack = |id: &str| {
        as_editor(Request::post(format!(
            "/api/moderation/submissions/{id}/exported"
        )))
        .body(Body::empty())
        .unwrap()
    };
    // Still pending: nothing to acknowledge.
    let (status, _, body) = h.send(ack(&id)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("pending, not approved"), "{body}");

    h.store
        .decide(&id, Status::Approved, "sato", None, h.clock_now())
        .await
        .unwrap();
    let (status, _, body) = h.send(ack(&id)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"newly_exported\":true"), "{body}");
    let (status, _, body) = h.send(ack(&id)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a repeated acknowledgement is harmless"
    );
    assert!(body.contains("\"newly_exported\":false"), "{body}");
    assert_eq!(
        h.store.submission(&id).await.unwrap().unwrap().status,
        Status::Exported
    );

    let (status, _, _) = h.send(ack("no-such-id")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = h
        .send(
            Request::post(format!("/api/moderation/submissions/{id}/exported"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_rejection_needs_a_reason_which_is_mailed() {
    let h = Harness::new();
    let id = confirmed_submission(&h, "ken@example.jp").await;
    let path = format!("/api/moderation/submissions/{id}/reject");
    let (status, _, body) = h.editor_post(&path, "{}").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("reason"));
    let reason = r#"{"reason":"自己紹介に営業目的の内容が含まれていたため"}"#;
    let (status, _, _) = h.editor_post(&path, reason).await;
    assert_eq!(status, StatusCode::OK);
    let decided = h.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(
        (decided.status, decided.reason.as_deref()),
        (
            Status::Rejected,
            Some("自己紹介に営業目的の内容が含まれていたため")
        )
    );
    let mail = h.outbox().last().unwrap().clone();
    assert!(mail.contains("To: ken@example.jp") && mail.contains("営業目的の内容"));
}

#[tokio::test]
async fn the_attendee_csv_is_safe_to_open_in_a_spreadsheet() {
    let h = Harness::new();
    let body = r#"{"name":"=HYPERLINK(\"http://evil\",\"x\")","email":"a@example.jp","message":"@SUM(A1:A9)"}"#;
    assert_eq!(
        h.event_signup("sendai-bousai-evening", "203.0.113.1", JSON, body)
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        h.event_signup(
            "sendai-bousai-evening",
            "203.0.113.2",
            JSON,
            r#"{"name":"伊藤, 結衣","email":"b@example.jp"}"#
        )
        .await
        .0,
        StatusCode::CREATED
    );
    let csv_path = "/api/moderation/events/sendai-bousai-evening/signups.csv";
    assert_eq!(h.get(csv_path).await.0, StatusCode::UNAUTHORIZED);
    let (status, headers, csv) = h.editor_get(csv_path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("sendai-bousai-evening-signups.csv")
    );
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(
        lines[0],
        "順番,状態,名前,メールアドレス,メッセージ,申込日時"
    );
    assert_eq!(
        lines[1],
        "\"1\",\"参加\",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",\"a@example.jp\",\"'@SUM(A1:A9)\",\"2026-11-25 12:00\""
    );
    assert_eq!(
        lines[2],
        "\"2\",\"参加\",\"伊藤, 結衣\",\"b@example.jp\",\"\",\"2026-11-25 12:00\""
    );
    let unknown = as_editor(Request::get("/api/moderation/events/nope/signups.csv"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(unknown).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unknown_status_is_a_clear_error() {
    let h = Harness::new();
    let (status, _, body) = h
        .editor_get("/api/moderation/submissions?status=waiting")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("pending, approved, rejected or exported"));
}

#[tokio::test]
async fn mail_that_fails_after_a_decision_or_a_promotion_is_sent_when_the_service_is_back() {
    use std::sync::atomic::Ordering;
    let (h, mail_down) = Harness::with_mail_outage();
    let id = confirmed_submission(&h, "ken@example.jp").await;
    // One seat, taken; someone waits.
    let event = "sendai-bousai-evening";
    for n in 0..31 {
        let body = format!(r#"{{"name":"参加者{n}","email":"p{n}@example.jp"}}"#);
        h.event_signup(event, &format!("198.51.100.{n}"), JSON, &body)
            .await;
    }
    let cancel = link_in(
        &h.mail_to("p0@example.jp", "/cancel?token="),
        "/cancel?token=",
    );
    let before = h.outbox().len();

    mail_down.store(true, Ordering::SeqCst);
    let (status, _, _) = h
        .editor_post(&format!("/api/moderation/submissions/{id}/approve"), "")
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the decision stands; its mail waits"
    );
    let token = cancel.split("token=").nth(1).unwrap();
    let (status, _, _) = h
        .post_from(
            "198.51.100.0",
            &format!("/api/events/{event}/cancel"),
            "application/x-www-form-urlencoded",
            &format!("token={token}"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the cancellation stands; the promotion mail waits"
    );
    assert_eq!(h.outbox().len(), before, "nothing could be sent");
    assert_eq!(h.store.queued_mail(10).await.unwrap().len(), 2);

    // The service is back; the next look at the queue sends what waited.
    mail_down.store(false, Ordering::SeqCst);
    let (status, _, _) = h.editor_get("/api/moderation/submissions").await;
    assert_eq!(status, StatusCode::OK);
    let sent = &h.outbox()[before..];
    assert!(
        sent.iter()
            .any(|m| m.contains("To: ken@example.jp") && m.contains("承認しました"))
    );
    assert!(
        sent.iter()
            .any(|m| m.contains("To: p30@example.jp") && m.contains("お席が空いたため"))
    );
    assert!(
        h.store.queued_mail(10).await.unwrap().is_empty(),
        "sent mail leaves the queue"
    );
}

/// Editors get items made for them, a page at a time: no address, IP hash or photo bytes;
/// at most 50 newest first with a cursor; exported items only when asked for. A queue of
/// 3,000 costs a page what a queue of 50 does.
#[tokio::test]
async fn the_queue_is_paged_and_holds_nothing_private() {
    let h = Harness::new();
    let start: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
    for n in 0..3000 {
        let at = start
            .checked_add(jiff::SignedDuration::from_secs(n))
            .unwrap();
        let mut s = functions::store::Submission::pending(
            format!("id{n:04}"),
            SubmissionKind::Profile,
            format!("member-{n}"),
            format!("person{n}@example.jp"),
            "iphash-of-someone".into(),
            at,
            3600,
        );
        s.fields.insert("name".into(), format!("会員 {n}"));
        s.fields.insert("bio".into(), "自己紹介".repeat(200));
        s.status = Status::Exported;
        s.confirmed_at = Some(at);
        s.expires_at = None;
        h.store.create_submission(&s).await.unwrap();
    }
    let get = |query: String| {
        as_editor(Request::get(format!("/api/moderation/submissions?{query}")))
            .body(Body::empty())
            .unwrap()
    };
    let (status, _, body) = h.send(get(String::new())).await;
    assert_eq!(status, StatusCode::OK);
    let pending: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        pending["submissions"].as_array().unwrap().len(),
        0,
        "exported only on request"
    );
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let (status, _, body) = h
            .send(get(format!("status=exported&cursor={cursor}")))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.len() < 1024 * 1024,
            "page {pages} is {} bytes",
            body.len()
        );
        assert!(
            !body.contains("@example.jp") && !body.contains("iphash"),
            "nothing private"
        );
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        let items = page["submissions"].as_array().unwrap();
        assert!(items.len() <= 50);
        if pages == 0 {
            assert_eq!(items[0]["id"], "id2999", "newest first");
            assert_eq!(items[0]["proof"], "address-confirmed");
            assert!(items[0].get("email").is_none() && items[0].get("ip_hash").is_none());
        }
        for item in items {
            assert!(
                seen.insert(item["id"].as_str().unwrap().to_owned()),
                "each once"
            );
        }
        pages += 1;
        match page["next"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (3000, 60));
    let (status, _, _) = h.send(get("status=exported&cursor=bogus".into())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
