//! The member sign-up function over HTTP, with `Router::oneshot` (no socket), the real
//! SQLite store and the real outbox mailer, and a clock that stands still.

use functions::store::Submissions;
use std::sync::Arc;

use crate::common::{DownStore, Harness, form_post, valid_form};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use functions::store::sqlite::SqliteStore;
use functions::store::{Status, Submission};

const VALID_JSON: &str = r#"{"name":"佐藤 健","kana":"さとう けん","sector":"private","interests":["DX推進"],"email":"ken@example.jp","consent":true}"#;

#[tokio::test]
async fn the_form_is_served_with_a_stamp_and_security_headers() {
    let h = Harness::new();
    let (status, headers, html) = h.get("/api/members/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<form method=\"post\" action=\"/api/members\""));
    assert!(html.contains("<option value=\"kanagawa\">神奈川県</option>"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    // Browsers send the Origin of these pages' own form posts only under this policy.
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
}

#[tokio::test]
async fn a_form_signup_is_stored_pending_and_mails_a_confirmation_link() {
    let h = Harness::new();
    let token = h.form_token().await;
    let (status, headers, _) = h.send(form_post(&valid_form(&token))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "http://127.0.0.1:8000/join-thanks/"
    );

    // yamada-hanako is a published member, so the proposal takes the next free slug.
    let mails = h.outbox();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("To: hanako@example.jp"),
        "stored lowercased"
    );
    let link = mails[0]
        .lines()
        .find(|l| l.contains("/api/confirm?token="))
        .expect("a confirmation link")
        .trim()
        .to_owned();
    assert!(
        h.store
            .list_submissions(Status::Pending)
            .await
            .unwrap()
            .is_empty(),
        "unconfirmed: not in the queue yet"
    );

    let path = link.trim_start_matches("http://127.0.0.1:8787");
    // Opening the link (as a mail scanner would) changes nothing.
    let (status, _, page) = h.get(path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("確認する"), "{page}");
    assert!(
        h.store
            .list_submissions(Status::Pending)
            .await
            .unwrap()
            .is_empty()
    );
    let (status, _, html) = h.confirm(path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("確認できました"));
    let queue = h.store.list_submissions(Status::Pending).await.unwrap();
    assert_eq!(queue.len(), 1);
    let submission: &Submission = &queue[0];
    assert_eq!(submission.slug, "yamada-hanako-2");
    assert_eq!(submission.fields["interests"], "防災\n観光");
    assert_eq!(submission.fields["joined"], "2026-11-25");
    assert_eq!(
        submission.ip_hash, "",
        "the IP hash is kept only until the address is confirmed"
    );
    assert_eq!(submission.created_at.to_string(), "2026-11-25T03:00:05Z");
    assert!(
        !submission.fields.contains_key("email") && !submission.fields.contains_key("form_token")
    );
}

