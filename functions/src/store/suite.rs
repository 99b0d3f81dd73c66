//! The behaviour every `Store` must have. `store_suite!` instantiates these tests for a store.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::{
    NewSignup, SeatState, SignupOutcome, Status, Store, StoreError, Submission, SubmissionKind,
};

pub fn at(text: &str) -> Timestamp {
    text.parse().expect("a timestamp")
}

pub fn submission(id: &str, slug: &str) -> Submission {
    let t = at("2026-11-25T03:00:00Z");
    Submission {
        id: id.into(),
        kind: SubmissionKind::Profile,
        slug: slug.into(),
        fields: BTreeMap::from([("name".to_owned(), "山田 花子".to_owned())]),
        email: "hanako@example.org".into(),
        ip_hash: "hash".into(),
        status: Status::Pending,
        confirmed_at: None,
        expires_at: Some(at("2026-11-27T03:00:00Z")),
        created_at: t,
        updated_at: t,
        decided_by: None,
        decided_at: None,
        reason: None,
        photo: None,
    }
}

fn signup(event: &str, email: &str) -> NewSignup {
    NewSignup {
        event: event.into(),
        email: email.into(),
        name: "参加者".into(),
        message: None,
        at: at("2026-11-25T03:00:00Z"),
    }
}

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

pub async fn seats_then_waitlist_in_arrival_order(store: Arc<dyn Store>) {
    assert!(matches!(
        store.sign_up(signup("e", "a@x"), 2).await.unwrap(),
        SignupOutcome::Confirmed(_)
    ));
    assert!(matches!(
        store.sign_up(signup("e", "b@x"), 2).await.unwrap(),
        SignupOutcome::Confirmed(_)
    ));
    let third = store.sign_up(signup("e", "c@x"), 2).await.unwrap();
    assert!(
        matches!(third, SignupOutcome::Waitlisted { position: 1, .. }),
        "{third:?}"
    );
    let fourth = store.sign_up(signup("e", "d@x"), 2).await.unwrap();
    assert!(
        matches!(fourth, SignupOutcome::Waitlisted { position: 2, .. }),
        "{fourth:?}"
    );
    // Another event has its own seats.
    assert!(matches!(
        store.sign_up(signup("other", "c@x"), 2).await.unwrap(),
        SignupOutcome::Confirmed(_)
    ));
}

/// The capacity rose (an edited event file): those waiting get the new seats, in line
/// order, before any newcomer.
pub async fn a_raised_capacity_serves_the_waitlist_first(store: Arc<dyn Store>) {
    for n in 0..4 {
        store
            .sign_up(signup("grow", &format!("p{n}@example.jp")), 1)
            .await
            .unwrap();
    }
    // One seat, three waiting (p1, p2, p3). Now three seats: a newcomer still waits behind.
    let late = store
        .sign_up(signup("grow", "late@example.jp"), 3)
        .await
        .unwrap();
    assert!(
        matches!(late, SignupOutcome::Waitlisted { position: 4, .. }),
        "{late:?}"
    );
    let promoted = store.promote_waitlist("grow", 3).await.unwrap();
    let emails: Vec<&str> = promoted.iter().map(|s| s.email.as_str()).collect();
    assert_eq!(emails, ["p1@example.jp", "p2@example.jp"]);
    assert!(promoted.iter().all(|s| s.state == SeatState::Confirmed));
    assert!(store.promote_waitlist("grow", 3).await.unwrap().is_empty());
    let states: Vec<(String, SeatState)> = store
        .signups("grow")
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.email, s.state))
        .collect();
    assert_eq!(
        states,
        [
            ("p0@example.jp".to_owned(), SeatState::Confirmed),
            ("p1@example.jp".to_owned(), SeatState::Confirmed),
            ("p2@example.jp".to_owned(), SeatState::Confirmed),
            ("p3@example.jp".to_owned(), SeatState::Waitlisted),
            ("late@example.jp".to_owned(), SeatState::Waitlisted),
        ]
    );
    // The seats are full again: the next cancellation moves p3 up as before.
    let cancelled = store.cancel_signup("grow", "p0@example.jp").await.unwrap();
    assert_eq!(
        cancelled.unwrap().promoted.map(|s| s.email),
        Some("p3@example.jp".to_owned())
    );
}

