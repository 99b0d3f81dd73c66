//! Nothing mails anyone, or holds anything, for free: every endpoint that stores something
//! and mails someone is limited per client and per recipient address.

use crate::common::Harness;
use axum::http::StatusCode;

const JSON: &str = "application/json";

fn profile(email: &str, stamp: &str) -> String {
    format!(
        r#"{{"name":"佐藤 健","kana":"さとう けん","sector":"private","email":"{email}","consent":true,"form_token":"{stamp}"}}"#
    )
}

#[tokio::test]
async fn one_address_gets_at_most_three_sign_up_mails_a_day_whoever_asks() {
    let h = Harness::new();
    for n in 0..4 {
        // A different client each time: only the recipient ties them together.
        let client = format!("198.51.100.{n}");
        let stamp = h.json_stamp().await;
        let (status, _, _) = h
            .post_from(
                &client,
                "/api/members",
                JSON,
                &profile("victim@example.jp", &stamp),
            )
            .await;
        let expected = if n < 3 {
            StatusCode::ACCEPTED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status, expected, "sign-up {n}");
    }
    assert_eq!(h.outbox().len(), 3, "no fourth mail");
    h.clock.advance(86_400);
    let stamp = h.json_stamp().await;
    let (status, _, _) = h
        .post_from(
            "198.51.100.9",
            "/api/members",
            JSON,
            &profile("victim@example.jp", &stamp),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "a day later it may be mailed again"
    );
}

