//! Who is coming: an event's attendee list shows the confirmed seats and, of those, only
//! who chose to be listed, with a member's name linked to their profile; never an address,
//! never the waitlist; cacheable for a minute.

use axum::http::{StatusCode, header};

use crate::common::{HANAKO, Harness, published_member};

const EVENT: &str = "sendai-bousai-evening";
const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn the_list_shows_only_those_who_chose_it_and_links_members() {
    let h = Harness::new();
    published_member(&h).await;
    // A member who chose to be listed, a guest who chose it, one who did not.
    for (client, body) in [
        (
            "203.0.113.1",
            "name=%E5%B1%B1%E7%94%B0&email=hanako%40example.jp&listed=yes&organization=%E4%BB%99%E5%8F%B0%E5%B8%82",
        ),
        (
            "203.0.113.2",
            "name=%E3%82%B2%E3%82%B9%E3%83%88&email=guest%40example.jp&listed=yes",
        ),
        (
            "203.0.113.3",
            "name=%E5%8C%BF%E5%90%8D&email=quiet%40example.jp&organization=%E7%A7%98%E5%AF%86",
        ),
    ] {
        let (status, _, page) = h.event_signup(EVENT, client, FORM, body).await;
        assert_eq!(status, StatusCode::CREATED, "{page}");
    }
    let (status, headers, text) = h
        .send(
            axum::http::Request::get(format!("/api/events/{EVENT}/attendees"))
                .header(header::ACCEPT, "application/json")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=60");
    let list: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(list["confirmed"], 3);
    assert_eq!(
        list["attendees"],
        serde_json::json!([
            { "name": "山田", "organization": "仙台市", "profile": "http://127.0.0.1:8000/members/yamada-hanako/" },
            { "name": "ゲスト", "organization": null, "profile": null },
        ])
    );
    for secret in [
        HANAKO,
        "guest@example.jp",
        "quiet@example.jp",
        "匿名",
        "秘密",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // The page for a browser without script says the same.
    let (status, _, page) = h.get(&format!("/api/events/{EVENT}/attendees")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("確定した参加者は3人です"), "{page}");
    assert!(
        page.contains("<a href=\"http://127.0.0.1:8000/members/yamada-hanako/\">山田</a>"),
        "{page}"
    );
    assert!(
        !page.contains("匿名") && !page.contains("example.jp"),
        "{page}"
    );
}

#[tokio::test]
async fn the_waitlist_is_not_listed_and_odd_choices_are_refused() {
    let h = Harness::new();
    let (status, _, text) = h
        .post(
            &format!("/api/events/{EVENT}/signups"),
            FORM,
            &h.stamped(FORM, "name=x&email=x%40example.jp&listed=maybe")
                .await,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("yes"), "{text}");
    let (status, _, _) = h.get("/api/events/no-such-event/attendees").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An event without sign-ups on the portal has no list.
    let (status, _, _) = h.get("/api/events/online-kickoff/attendees").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_export_learns_which_members_were_at_an_event_once_it_is_over() {
    let h = Harness::new();
    published_member(&h).await;
    for (client, body) in [
        (
            "203.0.113.1",
            "name=%E5%B1%B1%E7%94%B0&email=hanako%40example.jp&listed=yes",
        ),
        ("203.0.113.2", "name=x&email=guest%40example.jp&listed=yes"),
    ] {
        let (status, _, page) = h.event_signup(EVENT, client, FORM, body).await;
        assert_eq!(status, StatusCode::CREATED, "{page}");
    }
    let (status, _, before) = h.editor_get("/api/moderation/attendance").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        before, r#"{"events":[]}"#,
        "nothing before the event is over"
    );
    // 防災を語る夕べ in 仙台 ends on 2027-01-23.
    h.clock.advance(70 * 86_400);
    let (_, _, after) = h.editor_get("/api/moderation/attendance").await;
    assert_eq!(
        after, r#"{"events":[{"members":["yamada-hanako"],"slug":"sendai-bousai-evening"}]}"#,
        "members only, by slug"
    );
    let (status, _, _) = h.get("/api/moderation/attendance").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
