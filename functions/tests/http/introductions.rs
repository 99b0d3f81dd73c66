//! Introductions by consent over HTTP: only a published member proved by their own mailbox
//! can ask, only the button of the mailed link's page sends, the recipient's answer mails
//! both once, a decline and silence look the same, and no address reaches a page.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::common::{HANAKO, Harness, Reply, link_in, post, published_as, published_member};

const KENTA: &str = "kenta@example.jp";
const FORM: &str = "application/x-www-form-urlencoded";
const NOTE: &str = "防災の話を、気軽にしてみたいです。";

fn encode(text: &str) -> String {
    let pair = serde_urlencoded::to_string([("x", text)]).unwrap();
    pair["x=".len()..].to_owned()
}

/// The profile's form, stamped, as a person sends it.
async fn ask(h: &Harness, to: &str, from: &str, email: &str) -> Reply {
    let body = format!(
        "from={}&email={}&note={}",
        encode(from),
        encode(email),
        encode(NOTE)
    );
    let body = h.stamped(FORM, &body).await;
    h.send(post(
        &format!("/api/members/{to}/introduce"),
        FORM,
        "203.0.113.7",
        &body,
    ))
    .await
}

fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("a token").to_owned()
}

/// Posts the link's token (and `extra` fields) to `path`.
async fn press(h: &Harness, path: &str, token: &str, extra: &str) -> Reply {
    h.send(post(
        path,
        FORM,
        "203.0.113.7",
        &format!("token={token}{extra}"),
    ))
    .await
}

/// Asks, opens the mailed link, presses its button: the sent answer.
async fn request_and_send(h: &Harness, to: &str, from: &str, email: &str) -> Reply {
    let (status, _, page) = ask(h, to, from, email).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    h.deliver().await;
    let mail = h.mail_to(email, "/api/introductions/send?token=");
    let link = link_in(&mail, "/api/introductions/send?token=");
    let (status, _, page) = h.get(&link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("action=\"/api/introductions/send\""),
        "{page}"
    );
    let reply = press(h, "/api/introductions/send", &token_of(&link), "").await;
    h.deliver().await;
    reply
}

fn answer_link(h: &Harness, to: &str, from_name: &str) -> String {
    let mail = h.mail_to(to, &format!("{from_name}さんから、あなたと会ってみたい"));
    link_in(&mail, "/api/introductions/answer?token=")
}

fn no_address(page: &str) {
    for address in [HANAKO, KENTA] {
        assert!(!page.contains(address), "{address} in {page}");
    }
}

