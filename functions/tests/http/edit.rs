//! A member edits their published profile over HTTP: a link only to the address their
//! profile was submitted with (the same answer either way), the form filled with what is
//! published, and the change in the moderation queue beside the current profile.

use crate::common::{Harness, link_in, post};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use functions::store::Submissions;
use functions::store::{Status, SubmissionKind};

use crate::common::{HANAKO, published_member};

async fn ask_for_link(h: &Harness, email: &str) -> Request<Body> {
    let form = "application/x-www-form-urlencoded";
    let body = format!("email={}", email.replace('@', "%40"));
    post(
        "/api/members/yamada-hanako/edit",
        form,
        "203.0.113.7",
        &h.stamped(form, &body).await,
    )
}

#[tokio::test]
async fn only_the_members_own_address_gets_a_link_and_the_answer_is_the_same() {
    let h = Harness::new();
    published_member(&h).await;
    let (status, _, wrong) = h.send(ask_for_link(&h, "someone@example.jp").await).await;
    assert_eq!(status, StatusCode::OK);
    h.deliver().await;
    assert!(h.outbox().is_empty(), "no mail to a stranger's address");
    let (status, _, right) = h.send(ask_for_link(&h, "Hanako@Example.jp").await).await;
    assert_eq!(status, StatusCode::OK);
    h.deliver().await;
    assert_eq!(wrong, right, "nobody learns whose address it is");
    let mail = h.mail_to(HANAKO, "/api/members/edit?token=");
    assert!(link_in(&mail, "/api/members/edit?token=").contains("token="));
    // A member whose profile did not come through the sign-up gets no link either.
    let (status, _, _) = h
        .post(
            "/api/members/sato-kenta/edit",
            "application/x-www-form-urlencoded",
            &h.stamped(
                "application/x-www-form-urlencoded",
                "email=ken%40example.jp",
            )
            .await,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    h.deliver().await;
    assert_eq!(h.outbox().len(), 1);
}

#[tokio::test]
async fn the_link_opens_the_published_profile_and_the_change_waits_for_the_editors() {
    let h = Harness::new();
    published_member(&h).await;
    h.send(ask_for_link(&h, HANAKO).await).await;
    h.deliver().await;
    let link = link_in(
        &h.mail_to(HANAKO, "/api/members/edit?token="),
        "/api/members/edit?token=",
    );
    let (status, _, form) = h.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("value=\"山田 花子\""),
        "filled with what is published"
    );
    assert!(form.contains("value=\"政策局 企画担当\""));
    assert!(
        !form.contains("name=\"email\""),
        "no address asked: the link proved it"
    );
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let body = serde_urlencoded::to_string([
        ("token", token.as_str()),
        ("name", "山田 花子"),
        ("kana", "やまだ はなこ"),
        ("sector", "local-gov"),
        ("organization", "横浜市役所"),
        ("role", "デジタル統括本部"),
        ("prefecture", "kanagawa"),
        ("interests", "オープンデータ\n地域活性化"),
        ("bio", "更新しました。"),
    ])
    .unwrap();
    let (status, _, page) = h
        .post(
            "/api/members/edit",
            "application/x-www-form-urlencoded",
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("更新を受け付けました"));
    let queue = h.store.list_submissions(Status::Pending).await.unwrap();
    let update = queue
        .iter()
        .find(|s| s.kind == SubmissionKind::Update)
        .expect("the update is in the queue");
    assert_eq!(update.slug, "yamada-hanako");
    assert_eq!(update.fields["role"], "デジタル統括本部");
    assert!(!update.fields.contains_key("token"));
    // Editors see it beside the profile as it is published.
    let (_, _, listing) = h.editor_get("/api/moderation/submissions").await;
    let listing: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let item = listing["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "update")
        .unwrap();
    assert_eq!(item["current"]["role"], "政策局 企画担当");
    assert_eq!(item["fields"]["role"], "デジタル統括本部");
}

#[tokio::test]
async fn an_altered_link_opens_nothing() {
    let h = Harness::new();
    let (status, _, page) = h.get("/api/members/edit?token=forged").await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("このリンクは使えません"));
    let (status, _, _) = h
        .post(
            "/api/members/edit",
            "application/x-www-form-urlencoded",
            "token=forged&name=x",
        )
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        h.store
            .list_submissions(Status::Pending)
            .await
            .unwrap()
            .is_empty()
    );
}

/// One edit link, one update: a link that leaked (a forwarded mail, a shared screen) cannot
/// be used again to change the profile after the member used it.
#[tokio::test]
async fn an_edit_link_is_good_for_one_update_and_applies_the_sign_up_rules() {
    let h = Harness::new();
    published_member(&h).await;
    h.send(ask_for_link(&h, HANAKO).await).await;
    h.deliver().await;
    let link = link_in(
        &h.mail_to(HANAKO, "/api/members/edit?token="),
        "/api/members/edit?token=",
    );
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let update = |bio: String| {
        let body = serde_urlencoded::to_string([
            ("token", token.as_str()),
            ("name", "山田 花子"),
            ("kana", "やまだ はなこ"),
            ("sector", "local-gov"),
            ("prefecture", "kanagawa"),
            ("bio", bio.as_str()),
        ])
        .unwrap();
        post(
            "/api/members/edit",
            "application/x-www-form-urlencoded",
            "203.0.113.7",
            &body,
        )
    };
    // The sign-up's rules hold for an update too: at most 4,000 characters, no control
    // characters. A refused update does not spend the link.
    let (status, _, page) = h.send(update("長".repeat(4001))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("4000文字以内"), "{page}");
    let (status, _, page) = h.send(update("ベル\u{7}です".into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("制御文字"), "{page}");
    let (status, _, page) = h.send(update("一度目".into())).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _, page) = h.send(update("二度目".into())).await;
    assert_eq!(status, StatusCode::GONE, "{page}");
    assert!(page.contains("このリンクは使えません"), "{page}");
    let updates: Vec<_> = h
        .store
        .list_submissions(Status::Pending)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.kind == SubmissionKind::Update)
        .collect();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].fields["bio"], "一度目");
}