/// A place in line is never given twice, even after a cancellation: a cancellation link
/// names its sign-up by it.
pub async fn places_in_line_are_never_reused(store: Arc<dyn Store>) {
    let first = match store.sign_up(signup("m", "a@example.jp"), 5).await.unwrap() {
        SignupOutcome::Confirmed(s) => s.sequence,
        other => panic!("{other:?}"),
    };
    store.sign_up(signup("m", "b@example.jp"), 5).await.unwrap();
    store.cancel_signup("m", "b@example.jp").await.unwrap();
    store.cancel_signup("m", "a@example.jp").await.unwrap();
    let again = match store.sign_up(signup("m", "a@example.jp"), 5).await.unwrap() {
        SignupOutcome::Confirmed(s) => s.sequence,
        other => panic!("{other:?}"),
    };
    assert!(again > first + 1, "{again} after {first}");
}

pub async fn the_same_email_twice_changes_nothing(store: Arc<dyn Store>) {
    store.sign_up(signup("e", "a@x"), 1).await.unwrap();
    let again = store.sign_up(signup("e", "a@x"), 1).await.unwrap();
    assert!(
        matches!(again, SignupOutcome::AlreadySignedUp(ref s) if s.state == SeatState::Confirmed),
        "{again:?}"
    );
    assert_eq!(store.signups("e").await.unwrap().len(), 1);
}

pub async fn a_cancellation_promotes_the_first_on_the_waitlist(store: Arc<dyn Store>) {
    for email in ["a@x", "b@x", "c@x", "d@x"] {
        store.sign_up(signup("e", email), 2).await.unwrap();
    }
    let cancellation = store.cancel_signup("e", "a@x").await.unwrap().unwrap();
    assert_eq!(cancellation.cancelled.email, "a@x");
    assert_eq!(
        cancellation
            .promoted
            .as_ref()
            .map(|s| (s.email.as_str(), s.state)),
        Some(("c@x", SeatState::Confirmed))
    );
    let states: Vec<(String, SeatState)> = store
        .signups("e")
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.email, s.state))
        .collect();
    assert_eq!(
        states,
        [
            ("b@x".into(), SeatState::Confirmed),
            ("c@x".into(), SeatState::Confirmed),
            ("d@x".into(), SeatState::Waitlisted)
        ]
    );
    // Leaving the waitlist promotes nobody; cancelling twice finds nothing.
    assert_eq!(
        store
            .cancel_signup("e", "d@x")
            .await
            .unwrap()
            .unwrap()
            .promoted,
        None
    );
    assert_eq!(store.cancel_signup("e", "d@x").await.unwrap(), None);
}

/// 200 simultaneous sign-ups for 30 seats: exactly 30 confirmed and 170 waitlisted, each
/// with its own place in line, nothing lost.
pub async fn concurrent_signups_never_exceed_capacity(store: Arc<dyn Store>) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let store = Arc::clone(&store);
        tasks.spawn(async move {
            store
                .sign_up(signup("rush", &format!("p{i}@example.org")), 30)
                .await
        });
    }
    let mut confirmed = 0;
    let mut waitlisted = 0;
    while let Some(result) = tasks.join_next().await {
        match result.expect("task").expect("stored") {
            SignupOutcome::Confirmed(_) => confirmed += 1,
            SignupOutcome::Waitlisted { .. } => waitlisted += 1,
            SignupOutcome::AlreadySignedUp(_) => panic!("every e-mail is new"),
        }
    }
    assert_eq!((confirmed, waitlisted), (30, 170));
    let stored = store.signups("rush").await.unwrap();
    assert_eq!(stored.len(), 200);
    assert_eq!(
        stored
            .iter()
            .filter(|s| s.state == SeatState::Confirmed)
            .count(),
        30
    );
    let sequences: Vec<u64> = stored.iter().map(|s| s.sequence).collect();
    assert_eq!(
        sequences,
        (1..=200).collect::<Vec<_>>(),
        "a strict arrival order"
    );
    assert!(
        stored[..30].iter().all(|s| s.state == SeatState::Confirmed),
        "the first 30 to arrive hold the seats"
    );
}