#[tokio::test]
async fn a_member_asks_the_other_accepts_once_and_each_learns_the_others_address() {
    let h = Harness::new();
    published_member(&h).await;
    published_as(&h, "sato-kenta", KENTA).await;
    let (status, _, page) = ask(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("確認のリンクを送りました"), "{page}");
    no_address(&page);
    h.deliver().await;
    let mail = h.mail_to(HANAKO, "/api/introductions/send?token=");
    assert!(mail.contains("佐藤 健太さんへの紹介の依頼"), "{mail}");
    let link = link_in(&mail, "/api/introductions/send?token=");
    // Opening the link (as a mail scanner would, twice) sends nothing.
    for _ in 0..2 {
        let (status, _, page) = h.get(&link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(NOTE) && page.contains("依頼を送る"), "{page}");
        no_address(&page);
    }
    h.deliver().await;
    assert_eq!(h.outbox().len(), 1, "nothing reached the recipient yet");
    let (status, _, page) = press(&h, "/api/introductions/send", &token_of(&link), "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("依頼を送りました"), "{page}");
    h.deliver().await;
    let request = h.mail_to(KENTA, "山田 花子さんから、あなたと会ってみたい");
    assert!(request.contains(NOTE), "{request}");
    assert!(request.contains("所属: "), "{request}");
    assert!(
        request.contains("/api/introductions/report?token="),
        "{request}"
    );
    assert!(!request.contains(HANAKO), "no address before the answer");
    // The link is spent: a second post sends nothing more.
    let (status, _, _) = press(&h, "/api/introductions/send", &token_of(&link), "").await;
    assert_eq!(status, StatusCode::GONE);
    let answer = answer_link(&h, KENTA, "山田 花子");
    let (status, _, page) = h.get(&answer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("会ってみる") && page.contains("今回は見送る"),
        "{page}"
    );
    assert!(page.contains("この人からの依頼を受け取らない"), "{page}");
    no_address(&page);
    // Accepted twice at the same moment: one introduction.
    let token = token_of(&answer);
    let (first, second) = tokio::join!(
        press(&h, "/api/introductions/answer", &token, "&answer=accept"),
        press(&h, "/api/introductions/answer", &token, "&answer=accept")
    );
    for (status, _, page) in [&first, &second] {
        assert_eq!(*status, StatusCode::OK, "{page}");
        no_address(page);
    }
    h.deliver().await;
    let to_hanako: Vec<String> = (h.outbox().into_iter())
        .filter(|m| m.contains(&format!("To: {HANAKO}")) && m.contains("紹介の依頼を承諾しました"))
        .collect();
    let to_kenta: Vec<String> = (h.outbox().into_iter())
        .filter(|m| m.contains(&format!("To: {KENTA}")) && m.contains("紹介の依頼を承諾しました"))
        .collect();
    assert_eq!((to_hanako.len(), to_kenta.len()), (1, 1));
    assert!(to_hanako[0].contains(KENTA) && to_hanako[0].contains("佐藤 健太"));
    assert!(to_kenta[0].contains(HANAKO) && to_kenta[0].contains("山田 花子"));
}

#[tokio::test]
async fn a_stranger_or_a_wrong_address_gets_the_same_answer_and_no_link() {
    let h = Harness::new();
    published_member(&h).await;
    published_as(&h, "sato-kenta", KENTA).await;
    let (_, _, right) = ask(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    for (from, email) in [
        ("yamada-hanako", "someone@example.jp"),
        ("no-such-member", "someone@example.jp"),
        // A member whose profile did not come through the sign-up has no address here.
        ("takahashi-ryo", "ryo@example.jp"),
    ] {
        let (status, _, page) = ask(&h, "sato-kenta", from, email).await;
        assert_eq!(status, StatusCode::OK, "{from}");
        assert_eq!(page, right, "{from}: nobody learns who is a member");
    }
    h.deliver().await;
    assert_eq!(h.outbox().len(), 1, "one link, to the member's own address");
    // Asking oneself, and a malformed form, are said beside the fields.
    let (status, _, page) = ask(&h, "yamada-hanako", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("ご自身への依頼はできません"), "{page}");
    let long = "あ".repeat(401);
    let body = h
        .stamped(
            FORM,
            &format!(
                "from=yamada-hanako&email={}&note={}",
                encode(HANAKO),
                encode(&long)
            ),
        )
        .await;
    let (status, _, page) = h
        .send(post(
            "/api/members/sato-kenta/introduce",
            FORM,
            "203.0.113.7",
            &body,
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("400字以内") && page.contains("aria-invalid"),
        "{page}"
    );
    // No such member to ask.
    let (status, _, _) = ask(&h, "no-such-member", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_forged_or_foreign_link_does_nothing() {
    let h = Harness::new();
    published_member(&h).await;
    published_as(&h, "sato-kenta", KENTA).await;
    let (status, _, _) = request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::OK);
    let answer = token_of(&answer_link(&h, KENTA, "山田 花子"));
    let mut forged = answer.clone();
    forged.pop();
    forged.push(if answer.ends_with('A') { 'B' } else { 'A' });
    for path in ["/api/introductions/answer", "/api/introductions/report"] {
        let (status, _, _) = h.get(&format!("{path}?token={forged}")).await;
        assert_eq!(status, StatusCode::GONE, "{path}");
    }
    let (status, _, _) = press(&h, "/api/introductions/answer", &forged, "&answer=accept").await;
    assert_eq!(status, StatusCode::GONE);
    // The recipient's link cannot send a request, nor the requester's answer one.
    let (status, _, _) = press(&h, "/api/introductions/send", &answer, "").await;
    assert_eq!(status, StatusCode::GONE);
    let mails = h.outbox().len();
    h.deliver().await;
    assert_eq!(h.outbox().len(), mails, "nothing was mailed");
}

#[tokio::test]
async fn the_fourth_open_request_is_refused_and_one_per_pair() {
    let h = Harness::new();
    published_member(&h).await;
    let others = [
        ("sato-kenta", "kenta@example.jp"),
        ("takahashi-ryo", "ryo@example.jp"),
        ("abe-kaori", "kaori@example.jp"),
        ("inoue-daisuke", "daisuke@example.jp"),
    ];
    for (slug, email) in others {
        published_as(&h, slug, email).await;
    }
    for (slug, _) in &others[..3] {
        let (status, _, page) = request_and_send(&h, slug, "yamada-hanako", HANAKO).await;
        assert_eq!(status, StatusCode::OK, "{slug}: {page}");
    }
    let (status, _, page) = request_and_send(&h, "inoue-daisuke", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("3件"), "{page}");
    assert!(
        !h.outbox()
            .iter()
            .any(|m| m.contains("To: daisuke@example.jp")),
        "the fourth never arrives"
    );
    h.clock.advance(14 * 86_400);
    let (status, _, page) = request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::OK, "after 14 days: {page}");
    let (status, _, page) = request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "one open request per pair: {page}"
    );
}

#[tokio::test]
async fn a_blocked_requester_is_dropped_silently_and_decline_and_silence_read_the_same() {
    let h = Harness::new();
    published_member(&h).await;
    published_as(&h, "sato-kenta", KENTA).await;
    published_as(&h, "takahashi-ryo", "ryo@example.jp").await;
    let (_, _, sent) = request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    request_and_send(&h, "takahashi-ryo", "yamada-hanako", HANAKO).await;
    // Kenta declines and blocks; Ryo never answers.
    let answer = token_of(&answer_link(&h, KENTA, "山田 花子"));
    let (status, _, page) = press(&h, "/api/introductions/answer", &answer, "&answer=block").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("この人からの依頼は、今後届きません"),
        "{page}"
    );
    assert!(page.contains("この人からの依頼をまた受け取る"), "{page}");
    // After 14 days both close, and the requester reads the same words for both.
    h.clock.advance(14 * 86_400);
    let closed = functions::introductions::close_due(&h.services, 100)
        .await
        .unwrap();
    assert_eq!(closed, 2);
    assert_eq!(
        functions::introductions::close_due(&h.services, 100)
            .await
            .unwrap(),
        0,
        "once"
    );
    h.deliver().await;
    let body = |mail: &str| {
        let mail = mail.replace("\r\n", "\n");
        mail.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n")
    };
    let declined =
        body(&h.mail_to(HANAKO, "佐藤 健太さんへの紹介の依頼は")).replace("佐藤 健太", "X");
    let silent = body(&h.mail_to(HANAKO, "高橋 亮さんへの紹介の依頼は")).replace("高橋 亮", "X");
    assert_eq!(declined, silent);
    // A new request to the member who blocked: the same answer, and nothing reaches them.
    let mails_to_kenta = || {
        h.outbox()
            .iter()
            .filter(|m| m.contains(&format!("To: {KENTA}")))
            .count()
    };
    let before = mails_to_kenta();
    let (status, _, again) = request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    assert_eq!((status, again), (StatusCode::OK, sent));
    assert_eq!(mails_to_kenta(), before);
}

#[tokio::test]
async fn a_report_reaches_the_editors_who_can_suspend_the_requester() {
    let h = Harness::new();
    published_member(&h).await;
    published_as(&h, "sato-kenta", KENTA).await;
    published_as(&h, "takahashi-ryo", "ryo@example.jp").await;
    request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    let mail = h.mail_to(KENTA, "山田 花子さんから、あなたと会ってみたい");
    let report = link_in(&mail, "/api/introductions/report?token=");
    let (status, _, page) = h.get(&report).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"reason\""), "{page}");
    let (status, _, page) = press(
        &h,
        "/api/introductions/report",
        &token_of(&report),
        &format!("&reason={}", encode("営業の勧誘でした")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _, listing) = h.editor_get("/api/moderation/introductions").await;
    assert_eq!(status, StatusCode::OK);
    let listing: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let reported = &listing["reported"][0];
    assert_eq!(reported["requester"], "yamada-hanako");
    assert_eq!(reported["recipient"], "sato-kenta");
    assert_eq!(reported["note"], NOTE);
    assert_eq!(reported["report"], "営業の勧誘でした");
    no_address(&listing.to_string());
    // Visitors see nothing of it.
    let (status, _, _) = h.get("/api/moderation/introductions").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = h
        .editor_post("/api/moderation/requesters/yamada-hanako/suspend", "{}")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, page) = request_and_send(&h, "takahashi-ryo", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    let (_, _, listing) = h.editor_get("/api/moderation/introductions").await;
    assert!(
        listing.contains("\"suspended\":[\"yamada-hanako\"]"),
        "{listing}"
    );
    h.editor_post("/api/moderation/requesters/yamada-hanako/lift", "{}")
        .await;
    let (status, _, _) = request_and_send(&h, "takahashi-ryo", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_member_who_takes_no_requests_cannot_be_asked() {
    let h = Harness::new();
    published_member(&h).await;
    published_as(&h, "sato-kenta", KENTA).await;
    // Kenta closes his profile to requests.
    let file = h.dir.path().join("sato-kenta.md");
    let original = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/members/sato-kenta.md"),
    )
    .unwrap();
    std::fs::write(
        &file,
        original.replacen("---\n", "---\nintroductions: closed\n", 1),
    )
    .unwrap();
    let mut catalog = (*h.services.catalog()).clone();
    catalog.member_files.insert("sato-kenta".into(), file);
    h.services.replace_catalog(catalog);
    let (status, _, page) = ask(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    assert!(page.contains("受け付けていません"), "{page}");
    h.deliver().await;
    assert!(h.outbox().is_empty());
}

#[tokio::test]
async fn a_request_without_script_is_shown_again_stamped() {
    let h = Harness::new();
    published_member(&h).await;
    let body = format!(
        "from=yamada-hanako&email={}&note={}",
        encode(HANAKO),
        encode(NOTE)
    );
    let (status, _, page) = h
        .send(
            Request::post("/api/members/sato-kenta/introduce")
                .header(header::CONTENT_TYPE, FORM)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let stamp = page
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default();
    assert!(!stamp.is_empty(), "a fresh stamp: {page}");
    assert!(page.contains(NOTE), "what was typed is kept: {page}");
    h.deliver().await;
    assert!(h.outbox().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_member_lifts_a_block_from_their_edit_link_long_after_the_request_is_gone() {
    let h = Harness::new();
    published_member(&h).await;
    published_as(&h, "sato-kenta", KENTA).await;
    request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    let answer = token_of(&answer_link(&h, KENTA, "山田 花子"));
    press(&h, "/api/introductions/answer", &answer, "&answer=block").await;
    // Two months on, the request is deleted; Kenta opens his profile's edit link.
    h.clock.advance(60 * 86_400);
    let body = h.stamped(FORM, &format!("email={}", encode(KENTA))).await;
    h.send(post(
        "/api/members/sato-kenta/edit",
        FORM,
        "203.0.113.9",
        &body,
    ))
    .await;
    h.deliver().await;
    let edit = link_in(
        &h.mail_to(KENTA, "/api/members/edit?token="),
        "/api/members/edit?token=",
    );
    let (status, _, page) = h.get(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("紹介の依頼を受け取らない人") && page.contains("山田 花子"),
        "{page}"
    );
    no_address(&page);
    let token = token_of(&edit);
    let (status, _, _) = press(
        &h,
        "/api/introductions/blocks/lift",
        "forged",
        "&requester=yamada-hanako",
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
    let (status, _, page) = press(
        &h,
        "/api/introductions/blocks/lift",
        &token,
        "&requester=yamada-hanako",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("また受け取ります"), "{page}");
    assert!(!page.contains("紹介の依頼を受け取らない人"), "{page}");
    // Hanako's next request reaches him.
    let before = h.outbox().len();
    let (status, _, _) = request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        h.outbox()[before..]
            .iter()
            .any(|m| m.contains(&format!("To: {KENTA}"))),
        "the request arrives"
    );
}

#[tokio::test]
async fn a_report_link_cannot_answer_and_a_suspended_requester_is_introduced_to_nobody() {
    let h = Harness::new();
    published_member(&h).await;
    published_as(&h, "sato-kenta", KENTA).await;
    request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    let mail = h.mail_to(KENTA, "山田 花子さんから、あなたと会ってみたい");
    let answer = token_of(&link_in(&mail, "/api/introductions/answer?token="));
    let report = token_of(&link_in(&mail, "/api/introductions/report?token="));
    assert_ne!(answer, report);
    // A report link forwarded as evidence answers nothing; an answer link reports nothing.
    let (status, _, _) = press(&h, "/api/introductions/answer", &report, "&answer=accept").await;
    assert_eq!(status, StatusCode::GONE);
    let (status, _, _) = h
        .get(&format!("/api/introductions/report?token={answer}"))
        .await;
    assert_eq!(status, StatusCode::GONE);
    // Suspended after the request was sent: the recipient cannot accept it.
    let (status, _, _) = h
        .editor_post("/api/moderation/requesters/yamada-hanako/suspend", "{}")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, page) = h
        .get(&format!("/api/introductions/answer?token={answer}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("運営により紹介の依頼を止められています"),
        "{page}"
    );
    assert!(!page.contains("value=\"accept\""), "{page}");
    let before = h.outbox().len();
    let (status, _, _) = press(&h, "/api/introductions/answer", &answer, "&answer=accept").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    h.deliver().await;
    assert_eq!(h.outbox().len(), before, "nobody's address was mailed");
    let (status, _, _) = h
        .editor_post("/api/moderation/requesters/no-such-member/suspend", "{}")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_requester_reposting_a_refused_link_does_not_silence_the_recipient() {
    let h = Harness::new();
    published_member(&h).await;
    for (slug, email) in [
        ("sato-kenta", KENTA),
        ("takahashi-ryo", "ryo@example.jp"),
        ("abe-kaori", "kaori@example.jp"),
        ("inoue-daisuke", "daisuke@example.jp"),
        ("kimura-yumi", "yumi@example.jp"),
    ] {
        published_as(&h, slug, email).await;
    }
    for slug in ["takahashi-ryo", "abe-kaori", "inoue-daisuke"] {
        request_and_send(&h, slug, "yamada-hanako", HANAKO).await;
    }
    // Hanako's fourth, to Kenta, is refused; she posts its link again and again.
    let (status, _, _) = request_and_send(&h, "sato-kenta", "yamada-hanako", HANAKO).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let link = h.mail_to(HANAKO, "佐藤 健太さんへの紹介の依頼");
    let token = token_of(&link_in(&link, "/api/introductions/send?token="));
    for n in 0..8 {
        let (status, _, _) = h
            .send(post(
                "/api/introductions/send",
                FORM,
                &format!("198.51.100.{n}"),
                &format!("token={token}"),
            ))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
    // Yumi still reaches Kenta.
    let (status, _, page) =
        request_and_send(&h, "sato-kenta", "kimura-yumi", "yumi@example.jp").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    h.mail_to(KENTA, "木村 由美さんから、あなたと会ってみたい");
}

#[tokio::test]
async fn a_post_a_browser_marks_as_cross_site_is_refused_without_an_origin() {
    let h = Harness::new();
    let body = h
        .stamped(
            FORM,
            &format!("from=yamada-hanako&email={}&note=x", encode(HANAKO)),
        )
        .await;
    let (status, _, _) = h
        .send(
            Request::post("/api/members/sato-kenta/introduce")
                .header(header::CONTENT_TYPE, FORM)
                .header("sec-fetch-site", "cross-site")
                .header(header::REFERER, "https://evil.example/")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_profiles_of_one_mailbox_share_the_limits() {
    let h = Harness::new();
    published_member(&h).await;
    // Two published profiles submitted with one address (found by an outside attack).
    published_as(&h, "kato-sakura", HANAKO).await;
    for (slug, email) in [
        ("sato-kenta", KENTA),
        ("takahashi-ryo", "ryo@example.jp"),
        ("abe-kaori", "kaori@example.jp"),
        ("inoue-daisuke", "daisuke@example.jp"),
    ] {
        published_as(&h, slug, email).await;
    }
    for slug in ["sato-kenta", "takahashi-ryo", "abe-kaori"] {
        let (status, _, _) = request_and_send(&h, slug, "yamada-hanako", HANAKO).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _, page) = request_and_send(&h, "inoue-daisuke", "kato-sakura", HANAKO).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
}

#[tokio::test]
async fn a_note_with_hidden_direction_or_zero_width_characters_is_refused() {
    let h = Harness::new();
    published_member(&h).await;
    for note in ["気軽に\u{202E}話しましょう", "気軽に\u{200B}話しましょう"] {
        let body = h
            .stamped(
                FORM,
                &format!(
                    "from=yamada-hanako&email={}&note={}",
                    encode(HANAKO),
                    encode(note)
                ),
            )
            .await;
        let (status, _, page) = h
            .send(post(
                "/api/members/sato-kenta/introduce",
                FORM,
                "203.0.113.7",
                &body,
            ))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{note:?}");
        assert!(page.contains("見えない文字"), "{page}");
    }
}

#[tokio::test]
async fn the_requester_may_name_their_profile_by_its_address() {
    let h = Harness::new();
    published_member(&h).await;
    published_as(&h, "sato-kenta", KENTA).await;
    let site = h.services.config.site_url.trim_end_matches('/').to_owned();
    let (status, _, page) = ask(
        &h,
        "sato-kenta",
        &format!("{site}/members/yamada-hanako/"),
        HANAKO,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    h.deliver().await;
    h.mail_to(HANAKO, "/api/introductions/send?token=");
    let (status, _, page) = ask(&h, "sato-kenta", &format!("{site}/events/x/"), HANAKO).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another page of the site is no profile: {page}"
    );
}
