//! The store suite: submissions from creation to export, and what is kept of a published member.

use std::sync::Arc;

use super::{at, submission};
use crate::store::{
    NewRegistration, SeatState, Status, Store, StoreError, Submission, SubmissionKind,
};

pub async fn submissions_round_trip(store: Arc<dyn Store>) {
    let s = submission("a1", "yamada-hanako");
    store.create_submission(&s).await.unwrap();
    assert_eq!(store.submission("a1").await.unwrap(), Some(s));
    let mut with_photo = submission("a2", "sato-ken");
    with_photo.photo = Some(vec![0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3, 0xff, 0xd9]);
    store.create_submission(&with_photo).await.unwrap();
    assert_eq!(store.submission("a2").await.unwrap(), Some(with_photo));
    assert_eq!(store.submission("missing").await.unwrap(), None);
}

pub async fn open_submissions_hold_their_slug(store: Arc<dyn Store>) {
    store
        .create_submission(&submission("a1", "yamada"))
        .await
        .unwrap();
    assert!(
        store
            .slug_reserved("yamada", at("2026-11-25T03:00:00Z"))
            .await
            .unwrap()
    );
    let err = store
        .create_submission(&submission("a2", "yamada"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::SlugTaken(slug) if slug == "yamada"));
    // A rejected submission frees its slug.
    store
        .confirm_submission("a1", at("2026-11-25T04:00:00Z"))
        .await
        .unwrap();
    store
        .decide(
            "a1",
            Status::Rejected,
            "editor",
            Some("重複"),
            at("2026-11-25T05:00:00Z"),
        )
        .await
        .unwrap();
    assert!(
        !store
            .slug_reserved("yamada", at("2026-11-25T03:00:00Z"))
            .await
            .unwrap()
    );
    store
        .create_submission(&submission("a3", "yamada"))
        .await
        .unwrap();
}

/// An unconfirmed submission lapses: its slug is free again and it can no longer be confirmed;
/// a confirmed one never lapses.
pub async fn an_unconfirmed_submission_lapses(store: Arc<dyn Store>) {
    store
        .create_submission(&submission("old", "yamada"))
        .await
        .unwrap();
    store
        .create_submission(&submission("kept", "sato"))
        .await
        .unwrap();
    assert!(
        store
            .confirm_submission("kept", at("2026-11-26T00:00:00Z"))
            .await
            .unwrap()
    );
    let later = at("2026-11-28T00:00:00Z");
    assert!(!store.slug_reserved("yamada", later).await.unwrap());
    assert!(
        store.slug_reserved("sato", later).await.unwrap(),
        "confirmed: still held"
    );
    assert!(
        !store.confirm_submission("old", later).await.unwrap(),
        "too late to confirm"
    );
    let mut newer = submission("new", "yamada");
    newer.created_at = later;
    newer.expires_at = Some(at("2026-11-30T00:00:00Z"));
    store.create_submission(&newer).await.unwrap();
    assert!(store.slug_reserved("yamada", later).await.unwrap());
    let mut clash = submission("clash", "sato");
    clash.created_at = later;
    assert!(matches!(
        store.create_submission(&clash).await,
        Err(StoreError::SlugTaken(_))
    ));
}

pub async fn only_confirmed_submissions_reach_the_queue(store: Arc<dyn Store>) {
    store
        .create_submission(&submission("a1", "one"))
        .await
        .unwrap();
    store
        .create_submission(&submission("a2", "two"))
        .await
        .unwrap();
    assert!(
        store
            .list_submissions(Status::Pending)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .confirm_submission("a2", at("2026-11-25T04:00:00Z"))
            .await
            .unwrap()
    );
    assert!(
        store
            .confirm_submission("a2", at("2026-11-25T04:30:00Z"))
            .await
            .unwrap(),
        "confirming twice is harmless"
    );
    let queue = store.list_submissions(Status::Pending).await.unwrap();
    assert_eq!(
        queue.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["a2"]
    );
    assert_eq!(
        queue[0].confirmed_at,
        Some(at("2026-11-25T04:00:00Z")),
        "the first confirmation counts"
    );
    assert!(
        !store
            .confirm_submission("missing", at("2026-11-25T04:00:00Z"))
            .await
            .unwrap()
    );
}