#[tokio::test]
async fn confirmation_links_that_expired_or_were_altered_are_refused() {
    let h = Harness::new();
    let token = h.form_token().await;
    h.send(form_post(&valid_form(&token))).await;
    let mail = &h.outbox()[0];
    let link = mail
        .lines()
        .find(|l| l.contains("token="))
        .unwrap()
        .trim()
        .trim_start_matches("http://127.0.0.1:8787")
        .to_owned();
    let (status, _, _) = h.get(&format!("{link}x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    h.clock.advance(49 * 3600);
    let (status, _, html) = h.get(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("有効期限"));
}

#[tokio::test]
async fn a_json_signup_gets_json() {
    let h = Harness::new();
    let (status, headers, body) = h.send(h.json_post(VALID_JSON).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    assert!(body.contains("\"status\":\"received\""));
    assert_eq!(h.outbox().len(), 1);
}

#[tokio::test]
async fn json_errors_are_per_field_and_nothing_is_stored() {
    let h = Harness::new();
    let body = r#"{"name":"","sector":"goverment","links.website":"http://x.example","email":"nope","interests":["ok"],"age":"30"}"#;
    let (status, _, text) = h.send(h.json_post(body).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors: serde_json::Value = serde_json::from_str(&text).unwrap();
    for field in ["name", "sector", "links.website", "email", "consent", "age"] {
        assert!(
            errors["errors"][field].is_array(),
            "{field} has an error: {text}"
        );
    }
    assert_eq!(
        errors["errors"]["links.website"][0],
        "https:// で始まるウェブアドレスを入力してください"
    );
    assert!(h.outbox().is_empty());
    assert!(
        !h.store
            .slug_reserved("member", h.clock_now())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn an_invalid_form_is_shown_again_with_errors_and_every_value_kept() {
    let h = Harness::new();
    let token = h.form_token().await;
    let body = valid_form(&token)
        .replace("sector=local-gov", "sector=")
        .replace(
            "%E6%A8%AA%E6%B5%9C%E5%B8%82%E5%BD%B9%E6%89%80",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        );
    let (status, _, html) = h.send(form_post(&body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("<p class=\"error\" id=\"join-sector-error\">入力してください</p>"),
        "{html}"
    );
    assert!(html.contains("aria-describedby=\"join-sector-error\""));
    assert!(
        html.contains("value=\"山田 花子\""),
        "typed values are kept"
    );
    assert!(html.contains(">防災\n観光</textarea>"));
    assert!(
        html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""),
        "and escaped"
    );
    assert!(!html.contains("<script>"));
    assert!(
        html.contains("name=\"form_token\" value=\""),
        "with a fresh stamp"
    );
    assert!(h.outbox().is_empty());
}

#[tokio::test]
async fn spam_is_answered_as_usual_but_never_stored() {
    let h = Harness::new();
    let token = h.form_token().await;
    // The honeypot is filled.
    let (status, _, _) = h
        .send(form_post(
            &valid_form(&token).replace("homepage=", "homepage=http%3A%2F%2Fspam"),
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Sent a second after the form was served.
    let (_, _, html) = h.get("/api/members/new").await;
    let marker = "name=\"form_token\" value=\"";
    let fast = html[html.find(marker).unwrap() + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    h.clock.advance(1);
    assert_eq!(
        h.send(form_post(&valid_form(&fast))).await.0,
        StatusCode::SEE_OTHER
    );
    // No stamp at all (the portal's /join/ posted without script), or a forged one: the
    // form comes back, stamped, with what was written; nothing is stored or mailed.
    for stamp in ["", "abc.def"] {
        let (status, _, html) = h.send(form_post(&valid_form(stamp))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("もう一度確認してください"), "{html}");
        assert!(
            html.contains("value=\"山田 花子\""),
            "values are kept: {html}"
        );
        let fresh = html[html.find(marker).unwrap() + marker.len()..]
            .split('"')
            .next()
            .unwrap();
        assert!(!fresh.is_empty(), "with a fresh stamp");
    }
    // As JSON, a missing stamp is answered as any spam.
    let (status, _, _) = h.send(crate::common::json_post_unstamped(VALID_JSON)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(h.outbox().is_empty());
    assert!(
        !h.store
            .slug_reserved("yamada-hanako-2", h.clock_now())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_forged_forwarded_for_header_does_not_escape_the_rate_limit() {
    let h = Harness::new();
    for n in 0..6 {
        let body = VALID_JSON.replace("ken@example.jp", &format!("ken{n}@example.jp"));
        let mut request = h.json_post(&body).await;
        request.headers_mut().insert(
            "x-forwarded-for",
            format!("198.51.100.{n}").parse().unwrap(),
        );
        let (status, _, _) = h.send(request).await;
        let expected = if n < 5 {
            StatusCode::ACCEPTED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status, expected, "sign-up {n}");
    }
}

#[tokio::test]
async fn ipv6_clients_share_a_limit_within_their_64_network() {
    let h = Harness::new();
    for n in 0..6 {
        let body = VALID_JSON.replace("ken@example.jp", &format!("ken{n}@example.jp"));
        let mut request = h.json_post(&body).await;
        request
            .extensions_mut()
            .insert(crate::common::peer(&format!("2001:db8:5:6::{n:x}")));
        let expected = if n < 5 {
            StatusCode::ACCEPTED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(h.send(request).await.0, expected, "sign-up {n}");
    }
    // Another /64 has its own limit.
    let mut request = h.json_post(&VALID_JSON.replace("ken@", "other@")).await;
    request
        .extensions_mut()
        .insert(crate::common::peer("2001:db8:5:7::1"));
    assert_eq!(h.send(request).await.0, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn more_than_five_signups_an_hour_from_one_address_are_refused() {
    let h = Harness::new();
    for n in 0..5 {
        let body = VALID_JSON.replace("ken@example.jp", &format!("ken{n}@example.jp"));
        assert_eq!(
            h.send(h.json_post(&body).await).await.0,
            StatusCode::ACCEPTED
        );
    }
    let (status, _, body) = h
        .send(h.json_post(&VALID_JSON.replace("ken@", "ken9@")).await)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("1時間"));
    h.clock.advance(3600);
    assert_eq!(
        h.send(h.json_post(&VALID_JSON.replace("ken@", "ken10@")).await)
            .await
            .0,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn posts_from_other_sites_are_refused() {
    let h = Harness::new();
    let mut request = h.json_post(VALID_JSON).await;
    request
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(h.send(request).await.0, StatusCode::FORBIDDEN);
    let mut request = h.json_post(VALID_JSON).await;
    request
        .headers_mut()
        .insert(header::ORIGIN, "http://127.0.0.1:8000".parse().unwrap());
    assert_eq!(h.send(request).await.0, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn oversized_mistyped_and_non_utf8_bodies_are_refused_clearly() {
    let h = Harness::new();
    let huge = format!("{{\"name\":\"{}\"}}", "あ".repeat(30_000));
    let (status, _, body) = h.send(h.json_post(&huge).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("64 KiB"));
    let request = Request::post("/api/members")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("x"))
        .unwrap();
    assert_eq!(h.send(request).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let request = Request::post("/api/members")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(&b"name=\x8e\x52"[..]))
        .unwrap();
    let (status, _, body) = h.send(request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("UTF-8"));
    let (status, _, _) = h.send(h.json_post("[1,2]").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(h.outbox().is_empty());
}

#[tokio::test]
async fn percent_escapes_of_invalid_utf8_and_duplicate_json_keys_are_refused() {
    let h = Harness::new();
    let token = h.form_token().await;
    // The same bytes as the raw body above, but percent-escaped: refused, not stored as U+FFFD.
    let body = valid_form(&token).replace("name=", "name=%FF%FE");
    let (status, _, text) = h.send(form_post(&body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("UTF-8"), "{text}");
    // A key sent twice is ambiguous: which address is the person's?
    let stamp = h.json_stamp().await;
    let twice = VALID_JSON.replacen(
        '{',
        &format!(r#"{{"form_token":"{stamp}","email":"attacker@example.net","#),
        1,
    );
    let (status, _, text) = h.send(crate::common::json_post_unstamped(&twice)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("`email` appears twice"), "{text}");
    // Nothing was stored: a stored sign-up mails its confirmation.
    assert!(h.outbox().is_empty());
}

#[tokio::test]
async fn control_characters_and_over_long_values_are_field_errors() {
    let h = Harness::new();
    let body = VALID_JSON
        .replace("佐藤 健", "佐藤\\u0007健")
        .replace("DX推進", &"長".repeat(41));
    let (status, _, text) = h.send(h.json_post(&body).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        errors["errors"]["name"][0]
            .as_str()
            .unwrap()
            .contains("制御文字が含まれています"),
        "{text}"
    );
    assert!(
        errors["errors"]["interests"][0]
            .as_str()
            .unwrap()
            .contains("40文字以内"),
        "{text}"
    );
}

#[tokio::test]
async fn json_sign_ups_pass_the_same_spam_rules_as_the_form() {
    let h = Harness::new();
    // No stamp: the usual answer, but nothing is stored or mailed.
    let (status, _, _) = h.send(crate::common::json_post_unstamped(VALID_JSON)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // A fresh stamp used at once: too fast for a person.
    let stamp = h.fresh_stamp().await;
    let with = |stamp: &str, extra: &str| {
        VALID_JSON.replace("}", &format!(r#","form_token":"{stamp}"{extra}}}"#))
    };
    assert_eq!(
        h.send(crate::common::json_post_unstamped(&with(&stamp, "")))
            .await
            .0,
        StatusCode::ACCEPTED
    );
    // The honeypot filled in.
    h.clock.advance(5);
    assert_eq!(
        h.send(crate::common::json_post_unstamped(&with(
            &stamp,
            r#","homepage":"x""#
        )))
        .await
        .0,
        StatusCode::ACCEPTED
    );
    assert!(h.outbox().is_empty(), "nothing mailed so far");
    // Nothing stored either: a stored (unconfirmed) sign-up would hold its slug.
    assert!(
        !h.store
            .slug_reserved("satou-ken", h.clock_now())
            .await
            .unwrap()
    );
    // The same stamp, properly used: taken once, then never again.
    assert_eq!(
        h.send(crate::common::json_post_unstamped(&with(&stamp, "")))
            .await
            .0,
        StatusCode::ACCEPTED
    );
    assert_eq!(h.outbox().len(), 1);
    let again = with(&stamp, "").replace("ken@example.jp", "ken2@example.jp");
    assert_eq!(
        h.send(crate::common::json_post_unstamped(&again)).await.0,
        StatusCode::ACCEPTED
    );
    assert_eq!(h.outbox().len(), 1, "a stamp is good for one submission");
}

#[tokio::test]
async fn names_with_bidirectional_or_zero_width_characters_are_refused() {
    let h = Harness::new();
    // "佐藤 健" with a right-to-left override, and an organization with a zero-width space.
    let body = VALID_JSON
        .replace("佐藤 健", "佐藤\\u202e健")
        .replace("DX推進", "DX\\u200b推進");
    let (status, _, text) = h.send(h.json_post(&body).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let errors: serde_json::Value = serde_json::from_str(&text).unwrap();
    for field in ["name", "interests"] {
        assert!(
            errors["errors"][field][0]
                .as_str()
                .unwrap_or_default()
                .contains("見えない文字"),
            "{field}: {text}"
        );
    }
    assert!(h.outbox().is_empty(), "nothing is mailed");
}

#[tokio::test]
async fn a_store_outage_answers_503_and_keeps_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Arc::new(SqliteStore::open(&dir.path().join("unused.sqlite3")).unwrap());
    let h = Harness::with_store(dir, Arc::new(DownStore), sqlite);
    let token = h.form_token().await;
    let (status, _, html) = h.send(form_post(&valid_form(&token))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("入力内容はそのままです"));
    assert!(html.contains("value=\"山田 花子\"") && html.contains("value=\"Hanako@Example.jp\""));
    let (status, _, _) = h.send(h.json_post(VALID_JSON).await).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(h.outbox().is_empty(), "nothing is half-done");
}

#[tokio::test]
async fn a_field_sent_twice_keeps_both_values() {
    let h = Harness::new();
    let token = h.form_token().await;
    let body = valid_form(&token).replace(
        "interests=%E9%98%B2%E7%81%BD%0D%0A%E8%A6%B3%E5%85%89",
        "interests=%E9%98%B2%E7%81%BD&interests=%E8%A6%B3%E5%85%89",
    );
    assert!(
        body.contains("&interests=%E8%A6%B3%E5%85%89"),
        "the form sends the field twice: {body}"
    );
    assert_eq!(h.send(form_post(&body)).await.0, StatusCode::SEE_OTHER);
    let link = crate::common::link_in(&h.outbox()[0], "/api/confirm?token=");
    h.confirm(&link).await;
    let queue = h.store.list_submissions(Status::Pending).await.unwrap();
    assert_eq!(queue[0].fields["interests"], "防災\n観光");
}

/// Anyone can type someone else's address: the confirmation mail then quotes no text of
/// theirs that could pass for a message, and never anything a mail client makes a link.
#[tokio::test]
async fn a_confirmation_mail_quotes_no_link_the_sender_chose() {
    let h = Harness::new();
    let body = VALID_JSON.replace("佐藤 健", "当選しました https://evil.example/login");
    let (status, _, text) = h.send(h.json_post(&body).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    let mail = h.mail_to("ken@example.jp", "/api/confirm?token=");
    assert!(
        !mail.contains("evil.example") && !mail.contains("当選"),
        "{mail}"
    );
    assert!(mail.contains("お申し込みいただいた方へ"), "{mail}");
}
