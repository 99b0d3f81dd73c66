//! Moderation over HTTP: editors' bearer tokens, the queue of confirmed submissions,
//! decisions with their mails, the attendee CSV, and removal requests.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{EDITOR_TOKEN, Harness, link_in, post};
use functions::store::{MailQueue, Seats, Submissions};
use functions::store::{Status, SubmissionKind};

const JSON: &str = "application/json";

fn authorized(request: axum::http::request::Builder) -> axum::http::request::Builder {
    request.header(header::AUTHORIZATION, format!("Bearer {EDITOR_TOKEN}"))
}

/// A confirmed profile submission; returns its id.
async fn confirmed_submission(h: &Harness, email: &str) -> String {
    let stamp = h.json_stamp().await;
    let body = format!(
        r#"{{"name":"佐藤 健","kana":"さとう けん","sector":"private","email":"{email}","consent":"yes","form_token":"{stamp}"}}"#
    );
    assert_eq!(
        h.send(post("/api/members", JSON, "203.0.113.9", &body))
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
    let (status, headers, _) = h
        .send(
            Request::get("/api/moderation/submissions")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
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
    h.send(post(
        "/api/members",
        JSON,
        "203.0.113.8",
        r#"{"name":"未確認","sector":"other","email":"later@example.jp","consent":"yes"}"#,
    ))
    .await;
    let id = confirmed_submission(&h, "ken@example.jp").await;
    let (status, _, body) = h
        .send(
            authorized(Request::get("/api/moderation/submissions?status=pending"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let queue: serde_json::Value = serde_json::from_str(&body).unwrap();
    let listed = queue["submissions"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["slug"], "satou-ken");
    assert_eq!(listed[0]["fields"]["name"], "佐藤 健");

    h.clock.advance(60);
    let (status, _, body) = h
        .send(
            authorized(Request::post(format!(
                "/api/moderation/submissions/{id}/approve"
            )))
            .body(Body::empty())
            .unwrap(),
        )
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
        authorized(Request::post(format!(
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
        .send(
            authorized(Request::post(format!(
                "/api/moderation/submissions/{id}/reject"
            )))
            .header(header::CONTENT_TYPE, JSON)
            .body(Body::from(r#"{"reason":"x"}"#))
            .unwrap(),
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
        authorized(Request::post(format!(
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
    let (status, _, body) = h
        .send(
            authorized(Request::post(&path).header(header::CONTENT_TYPE, JSON))
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("reason"));
    let reason = r#"{"reason":"自己紹介に営業目的の内容が含まれていたため"}"#;
    let (status, _, _) = h
        .send(
            authorized(Request::post(&path).header(header::CONTENT_TYPE, JSON))
                .body(Body::from(reason))
                .unwrap(),
        )
        .await;
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
    assert_eq!(
        h.send(Request::get(csv_path).body(Body::empty()).unwrap())
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, headers, csv) = h
        .send(
            authorized(Request::get(csv_path))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
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
    let unknown = authorized(Request::get("/api/moderation/events/nope/signups.csv"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(unknown).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_approved_removal_deletes_what_the_store_holds_about_the_person() {
    let h = Harness::new();
    // Hanako takes the last of the event's 30 seats, and someone waits for one.
    let event = "sendai-bousai-evening";
    for n in 0..29 {
        let body = format!(r#"{{"name":"参加者{n}","email":"p{n}@example.jp"}}"#);
        h.event_signup(event, &format!("198.51.100.{n}"), JSON, &body)
            .await;
    }
    common::published_member(&h).await;
    let hanako = r#"{"name":"山田 花子","email":"hanako@example.jp"}"#;
    assert_eq!(
        h.event_signup(event, "203.0.113.60", JSON, hanako).await.0,
        StatusCode::CREATED
    );
    let waiting = r#"{"name":"待つ 人","email":"waiting@example.jp"}"#;
    h.event_signup(event, "203.0.113.61", JSON, waiting).await;

    let (status, _, _) = h
        .send(post(
            "/api/members/yamada-hanako/removal",
            JSON,
            "203.0.113.3",
            &h.stamped(JSON, r#"{"email":"hanako@example.jp"}"#).await,
        ))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    h.deliver().await;
    let link = link_in(h.outbox().last().unwrap(), "/api/confirm?token=");
    assert_eq!(h.confirm(&link).await.0, StatusCode::OK);
    let removal = h.store.list_submissions(Status::Pending).await.unwrap()[0].clone();
    let (status, _, body) = h
        .send(
            authorized(Request::post(format!(
                "/api/moderation/submissions/{}/approve",
                removal.id
            )))
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The seat is freed and goes to the person waiting, who is told.
    let signups = h.store.signups("sendai-bousai-evening").await.unwrap();
    assert!(signups.iter().all(|s| s.email != "hanako@example.jp"));
    assert!(
        signups.iter().any(|s| s.email == "waiting@example.jp"
            && s.state == functions::store::SeatState::Confirmed)
    );
    assert!(
        h.outbox()
            .last()
            .unwrap()
            .contains("To: waiting@example.jp")
    );
    // Of the removal, only the slug and the decision remain; the export still finds it.
    let kept = h.store.submission(&removal.id).await.unwrap().unwrap();
    assert_eq!((kept.email.as_str(), kept.ip_hash.as_str()), ("", ""));
    assert_eq!(
        (kept.slug.as_str(), kept.status),
        ("yamada-hanako", Status::Approved)
    );
    assert!(
        h.store
            .signups_of("hanako@example.jp")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_removal_request_is_confirmed_by_mail_then_queued() {
    let h = Harness::new();
    common::published_member(&h).await;
    let (status, _, _) = h
        .send(post(
            "/api/members/yamada-hanako/removal",
            JSON,
            "203.0.113.3",
            &h.stamped(JSON, r#"{"email":"Hanako@Example.jp"}"#).await,
        ))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(
        h.store
            .list_submissions(Status::Pending)
            .await
            .unwrap()
            .is_empty()
    );
    h.deliver().await;
    let link = link_in(&h.mail_to(common::HANAKO, "削除"), "/api/confirm?token=");
    assert_eq!(h.confirm(&link).await.0, StatusCode::OK);
    let queue = h.store.list_submissions(Status::Pending).await.unwrap();
    assert_eq!(
        (queue[0].kind, queue[0].slug.as_str()),
        (SubmissionKind::Removal, "yamada-hanako")
    );
    let bad = h
        .send(post(
            "/api/members/yamada-hanako/removal",
            JSON,
            "203.0.113.3",
            &h.stamped(JSON, r#"{"email":"nope"}"#).await,
        ))
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Anyone could once have any member removed: the confirmation went to whatever address
/// the requester typed. Now it goes only to the member's own, and the requester cannot
/// tell a match from a miss, a draft or no member at all.
#[tokio::test]
async fn only_the_members_own_mailbox_can_confirm_a_removal() {
    let h = Harness::new();
    common::published_member(&h).await;
    let ask = async |slug: &str, email: &str| {
        post(
            &format!("/api/members/{slug}/removal"),
            JSON,
            "203.0.113.3",
            &h.stamped(JSON, &format!(r#"{{"email":"{email}"}}"#)).await,
        )
    };
    let (status, _, attacker) = h
        .send(ask("yamada-hanako", "attacker@example.net").await)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    h.deliver().await;
    assert!(h.outbox().is_empty(), "no mail to the typed address");
    // A member whose address the store does not know and an unknown slug: the
    // same answer, and no mail.
    for slug in ["sato-kenta", "nobody"] {
        let (status, _, answer) = h.send(ask(slug, "attacker@example.net").await).await;
        assert_eq!(
            (status, &answer),
            (StatusCode::ACCEPTED, &attacker),
            "{slug}"
        );
    }
    let (status, _, member) = h.send(ask("yamada-hanako", common::HANAKO).await).await;
    assert_eq!((status, &member), (StatusCode::ACCEPTED, &attacker));
    h.deliver().await;
    let outbox = h.outbox();
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].contains("To: hanako@example.jp"), "{}", outbox[0]);
    assert!(
        h.store
            .list_submissions(Status::Pending)
            .await
            .unwrap()
            .is_empty(),
        "nothing reaches the editors until the member confirms"
    );
}

#[tokio::test]
async fn an_unknown_status_is_a_clear_error() {
    let h = Harness::new();
    let (status, _, body) = h
        .send(
            authorized(Request::get("/api/moderation/submissions?status=waiting"))
                .body(Body::empty())
                .unwrap(),
        )
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
        .send(
            authorized(Request::post(format!(
                "/api/moderation/submissions/{id}/approve"
            )))
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the decision stands; its mail waits"
    );
    let token = cancel.split("token=").nth(1).unwrap();
    let (status, _, _) = h
        .send(post(
            &format!("/api/events/{event}/cancel"),
            "application/x-www-form-urlencoded",
            "198.51.100.0",
            &format!("token={token}"),
        ))
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
    let (status, _, _) = h
        .send(
            authorized(Request::get("/api/moderation/submissions"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
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

/// A removal link is mailed only with a stamp: a post without one mails nothing, and a
/// page without script gets the form back, filled and stamped.
#[tokio::test]
async fn a_removal_request_without_a_stamp_mails_nothing() {
    let h = Harness::new();
    common::published_member(&h).await;
    let form = "application/x-www-form-urlencoded";
    let path = "/api/members/yamada-hanako/removal";
    let (status, _, page) = h
        .send(post(path, form, "203.0.113.3", "email=hanako%40example.jp"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"hanako@example.jp\""), "{page}");
    assert!(page.contains("name=\"form_token\" value=\"ey"), "{page}");
    let (status, _, _) = h
        .send(post(
            path,
            JSON,
            "203.0.113.3",
            r#"{"email":"hanako@example.jp"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(h.outbox().is_empty());
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
        authorized(Request::get(format!("/api/moderation/submissions?{query}")))
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

/// A visitor who thinks a profile is fake reports it: the reason reaches the editors, on no
/// proof, and nothing is deleted or mailed; the answer is the same for any slug.
#[tokio::test]
async fn a_report_reaches_the_editors_and_deletes_nothing() {
    let h = Harness::new();
    let report = |reason: &str| format!(r#"{{"reason":"{reason}"}}"#);
    let send = async |slug: &str, body: String| {
        h.send(post(
            &format!("/api/members/{slug}/report"),
            JSON,
            "203.0.113.9",
            &h.stamped(JSON, &body).await,
        ))
        .await
    };
    let (status, _, published) = send("yamada-hanako", report("なりすましだと思います。")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _, unknown) = send("nobody", report("x")).await;
    assert_eq!((status, &unknown), (StatusCode::ACCEPTED, &published));
    let (status, _, empty) = send("yamada-hanako", report("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{empty}");
    assert!(h.outbox().is_empty(), "a report mails nobody");
    let (_, _, listing) = h
        .send(
            authorized(Request::get("/api/moderation/submissions"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let listing: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let items = listing["submissions"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listing}");
    assert_eq!(items[0]["kind"], "report");
    assert_eq!(items[0]["slug"], "yamada-hanako");
    assert_eq!(items[0]["proof"], "none");
    assert_eq!(items[0]["fields"]["reason"], "なりすましだと思います。");
    let id = items[0]["id"].as_str().unwrap();
    let (status, _, body) = h
        .send(
            authorized(Request::post(format!(
                "/api/moderation/submissions/{id}/approve"
            )))
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Handled: nothing for the export, nobody mailed, the member's data untouched.
    let approved = h.store.list_submissions(Status::Approved).await.unwrap();
    assert!(approved.is_empty(), "{approved:?}");
    assert!(h.outbox().is_empty());
    assert!(h.services.catalog().member_slugs.contains("yamada-hanako"));
}