pub async fn decisions_record_the_editor_and_happen_once(store: Arc<dyn Store>) {
    store
        .create_submission(&submission("a1", "one"))
        .await
        .unwrap();
    assert_eq!(
        store
            .decide(
                "a1",
                Status::Approved,
                "sato",
                None,
                at("2026-11-25T05:00:00Z")
            )
            .await
            .unwrap(),
        None,
        "unconfirmed"
    );
    store
        .confirm_submission("a1", at("2026-11-25T04:00:00Z"))
        .await
        .unwrap();
    let approved = store
        .decide(
            "a1",
            Status::Approved,
            "sato",
            None,
            at("2026-11-25T05:00:00Z"),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (approved.status, approved.decided_by.as_deref()),
        (Status::Approved, Some("sato"))
    );
    assert_eq!(approved.decided_at, Some(at("2026-11-25T05:00:00Z")));
    assert_eq!(
        store
            .decide(
                "a1",
                Status::Rejected,
                "ito",
                None,
                at("2026-11-25T06:00:00Z")
            )
            .await
            .unwrap(),
        None,
        "already decided"
    );
    assert_eq!(
        store
            .list_submissions(Status::Approved)
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn an_approved_submission_is_exported_exactly_once(store: Arc<dyn Store>) {
    let mut with_photo = submission("a1", "one");
    with_photo.photo = Some(b"\xff\xd8 the photo \xff\xd9".to_vec());
    store.create_submission(&with_photo).await.unwrap();
    assert!(
        !store
            .mark_exported("a1", at("2026-11-25T06:00:00Z"))
            .await
            .unwrap(),
        "not approved yet"
    );
    store
        .confirm_submission("a1", at("2026-11-25T04:00:00Z"))
        .await
        .unwrap();
    store
        .decide(
            "a1",
            Status::Approved,
            "sato",
            None,
            at("2026-11-25T05:00:00Z"),
        )
        .await
        .unwrap();
    assert!(
        store
            .mark_exported("a1", at("2026-11-25T06:00:00Z"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_exported("a1", at("2026-11-25T06:00:01Z"))
            .await
            .unwrap()
    );
    let exported = store.submission("a1").await.unwrap().unwrap();
    assert_eq!(exported.status, Status::Exported);
    // The published member is found by the address their profile was submitted with.
    assert_eq!(
        store.member_by_email("hanako@example.org").await.unwrap(),
        Some("one".to_owned())
    );
    assert_eq!(
        store.member_by_email("nobody@example.org").await.unwrap(),
        None
    );
    assert_eq!(
        exported.photo, None,
        "the photo is in the content now; the store keeps no copy"
    );
}

/// A queue is read a page at a time, newest first, each submission once.
pub async fn a_queue_is_paged_newest_first(store: Arc<dyn Store>) {
    for n in 0..7u32 {
        let mut s = submission(&format!("p{n}"), &format!("slug-{n}"));
        s.created_at = at(&format!("2026-11-25T03:00:0{n}Z"));
        s.status = Status::Exported;
        s.confirmed_at = Some(s.created_at);
        s.expires_at = None;
        store.create_submission(&s).await.unwrap();
    }
    // Not confirmed: never listed.
    store
        .create_submission(&submission("unconfirmed", "x"))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .submissions_page(Status::Exported, 3, cursor.as_ref())
            .await
            .unwrap();
        assert!(page.submissions.len() <= 3);
        seen.extend(page.submissions.iter().map(|s| s.id.clone()));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["p6", "p5", "p4", "p3", "p2", "p1", "p0"]);
    let pending = store
        .submissions_page(Status::Pending, 50, None)
        .await
        .unwrap();
    assert_eq!((pending.submissions.len(), pending.next), (0, None));
}

/// Between the export and the deploy the member file is not yet in the catalog: the slug
/// must stay held, or a new sign-up would take a published member's address.
pub async fn an_exported_profile_keeps_its_slug_until_forgotten(store: Arc<dyn Store>) {
    store
        .create_submission(&submission("a1", "yamada"))
        .await
        .unwrap();
    // Confirmed, approved and exported, as the sign-up and the export do it.
    let t = at("2026-11-25T04:00:00Z");
    assert!(store.confirm_submission("a1", t).await.unwrap());
    let decided = store.decide("a1", Status::Approved, "sato", None, t).await;
    assert!(decided.unwrap().is_some());
    assert!(store.mark_exported("a1", t).await.unwrap());
    let later = at("2026-12-25T06:00:00Z");
    assert!(store.slug_reserved("yamada", later).await.unwrap());
    let mut newcomer = submission("a2", "yamada");
    newcomer.created_at = later;
    newcomer.updated_at = later;
    newcomer.expires_at = Some(at("2026-12-27T06:00:00Z"));
    newcomer.email = "other@example.org".into();
    let err = store.create_submission(&newcomer).await.unwrap_err();
    assert!(matches!(err, StoreError::SlugTaken(slug) if slug == "yamada"));
    // The member asked to be removed: the slug is free again.
    let mut removal = submission("r1", "yamada");
    removal.kind = SubmissionKind::Removal;
    store.create_submission(&removal).await.unwrap();
    store
        .forget_submissions("hanako@example.org", "yamada", "r1")
        .await
        .unwrap();
    assert!(!store.slug_reserved("yamada", later).await.unwrap());
    store.create_submission(&newcomer).await.unwrap();
}

pub async fn a_removal_forgets_the_person(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    let submission = |id: &str, kind: SubmissionKind, slug: &str, email: &str| {
        let mut s = Submission::pending(
            id.into(),
            kind,
            slug.into(),
            email.into(),
            "iphash".into(),
            now,
            3600,
        );
        s.fields.insert("name".into(), "山田 花子".into());
        s.photo = Some(b"\xff\xd8 a photo of hanako \xff\xd9".to_vec());
        s
    };
    for s in [
        submission(
            "profile",
            SubmissionKind::Profile,
            "yamada-hanako",
            "hanako@example.jp",
        ),
        submission(
            "older",
            SubmissionKind::Profile,
            "yamada-hanako-2",
            "hanako@example.jp",
        ),
        submission(
            "removal",
            SubmissionKind::Removal,
            "yamada-hanako",
            "hanako@example.jp",
        ),
        submission(
            "other",
            SubmissionKind::Profile,
            "sato-ken",
            "ken@example.jp",
        ),
    ] {
        store.create_submission(&s).await.unwrap();
    }
    assert!(store.confirm_submission("profile", now).await.unwrap());
    assert_eq!(
        store.submission("profile").await.unwrap().unwrap().ip_hash,
        "",
        "the IP hash is erased once the address is confirmed"
    );
    for event in ["a", "b"] {
        store
            .register(
                NewRegistration {
                    listing: None,
                    event: event.into(),
                    email: "hanako@example.jp".into(),
                    name: "山田 花子".into(),
                    message: None,
                    at: now,
                },
                10,
            )
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .registration("a", "hanako@example.jp")
            .await
            .unwrap()
            .map(|s| s.state),
        Some(SeatState::Confirmed)
    );
    assert!(
        store
            .registration("a", "nobody@example.jp")
            .await
            .unwrap()
            .is_none()
    );
    let found = store.registrations_of("hanako@example.jp").await.unwrap();
    assert_eq!(
        found.iter().map(|s| s.event.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );

    let deleted = store
        .forget_submissions("hanako@example.jp", "yamada-hanako", "removal")
        .await
        .unwrap();
    assert_eq!(deleted, 2);
    assert!(store.submission("profile").await.unwrap().is_none());
    assert!(store.submission("older").await.unwrap().is_none());
    let kept = store.submission("removal").await.unwrap().unwrap();
    assert_eq!(
        (
            kept.slug.as_str(),
            kept.email.as_str(),
            kept.ip_hash.as_str(),
            kept.fields.len()
        ),
        ("yamada-hanako", "", "", 0)
    );
    assert_eq!(kept.photo, None, "no photo of the person stays");
    assert!(
        store.submission("other").await.unwrap().is_some(),
        "others stay"
    );
    assert!(!store.slug_reserved("yamada-hanako", now).await.unwrap());
}

pub async fn a_rejection_is_kept_thirty_days(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    let mut s = Submission::pending(
        "r1".into(),
        SubmissionKind::Profile,
        "x".into(),
        "x@example.jp".into(),
        "h".into(),
        now,
        3600,
    );
    s.fields.insert("name".into(), "x".into());
    store.create_submission(&s).await.unwrap();
    store.confirm_submission("r1", now).await.unwrap();
    let rejected = store
        .decide("r1", Status::Rejected, "sato", Some("宣伝"), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        rejected.expires_at,
        Some(at("2026-12-25T03:00:00Z")),
        "purged 30 days after the decision"
    );
}

pub async fn a_published_member_is_found_by_slug_and_address_until_forgotten(
    store: Arc<dyn Store>,
) {
    let publish = |id: &'static str, slug: &'static str, email: &'static str, minute: u32| {
        let store = Arc::clone(&store);
        async move {
            let mut s = submission(id, slug);
            s.email = email.into();
            store.create_submission(&s).await.unwrap();
            let t = |second: u32| at(&format!("2026-11-25T05:{minute:02}:{second:02}Z"));
            store.confirm_submission(id, t(1)).await.unwrap();
            store
                .decide(id, Status::Approved, "sato", None, t(2))
                .await
                .unwrap();
            assert!(store.mark_exported(id, t(3)).await.unwrap());
        }
    };
    assert_eq!(store.member_email("yamada-hanako").await.unwrap(), None);
    publish("p2", "yamada-hanako", "hanako@example.jp", 2).await;
    publish("p3", "sato-ken", "ken@example.jp", 3).await;
    // A published slug is never given to another profile, so a member has one address.
    let mut again = submission("p4", "yamada-hanako");
    again.email = "old@example.jp".into();
    assert!(matches!(
        store.create_submission(&again).await,
        Err(StoreError::SlugTaken(_))
    ));
    assert_eq!(
        store
            .member_email("yamada-hanako")
            .await
            .unwrap()
            .as_deref(),
        Some("hanako@example.jp")
    );
    for (address, slug) in [
        ("hanako@example.jp", "yamada-hanako"),
        ("ken@example.jp", "sato-ken"),
    ] {
        assert_eq!(
            store.member_by_email(address).await.unwrap().as_deref(),
            Some(slug),
            "{address}"
        );
    }
    // A removal forgets both ways.
    let mut removal = submission("r1", "yamada-hanako");
    removal.kind = SubmissionKind::Removal;
    removal.email = "hanako@example.jp".into();
    store.create_submission(&removal).await.unwrap();
    store
        .forget_submissions("hanako@example.jp", "yamada-hanako", "r1")
        .await
        .unwrap();
    assert_eq!(store.member_email("yamada-hanako").await.unwrap(), None);
    assert_eq!(
        store.member_by_email("hanako@example.jp").await.unwrap(),
        None
    );
    assert_eq!(store.member_by_email("old@example.jp").await.unwrap(), None);
    assert_eq!(
        store
            .member_by_email("ken@example.jp")
            .await
            .unwrap()
            .as_deref(),
        Some("sato-ken"),
        "others stay"
    );
}