pub async fn rate_limits_count_per_window(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:10:00Z");
    for _ in 0..5 {
        assert!(store.allow("signup:iphash", 5, 3600, now).await.unwrap());
    }
    assert!(!store.allow("signup:iphash", 5, 3600, now).await.unwrap());
    assert!(
        store.allow("signup:other", 5, 3600, now).await.unwrap(),
        "keys are separate"
    );
    assert!(
        store
            .allow("signup:iphash", 5, 3600, at("2026-11-25T04:00:00Z"))
            .await
            .unwrap(),
        "a new window"
    );
}

pub async fn a_one_time_key_is_used_once(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:10:00Z");
    let expires = at("2026-11-26T03:10:00Z");
    assert!(store.use_once("stamp:abc", expires, now).await.unwrap());
    assert!(
        !store.use_once("stamp:abc", expires, now).await.unwrap(),
        "twice"
    );
    assert!(
        !store
            .use_once("stamp:abc", expires, at("2026-11-26T03:09:59Z"))
            .await
            .unwrap(),
        "still used just before it expires"
    );
    assert!(store.use_once("stamp:other", expires, now).await.unwrap());
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
            .sign_up(
                NewSignup {
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
            .signup("a", "hanako@example.jp")
            .await
            .unwrap()
            .map(|s| s.state),
        Some(SeatState::Confirmed)
    );
    assert!(
        store
            .signup("a", "nobody@example.jp")
            .await
            .unwrap()
            .is_none()
    );
    let found = store.signups_of("hanako@example.jp").await.unwrap();
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

pub async fn a_held_signup_is_taken_once_until_it_lapses(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    let signup = NewSignup {
        event: "meetup".into(),
        email: "hanako@example.jp".into(),
        name: "山田 花子".into(),
        message: Some("よろしく".into()),
        at: now,
    };
    let lapses = at("2026-11-27T03:00:00Z");
    store.hold_signup("h1", &signup, lapses).await.unwrap();
    store.hold_signup("h2", &signup, lapses).await.unwrap();
    assert!(
        store.signups("meetup").await.unwrap().is_empty(),
        "no seat while held"
    );
    // Named for another event, the hold is not taken: it stays, and its link still works.
    let later = at("2026-11-25T05:00:00Z");
    assert!(
        store
            .seat_held_signup("h1", "other-event", 30, later)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.signups("other-event").await.unwrap().is_empty());
    let Some(SignupOutcome::Confirmed(seated)) = store
        .seat_held_signup("h1", "meetup", 30, later)
        .await
        .unwrap()
    else {
        panic!("a seat");
    };
    assert_eq!(
        (
            seated.name.as_str(),
            seated.message.as_deref(),
            seated.created_at
        ),
        ("山田 花子", Some("よろしく"), later),
        "in line by the time of confirmation"
    );
    assert_eq!(store.signups("meetup").await.unwrap(), vec![seated]);
    assert!(
        store
            .seat_held_signup("h1", "meetup", 30, later)
            .await
            .unwrap()
            .is_none(),
        "once"
    );
    assert!(
        store
            .seat_held_signup("h2", "meetup", 30, lapses)
            .await
            .unwrap()
            .is_none(),
        "lapsed with its link"
    );
    assert!(
        store
            .seat_held_signup("nothing", "meetup", 30, now)
            .await
            .unwrap()
            .is_none()
    );
}

/// A sign-up that finds the event full and a cancellation that finds nobody waiting, at
/// the same time, must never leave a seat free while someone waits.
pub async fn a_full_event_and_a_cancellation_interleave_without_a_free_seat_left(
    store: Arc<dyn Store>,
) {
    let now = at("2026-11-25T03:00:00Z");
    let person = move |event: &str, email: &str| NewSignup {
        event: event.into(),
        email: email.into(),
        name: "x".into(),
        message: None,
        at: now,
    };
    for round in 0..25 {
        let event = format!("race-{round}");
        store
            .sign_up(person(&event, "a@example.jp"), 1)
            .await
            .unwrap();
        let (joining, leaving) = (Arc::clone(&store), Arc::clone(&store));
        let (e1, e2) = (event.clone(), event.clone());
        let join =
            tokio::spawn(async move { joining.sign_up(person(&e1, "b@example.jp"), 1).await });
        let leave = tokio::spawn(async move { leaving.cancel_signup(&e2, "a@example.jp").await });
        join.await.unwrap().unwrap();
        leave.await.unwrap().unwrap();
        let signups = store.signups(&event).await.unwrap();
        let seated = signups
            .iter()
            .filter(|s| s.state == SeatState::Confirmed)
            .count();
        let waiting = signups.len() - seated;
        assert!(
            !(seated == 0 && waiting > 0),
            "round {round}: a seat is free while someone waits: {signups:?}"
        );
        assert_eq!(signups.len(), 1, "round {round}: b alone remains");
        // The seat count agrees: one more sign-up now waits.
        let third = store
            .sign_up(person(&event, "c@example.jp"), 1)
            .await
            .unwrap();
        assert!(
            matches!(third, SignupOutcome::Waitlisted { .. }),
            "round {round}: {third:?}"
        );
    }
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

pub async fn queued_mail_is_kept_in_order_until_sent(store: Arc<dyn Store>) {
    let message = |n: u32| crate::message::Message {
        to: format!("p{n}@example.jp"),
        subject: "件名".into(),
        body: format!("本文 {n}"),
    };
    store
        .queue_mail("m2", &message(2), at("2026-11-25T03:00:02Z"))
        .await
        .unwrap();
    store
        .queue_mail("m1", &message(1), at("2026-11-25T03:00:01Z"))
        .await
        .unwrap();
    let queued = store.queued_mail(10).await.unwrap();
    assert_eq!(
        queued
            .iter()
            .map(|(_, m)| m.to.as_str())
            .collect::<Vec<_>>(),
        ["p1@example.jp", "p2@example.jp"]
    );
    assert_eq!(queued[0].1, message(1));
    assert!(store.unqueue_mail(&queued[0].0).await.unwrap());
    assert!(
        !store.unqueue_mail(&queued[0].0).await.unwrap(),
        "taken once"
    );
    let left = store.queued_mail(10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].1, message(2));
    assert_eq!(store.queued_mail(0).await.unwrap().len(), 0);
}

/// Instantiates the suite for a store: `store_suite!(name, async { store })`.
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

#[macro_export]
macro_rules! store_suite {
    ($make:expr) => {
        $crate::store_suite!(@tests $make;
            submissions_round_trip,
            open_submissions_hold_their_slug,
            an_unconfirmed_submission_lapses,
            only_confirmed_submissions_reach_the_queue,
            decisions_record_the_editor_and_happen_once,
            an_approved_submission_is_exported_exactly_once,
            an_exported_profile_keeps_its_slug_until_forgotten,
            a_queue_is_paged_newest_first,
            seats_then_waitlist_in_arrival_order,
            the_same_email_twice_changes_nothing,
            places_in_line_are_never_reused,
            a_raised_capacity_serves_the_waitlist_first,
            a_cancellation_promotes_the_first_on_the_waitlist,
            concurrent_signups_never_exceed_capacity,
            rate_limits_count_per_window,
            a_one_time_key_is_used_once,
            a_removal_forgets_the_person,
            a_held_signup_is_taken_once_until_it_lapses,
            a_full_event_and_a_cancellation_interleave_without_a_free_seat_left,
            a_rejection_is_kept_thirty_days,
            queued_mail_is_kept_in_order_until_sent,
            a_published_member_is_found_by_slug_and_address_until_forgotten,
        );
    };
    (@tests $make:expr; $($name:ident,)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let (_guard, store) = $make;
                $crate::store::suite::$name(store).await;
            }
        )*
    };
}
