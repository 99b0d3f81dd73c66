//! The event sign-up function over HTTP: a request is held until its address is confirmed,
//! then seats and waitlist in confirmation order, idempotence, cancellation with a signed
//! link, remaining seats, and what is refused.

use crate::common::{Harness, link_in, post};
use axum::http::StatusCode;
use functions::store::SeatState;
use functions::store::Seats;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
/// In the sample content: capacity 30, on 2027-01-23 (after the tests' fixed now).
const EVENT: &str = "sendai-bousai-evening";

fn person(n: usize) -> String {
    format!(r#"{{"name":"参加者{n}","email":"p{n}@example.jp"}}"#)
}

/// `count` people sign up and confirm, one after another.
async fn fill(h: &Harness, count: usize) {
    for n in 0..count {
        let (status, _, _) = h
            .event_signup(EVENT, &format!("198.51.100.{n}"), JSON, &person(n))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
}

async fn seats(h: &Harness) -> serde_json::Value {
    let (status, _, body) = h.get(&format!("/api/events/{EVENT}/seats")).await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn a_form_signup_is_held_until_confirmed_then_takes_a_seat() {
    let h = Harness::new();
    let body = "name=%E4%BC%8A%E8%97%A4+%E7%B5%90%E8%A1%A3&email=Yui%40Example.jp&message=%E3%82%88%E3%82%8D%E3%81%97%E3%81%8F";
    let path = format!("/api/events/{EVENT}/signups");
    let (status, _, html) = h
        .post_from("203.0.113.1", &path, FORM, &h.stamped(FORM, body).await)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(html.contains("確認のメールを送りました"));
    // Held: no seat yet, whatever the number of requests.
    assert_eq!(seats(&h).await["confirmed"], 0);
    let mails = h.outbox();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("To: yui@example.jp"));
    let link = link_in(
        &mails[0],
        "/api/events/sendai-bousai-evening/confirm?token=",
    );
    // Opening the link changes nothing; the page's button confirms.
    let (status, _, page) = h.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("申し込みを確定する"));
    assert_eq!(seats(&h).await["confirmed"], 0);
    let token = link.split("token=").nth(1).unwrap();
    let confirm = |token: &str| {
        post(
            &format!("/api/events/{EVENT}/confirm"),
            FORM,
            "203.0.113.1",
            &format!("token={token}"),
        )
    };
    let (status, _, html) = h.send(confirm(token)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(html.contains("参加が確定しました"));
    let mails = h.outbox();
    assert_eq!(mails.len(), 2);
    assert!(mails[1].contains("/api/events/sendai-bousai-evening/cancel?token="));
    assert_eq!(
        seats(&h).await,
        serde_json::json!({ "capacity": 30, "confirmed": 1, "remaining": 29, "waitlist": 0 })
    );
    let stored = h.store.registrations(EVENT).await.unwrap();
    assert_eq!(
        (stored[0].name.as_str(), stored[0].message.as_deref()),
        ("伊藤 結衣", Some("よろしく"))
    );
    // The link works once.
    assert_eq!(h.send(confirm(token)).await.0, StatusCode::GONE);
}

#[tokio::test]
async fn an_unconfirmed_signup_lapses_with_its_link() {
    let h = Harness::new();
    let path = format!("/api/events/{EVENT}/signups");
    h.post_from(
        "203.0.113.1",
        &path,
        JSON,
        &h.stamped(JSON, &person(1)).await,
    )
    .await;
    let link = link_in(&h.outbox()[0], "/confirm?token=");
    h.clock.advance(48 * 3600);
    let token = link.split("token=").nth(1).unwrap();
    let (status, _, _) = h
        .post_from(
            "203.0.113.1",
            &format!("/api/events/{EVENT}/confirm"),
            FORM,
            &format!("token={token}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an expired link");
    assert_eq!(seats(&h).await["confirmed"], 0);
}

/// The same address twice is one sign-up. The second request is answered and handled as a
/// new one (a stranger must not learn who is coming): a confirmation link, which, opened,
/// finds the seat and mails its state and cancellation link again.
#[tokio::test]
async fn the_same_email_twice_is_one_signup_and_answers_as_a_new_one() {
    let h = Harness::new();
    let path = format!("/api/events/{EVENT}/signups");
    assert_eq!(
        h.event_signup(EVENT, "203.0.113.1", JSON, &person(1))
            .await
            .0,
        StatusCode::CREATED
    );
    let (new_status, _, new_answer) = h
        .post_from(
            "203.0.113.2",
            &path,
            JSON,
            &h.stamped(JSON, &person(2)).await,
        )
        .await;
    let (status, _, body) = h
        .post_from(
            "203.0.113.1",
            &path,
            JSON,
            &h.stamped(JSON, &person(1).replace("p1@", "P1@")).await,
        )
        .await;
    assert_eq!(
        (status, &body),
        (new_status, &new_answer),
        "the same answer as a new address"
    );
    assert_eq!(seats(&h).await["confirmed"], 1, "no second seat");
    // The person whose first mail was lost opens the link and gets their cancellation link.
    let (status, _, confirmed) = h.event_signup(EVENT, "203.0.113.1", JSON, &person(1)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        confirmed.contains("\"status\":\"confirmed\""),
        "{confirmed}"
    );
    assert_eq!(seats(&h).await["confirmed"], 1, "one sign-up");
    let last = h.mail_to("p1@example.jp", "すでに参加のお申し込み");
    assert!(
        last.contains("/api/events/sendai-bousai-evening/cancel?token="),
        "{last}"
    );
}

#[tokio::test]
async fn past_capacity_people_wait_in_line_and_a_cancellation_moves_the_first_up() {
    let h = Harness::new();
    fill(&h, 30).await;
    let (status, _, body) = h
        .event_signup(EVENT, "203.0.113.50", JSON, &person(100))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        body.contains("\"status\":\"waitlisted\"") && body.contains("\"waitlist_position\":1"),
        "{body}"
    );
    h.event_signup(EVENT, "203.0.113.51", JSON, &person(101))
        .await;
    assert_eq!(
        seats(&h).await,
        serde_json::json!({ "capacity": 30, "confirmed": 30, "remaining": 0, "waitlist": 2 })
    );
    assert!(
        h.mail_to("p100@example.jp", "/cancel?token=")
            .contains("キャンセル待ちの1番目")
    );

    // The link opens a page with a button; opening it changes nothing.
    let link = link_in(
        &h.mail_to("p0@example.jp", "/cancel?token="),
        "/cancel?token=",
    );
    let (status, _, page) = h.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<form method=\"post\" action=\"/api/events/sendai-bousai-evening/cancel\">")
    );
    assert_eq!(seats(&h).await["confirmed"], 30);

    let token = link.split("token=").nth(1).unwrap();
    let (status, _, _) = h
        .post_from(
            "203.0.113.1",
            &format!("/api/events/{EVENT}/cancel"),
            FORM,
            &format!("token={token}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let stored = h.store.registrations(EVENT).await.unwrap();
    assert!(!stored.iter().any(|s| s.email == "p0@example.jp"));
    let promoted = stored
        .iter()
        .find(|s| s.email == "p100@example.jp")
        .unwrap();
    assert_eq!(promoted.state, SeatState::Confirmed);
    assert!(h.outbox().last().unwrap().contains("To: p100@example.jp"));
    assert!(
        h.outbox().last().unwrap().contains("お席が空いたため"),
        "the promoted person is told"
    );
    assert_eq!(
        seats(&h).await,
        serde_json::json!({ "capacity": 30, "confirmed": 30, "remaining": 0, "waitlist": 1 })
    );
    // Using the link again finds nothing to cancel.
    let (status, _, html) = h
        .post_from(
            "203.0.113.1",
            &format!("/api/events/{EVENT}/cancel"),
            FORM,
            &format!("token={token}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("すでに取り消されています"));
}

#[tokio::test]
async fn two_hundred_simultaneous_confirmations_for_thirty_seats() {
    // A busy launch: the operator raised the portal's mail ceiling for it.
    let h = Harness::with_config(|mut config| {
        config.mails_per_hour = 1000;
        config
    });
    for n in 0..200 {
        let request = post(
            &format!("/api/events/{EVENT}/signups"),
            JSON,
            &format!("10.0.{}.{}", n / 250, n % 250),
            &h.stamped(JSON, &person(n)).await,
        );
        assert_eq!(h.send(request).await.0, StatusCode::ACCEPTED);
    }
    assert_eq!(seats(&h).await["confirmed"], 0, "requests hold no seats");
    let tokens: Vec<String> = h
        .outbox()
        .iter()
        .map(|m| {
            link_in(m, "/confirm?token=")
                .split("token=")
                .nth(1)
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for token in tokens {
        let router = functions::http::app(h.services.clone());
        tasks.spawn(async move {
            use tower::ServiceExt;
            let mut request = post(
                &format!("/api/events/{EVENT}/confirm"),
                FORM,
                "10.1.0.1",
                &format!("token={token}"),
            );
            request
                .extensions_mut()
                .insert(crate::common::peer("10.1.0.1"));
            router.oneshot(request).await.unwrap().status()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::CREATED);
    }
    assert_eq!(
        seats(&h).await,
        serde_json::json!({ "capacity": 30, "confirmed": 30, "remaining": 0, "waitlist": 170 })
    );
    assert_eq!(
        h.outbox().len(),
        400,
        "a confirmation link and an outcome each"
    );
}

#[tokio::test]
async fn events_that_take_no_signups_here_are_refused() {
    let h = Harness::new();
    for (slug, status) in [
        ("no-such-event", StatusCode::NOT_FOUND),
        ("online-kickoff", StatusCode::NOT_FOUND), // no capacity
        ("fukuoka-startup-night", StatusCode::NOT_FOUND), // signs up elsewhere
        ("yokohama-opendata-meetup", StatusCode::GONE), // over
    ] {
        let (got, _, _) = h
            .post_from(
                "203.0.113.1",
                &format!("/api/events/{slug}/signups"),
                JSON,
                &h.stamped(JSON, &person(1)).await,
            )
            .await;
        assert_eq!(got, status, "{slug}");
    }
    assert!(h.outbox().is_empty());
}

#[tokio::test]
async fn bad_fields_are_reported_per_field() {
    let h = Harness::new();
    let body = format!(
        r#"{{"name":"","email":"x","message":"{}","phone":"090"}}"#,
        "あ".repeat(1001)
    );
    let (status, _, text) = h
        .post_from(
            "203.0.113.1",
            &format!("/api/events/{EVENT}/signups"),
            JSON,
            &h.stamped(JSON, &body).await,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors: serde_json::Value = serde_json::from_str(&text).unwrap();
    for field in ["name", "email", "message", "phone"] {
        assert!(errors["errors"][field].is_array(), "{field}: {text}");
    }
    let (status, _, html) = h
        .post_from(
            "203.0.113.1",
            &format!("/api/events/{EVENT}/signups"),
            FORM,
            &h.stamped(FORM, "name=&email=x").await,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("名前を入力してください"));
    assert_eq!(seats(&h).await["confirmed"], 0);
}

#[tokio::test]
async fn cancellation_links_for_another_event_or_altered_are_refused() {
    let h = Harness::new();
    fill(&h, 1).await;
    let link = link_in(&h.outbox()[1], "/cancel?token=");
    let token = link.split("token=").nth(1).unwrap();
    let other = "/api/events/public-private-lightning-talks/cancel";
    assert_eq!(
        h.post_from("203.0.113.1", other, FORM, &format!("token={token}"))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let altered = format!("token={}x", token);
    assert_eq!(
        h.post_from(
            "203.0.113.1",
            &format!("/api/events/{EVENT}/cancel"),
            FORM,
            &altered
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(seats(&h).await["confirmed"], 1);
}

/// A seat link is for its own event: posted to another event's confirmation it is refused
/// and takes nothing, and it still works where it belongs.
#[tokio::test]
async fn a_seat_link_posted_to_another_event_changes_nothing() {
    let h = Harness::new();
    let path = format!("/api/events/{EVENT}/signups");
    let (status, _, _) = h
        .post_from(
            "203.0.113.1",
            &path,
            JSON,
            &h.stamped(JSON, &person(1)).await,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = h.mail_to("p1@example.jp", "/confirm?token=");
    let link = link_in(&mail, "/confirm?token=");
    let token = link.split("token=").nth(1).unwrap();
    let other = "yokohama-opendata-meetup";
    let (status, _, _) = h
        .post_from(
            "203.0.113.1",
            &format!("/api/events/{other}/confirm"),
            JSON,
            &format!(r#"{{"token":"{token}"}}"#),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(h.store.registrations(other).await.unwrap().is_empty());
    let (status, _, _) = h
        .post_from(
            "203.0.113.1",
            &format!("/api/events/{EVENT}/confirm"),
            JSON,
            &format!(r#"{{"token":"{token}"}}"#),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(seats(&h).await["confirmed"], 1);
}

/// A cancellation link names the sign-up it was sent for, not the address: readable by
/// nobody, and an old link does nothing to a later sign-up of the same person.
#[tokio::test]
async fn a_cancellation_link_cancels_its_own_sign_up_only_and_carries_no_address() {
    use base64::Engine;
    let h = Harness::new();
    let cancel_link = |h: &Harness| {
        let mail = h.mail_to("p1@example.jp", "/cancel?token=");
        link_in(&mail, "/cancel?token=")
    };
    let h = &h;
    let cancel = |link: String| async move {
        let token = link.split("token=").nth(1).unwrap().to_owned();
        let (status, _, body) = h
            .post_from(
                "203.0.113.1",
                &format!("/api/events/{EVENT}/cancel"),
                JSON,
                &format!(r#"{{"token":"{token}"}}"#),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["cancelled"].clone()
    };
    fill(h, 2).await;
    let first = cancel_link(h);
    let token = first.split("token=").nth(1).unwrap();
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.split('.').next().unwrap())
        .unwrap();
    let payload = String::from_utf8(payload).unwrap();
    assert!(
        !payload.contains("p1@") && !payload.contains("example.jp"),
        "{payload}"
    );
    assert_eq!(cancel(first.clone()).await, true);
    // Signed up again: the old link finds nothing, the new one cancels.
    let (status, _, _) = h
        .event_signup(EVENT, "198.51.100.9", JSON, &person(1))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let second = cancel_link(h);
    assert_ne!(first, second);
    assert_eq!(cancel(first).await, false);
    assert!(
        h.store
            .registration(EVENT, "p1@example.jp")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(cancel(second).await, true);
    assert!(
        h.store
            .registration(EVENT, "p1@example.jp")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        h.store
            .registration(EVENT, "p0@example.jp")
            .await
            .unwrap()
            .is_some()
    );
}

/// An editor raised the capacity (the catalog changed): the next confirmation first gives
/// the new seats to those waiting, in line order, and tells them.
#[tokio::test]
async fn a_raised_capacity_goes_to_the_waitlist_before_newcomers() {
    let h = Harness::new();
    fill(&h, 32).await; // 30 seats, p30 and p31 waiting
    let mut catalog = functions::catalog::Catalog::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content"),
    )
    .unwrap();
    catalog.events.get_mut(EVENT).unwrap().capacity = Some(32);
    h.services.replace_catalog(catalog);
    let (status, _, answer) = h
        .event_signup(EVENT, "203.0.113.99", JSON, &person(99))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        answer.contains("\"waitlisted\""),
        "the newcomer waits behind: {answer}"
    );
    let signups = h.store.registrations(EVENT).await.unwrap();
    let state = |email: &str| signups.iter().find(|s| s.email == email).unwrap().state;
    assert_eq!(state("p30@example.jp"), SeatState::Confirmed);
    assert_eq!(state("p31@example.jp"), SeatState::Confirmed);
    assert_eq!(state("p99@example.jp"), SeatState::Waitlisted);
    assert!(
        h.mail_to("p30@example.jp", "お席が空いたため")
            .contains("/cancel?token=")
    );
    assert!(
        h.mail_to("p31@example.jp", "お席が空いたため")
            .contains("/cancel?token=")
    );
}

/// An event sign-up mails someone, so it passes the spam rules of every public form: a
/// post without a stamp mails nothing (a page without script gets the form back, filled
/// and stamped), a filled honeypot and a reused stamp are answered as usual and do nothing.
#[tokio::test]
async fn an_event_sign_up_without_a_stamp_or_with_the_honeypot_mails_nothing() {
    let h = Harness::new();
    let path = format!("/api/events/{EVENT}/signups");
    let (status, _, page) = h
        .post_from(
            "203.0.113.1",
            &path,
            FORM,
            "name=%E4%BC%8A%E8%97%A4&email=yui%40example.jp",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("もう一度確認してください"), "{page}");
    assert!(page.contains("value=\"伊藤\""), "kept: {page}");
    assert!(
        page.contains("name=\"form_token\" value=\"ey"),
        "stamped: {page}"
    );
    let (status, _, _) = h.post_from("203.0.113.1", &path, JSON, &person(2)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "an API client learns nothing");
    let honeypot = h
        .stamped(
            FORM,
            "name=x&email=bot%40example.jp&homepage=http%3A%2F%2Fspam",
        )
        .await;
    let (status, _, _) = h.post_from("203.0.113.1", &path, FORM, &honeypot).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let once = h.stamped(JSON, &person(3)).await;
    h.post_from("203.0.113.1", &path, JSON, &once).await;
    let (status, _, _) = h
        .post_from("203.0.113.1", &path, JSON, &once.replace("p3@", "p4@"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mails = h.outbox();
    assert_eq!(mails.len(), 1, "only the first use of the stamp mails");
    assert!(mails[0].contains("To: p3@example.jp"));
}

/// One mailbox, one seat: another spelling of an address that holds a seat (plus-tag,
/// case) is the same sign-up, and its link goes to the address that holds the seat
/// (found by an outside probe, which took three seats with bob@, bob+1@ and bob+@).
#[tokio::test]
async fn spellings_of_one_mailbox_hold_one_seat() {
    let h = Harness::new();
    let bob = r#"{"name":"ボブ","email":"bob@example.jp"}"#;
    assert_eq!(
        h.event_signup(EVENT, "203.0.113.1", JSON, bob).await.0,
        StatusCode::CREATED
    );
    let spelled = r#"{"name":"ボブ","email":"Bob+1@example.jp"}"#;
    let (status, _, answer) = h.event_signup(EVENT, "203.0.113.2", JSON, spelled).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(answer.contains("\"status\":\"confirmed\""), "{answer}");
    assert_eq!(seats(&h).await["confirmed"], 1, "still one seat");
    assert!(
        !h.outbox().iter().any(|m| m.contains("To: bob+1@")),
        "the link went to the seat's own address"
    );
}

#[tokio::test]
async fn an_error_page_carries_the_sites_name_from_site_yaml() {
    let h = Harness::new();
    let (status, _, html) = h
        .post("/api/events/no-such-event/signups", FORM, "name=a")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("このイベントは見つかりません。"), "{html}");
    assert!(
        html.contains("<title>エラー | まじわる 官民交流ポータル</title>"),
        "{html}"
    );
    assert!(html.contains("class=\"site-title\""), "{html}");
}
