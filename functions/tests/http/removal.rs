//! Removal requests and reports over HTTP: only the member's own mailbox removes a profile,
//! a report reaches the editors and changes nothing.

use crate::common::{Harness, link_in, post};
use axum::http::StatusCode;
use functions::store::{Seats, Submissions};
use functions::store::{Status, SubmissionKind};

const JSON: &str = "application/json";

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
    crate::common::published_member(&h).await;
    let hanako = r#"{"name":"山田 花子","email":"hanako@example.jp"}"#;
    assert_eq!(
        h.event_signup(event, "203.0.113.60", JSON, hanako).await.0,
        StatusCode::CREATED
    );
    let waiting = r#"{"name":"待つ 人","email":"waiting@example.jp"}"#;
    h.event_signup(event, "203.0.113.61", JSON, waiting).await;

    let (status, _, _) = h
        .post_from(
            "203.0.113.3",
            "/api/members/yamada-hanako/removal",
            JSON,
            &h.stamped(JSON, r#"{"email":"hanako@example.jp"}"#).await,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    h.deliver().await;
    let link = link_in(h.outbox().last().unwrap(), "/api/confirm?token=");
    assert_eq!(h.confirm(&link).await.0, StatusCode::OK);
    let removal = h.store.list_submissions(Status::Pending).await.unwrap()[0].clone();
    let (status, _, body) = h
        .editor_post(
            &format!("/api/moderation/submissions/{}/approve", removal.id),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The seat is freed and goes to the person waiting, who is told.
    let signups = h
        .store
        .registrations("sendai-bousai-evening")
        .await
        .unwrap();
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
            .registrations_of("hanako@example.jp")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_removal_request_is_confirmed_by_mail_then_queued() {
    let h = Harness::new();
    crate::common::published_member(&h).await;
    let (status, _, _) = h
        .post_from(
            "203.0.113.3",
            "/api/members/yamada-hanako/removal",
            JSON,
            &h.stamped(JSON, r#"{"email":"Hanako@Example.jp"}"#).await,
        )
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
    let link = link_in(
        &h.mail_to(crate::common::HANAKO, "削除"),
        "/api/confirm?token=",
    );
    assert_eq!(h.confirm(&link).await.0, StatusCode::OK);
    let queue = h.store.list_submissions(Status::Pending).await.unwrap();
    assert_eq!(
        (queue[0].kind, queue[0].slug.as_str()),
        (SubmissionKind::Removal, "yamada-hanako")
    );
    let bad = h
        .post_from(
            "203.0.113.3",
            "/api/members/yamada-hanako/removal",
            JSON,
            &h.stamped(JSON, r#"{"email":"nope"}"#).await,
        )
        .await;
    assert_eq!(bad.0, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Anyone could once have any member removed: the confirmation went to whatever address
/// the requester typed. Now it goes only to the member's own, and the requester cannot
/// tell a match from a miss, a draft or no member at all.
#[tokio::test]
async fn only_the_members_own_mailbox_can_confirm_a_removal() {
    let h = Harness::new();
    crate::common::published_member(&h).await;
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
    let (status, _, member) = h
        .send(ask("yamada-hanako", crate::common::HANAKO).await)
        .await;
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

/// A removal link is mailed only with a stamp: a post without one mails nothing, and a
/// page without script gets the form back, filled and stamped.
#[tokio::test]
async fn a_removal_request_without_a_stamp_mails_nothing() {
    let h = Harness::new();
    crate::common::published_member(&h).await;
    let form = "application/x-www-form-urlencoded";
    let path = "/api/members/yamada-hanako/removal";
    let (status, _, page) = h
        .post_from("203.0.113.3", path, form, "email=hanako%40example.jp")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"hanako@example.jp\""), "{page}");
    assert!(page.contains("name=\"form_token\" value=\"ey"), "{page}");
    let (status, _, _) = h
        .post_from(
            "203.0.113.3",
            path,
            JSON,
            r#"{"email":"hanako@example.jp"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(h.outbox().is_empty());
}

/// A visitor who thinks a profile is fake reports it: the reason reaches the editors, on no
/// proof, and nothing is deleted or mailed; the answer is the same for any slug.
#[tokio::test]
async fn a_report_reaches_the_editors_and_deletes_nothing() {
    let h = Harness::new();
    let report = |reason: &str| format!(r#"{{"reason":"{reason}"}}"#);
    let send = async |slug: &str, body: String| {
        h.post_from(
            "203.0.113.9",
            &format!("/api/members/{slug}/report"),
            JSON,
            &h.stamped(JSON, &body).await,
        )
        .await
    };
    let (status, _, published) = send("yamada-hanako", report("なりすましだと思います。")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _, unknown) = send("nobody", report("x")).await;
    assert_eq!((status, &unknown), (StatusCode::ACCEPTED, &published));
    let (status, _, empty) = send("yamada-hanako", report("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{empty}");
    assert!(h.outbox().is_empty(), "a report mails nobody");
    let (_, _, listing) = h.editor_get("/api/moderation/submissions").await;
    let listing: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let items = listing["submissions"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{listing}");
    assert_eq!(items[0]["kind"], "report");
    assert_eq!(items[0]["slug"], "yamada-hanako");
    assert_eq!(items[0]["proof"], "none");
    assert_eq!(items[0]["fields"]["reason"], "なりすましだと思います。");
    let id = items[0]["id"].as_str().unwrap();
    let (status, _, body) = h
        .editor_post(&format!("/api/moderation/submissions/{id}/approve"), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Handled: nothing for the export, nobody mailed, the member's data untouched.
    let approved = h.store.list_submissions(Status::Approved).await.unwrap();
    assert!(approved.is_empty(), "{approved:?}");
    assert!(h.outbox().is_empty());
    assert!(h.services.catalog().member_slugs.contains("yamada-hanako"));
}