/// A removal link is mailed to a member at most three times a day, and only requests with
/// the member's own address count: strangers typing other addresses cannot use up the
/// member's requests (found by an outside probe), and the fourth is answered as any request
/// is (found by an outside attack). One client is limited on its own.
#[tokio::test]
async fn removal_requests_are_limited_per_client_and_per_member() {
    let h = Harness::new();
    crate::common::published_member(&h).await;
    let path = "/api/members/yamada-hanako/removal";
    let body = |email: &str| format!(r#"{{"email":"{email}"}}"#);
    for n in 0..5 {
        let client = format!("198.51.100.{n}");
        let body = h
            .stamped(JSON, &body(&format!("griefer{n}@example.net")))
            .await;
        let (status, _, _) = h.post_from(&client, path, JSON, &body).await;
        assert_eq!(status, StatusCode::ACCEPTED, "stranger {n}");
    }
    for n in 0..4 {
        let client = format!("198.51.100.{}", 20 + n);
        let body = h.stamped(JSON, &body(crate::common::HANAKO)).await;
        let (status, _, _) = h.post_from(&client, path, JSON, &body).await;
        // Past the member's three, the same answer as any request (a 429 would tell a
        // stranger the address was the member's), and no mail.
        assert_eq!(status, StatusCode::ACCEPTED, "the member's own request {n}");
    }
    for n in 0..6 {
        let (status, _, _) = h
            .post_from(
                "203.0.113.50",
                &format!("/api/members/someone-{n}/removal"),
                JSON,
                &h.stamped(JSON, &body(&format!("p{n}@example.jp"))).await,
            )
            .await;
        let expected = if n < 5 {
            StatusCode::ACCEPTED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status, expected, "request {n} from one client");
    }
    h.deliver().await;
    assert_eq!(h.outbox().len(), 3, "the member's own three, no more");
}

/// One client cannot use the portal's whole mail ceiling: its share is a fifth (50 -> 10),
/// whichever forms it uses; and one mailbox gets at most 12 mails a day across them all.
#[tokio::test]
async fn one_client_gets_a_share_of_the_ceiling_and_one_mailbox_a_day_of_mail() {
    let h = Harness::new();
    let mut statuses = Vec::new();
    for n in 0..12 {
        let body = h
            .stamped(
                JSON,
                &format!(r#"{{"name":"佐藤 健","email":"p{n}@example.jp"}}"#),
            )
            .await;
        let (status, _, _) = h
            .post_from(
                "203.0.113.77",
                "/api/events/sendai-bousai-evening/signups",
                JSON,
                &body,
            )
            .await;
        statuses.push(status);
    }
    let taken = statuses
        .iter()
        .filter(|s| **s == StatusCode::ACCEPTED)
        .count();
    assert_eq!(taken, 10, "{statuses:?}");
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
    // Twelve mails a day to one mailbox, from many clients and forms together: ten event
    // sign-ups (that action's own limit), then sign-ups to the portal (limit 3) stop at two.
    let mut mailed = 0;
    for n in 0..10 {
        let event = if n % 2 == 0 {
            "sendai-bousai-evening"
        } else {
            "nagano-workation-visit"
        };
        let body = h
            .stamped(
                JSON,
                &format!(r#"{{"name":"x","email":"same+{n}@example.jp"}}"#),
            )
            .await;
        let client = format!("198.51.100.{}", 100 + n);
        let path = format!("/api/events/{event}/signups");
        if h.post_from(&client, &path, JSON, &body).await.0 == StatusCode::ACCEPTED {
            mailed += 1;
        }
    }
    assert_eq!(mailed, 10);
    let mut joins = Vec::new();
    for n in 0..3 {
        let stamp = h.json_stamp().await;
        let client = format!("198.51.100.{}", 150 + n);
        let (status, _, _) = h
            .post_from(
                &client,
                "/api/members",
                JSON,
                &profile("Same@example.jp", &stamp),
            )
            .await;
        joins.push(status);
    }
    assert_eq!(
        joins,
        [
            StatusCode::ACCEPTED,
            StatusCode::ACCEPTED,
            StatusCode::TOO_MANY_REQUESTS
        ],
        "twelve in all"
    );
}

#[tokio::test]
async fn event_sign_ups_are_limited_per_recipient() {
    let h = Harness::new();
    let path = "/api/events/sendai-bousai-evening/signups";
    let body = r#"{"name":"佐藤 健","email":"victim@example.jp"}"#;
    let mut statuses = Vec::new();
    for n in 0..11 {
        let client = format!("198.51.100.{n}");
        let body = h.stamped(JSON, body).await;
        statuses.push(h.post_from(&client, path, JSON, &body).await.0);
    }
    assert!(
        statuses[..10].iter().all(|s| s.is_success()),
        "{statuses:?}"
    );
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
}

/// Limits count mailboxes, not spellings: plus-addressing, Gmail's dots and case are one
/// mailbox, so they share its three mails a day.
#[tokio::test]
async fn spellings_of_one_mailbox_share_its_limit() {
    let h = Harness::new();
    let spellings = [
        "victim@gmail.com",
        "Victim+1@gmail.com",
        "v.i.c.t.i.m@gmail.com",
        "vic.tim+x@googlemail.com",
    ];
    let mut statuses = Vec::new();
    for (n, address) in spellings.iter().enumerate() {
        let stamp = h.json_stamp().await;
        let client = format!("198.51.100.{n}");
        let (status, _, _) = h
            .post_from(&client, "/api/members", JSON, &profile(address, &stamp))
            .await;
        statuses.push(status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::ACCEPTED,
            StatusCode::ACCEPTED,
            StatusCode::ACCEPTED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert_eq!(h.outbox().len(), 3);
}

/// One site's IPv6 /48 holds 65,536 /64s: rotating through them gains four /64s' worth.
#[tokio::test]
async fn an_ipv6_site_is_counted_by_its_48_as_well_as_its_64s() {
    let h = Harness::new();
    let mut accepted = 0;
    for n in 0..30 {
        let stamp = h.json_stamp().await;
        let client = format!("2001:db8:77:{n:x}::1");
        let (status, _, _) = h
            .post_from(
                &client,
                "/api/members",
                JSON,
                &profile(&format!("p{n}@example.jp"), &stamp),
            )
            .await;
        if status == StatusCode::ACCEPTED {
            accepted += 1;
        } else {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        }
    }
    // Five an hour per client, four clients' worth for the /48.
    assert_eq!(accepted, 20);
    // Another site is not held back.
    let stamp = h.json_stamp().await;
    let (status, _, _) = h
        .post_from(
            "2001:db8:78::1",
            "/api/members",
            JSON,
            &profile("other@example.jp", &stamp),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

/// However many clients and addresses, the public forms cause at most the configured
/// number of mails an hour; past it a clear 429, until the hour turns.
#[tokio::test]
async fn the_portal_sheds_mail_past_its_hourly_ceiling() {
    let h = Harness::with_config(|mut config| {
        config.mails_per_hour = 4;
        config
    });
    let mut statuses = Vec::new();
    for n in 0..6 {
        let stamp = h.json_stamp().await;
        let (status, _, body) = h
            .post_from(
                &format!("198.51.100.{n}"),
                "/api/members",
                JSON,
                &profile(&format!("p{n}@example.jp"), &stamp),
            )
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(body.contains("1時間"), "{body}");
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::ACCEPTED)
            .count(),
        4
    );
    assert_eq!(h.outbox().len(), 4);
    h.clock.advance(3600);
    let stamp = h.json_stamp().await;
    let (status, _, _) = h
        .post_from(
            "198.51.100.50",
            "/api/members",
            JSON,
            &profile("later@example.jp", &stamp),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "the next hour");
}

/// With the portal's hourly mail used up (by anyone: event sign-ups take any address), the
/// proof-based forms still answer a member's own address as any other: a 429 only for the
/// member's address would tell a stranger whose it is (found by an outside attack).
#[tokio::test]
async fn a_full_mail_ceiling_does_not_tell_whose_address_it_is() {
    let h = Harness::with_config(|mut config| {
        config.mails_per_hour = 2;
        config
    });
    crate::common::published_member(&h).await;
    for n in 0..3 {
        let stamp = h.json_stamp().await;
        h.post_from(
            &format!("198.51.100.{n}"),
            "/api/members",
            JSON,
            &profile(&format!("filler{n}@example.jp"), &stamp),
        )
        .await;
    }
    let mails = h.outbox().len();
    let mut answers = Vec::new();
    for (n, email) in [crate::common::HANAKO, "guess@example.jp"]
        .iter()
        .enumerate()
    {
        for path in [
            "/api/members/yamada-hanako/edit",
            "/api/members/yamada-hanako/removal",
        ] {
            let body = h.stamped(JSON, &format!(r#"{{"email":"{email}"}}"#)).await;
            let (status, _, text) = h
                .post_from(&format!("203.0.113.{}", 10 + n), path, JSON, &body)
                .await;
            answers.push((path, status, text));
        }
    }
    assert_eq!(
        answers[0], answers[2],
        "edit: the member's address and a guess"
    );
    assert_eq!(
        answers[1], answers[3],
        "removal: the member's address and a guess"
    );
    assert!(answers.iter().all(|(_, status, _)| status.is_success()));
    h.deliver().await;
    assert_eq!(h.outbox().len(), mails, "nothing past the ceiling");
}
