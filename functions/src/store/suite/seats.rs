//! The store suite: held registrations, seats, the waitlist and cancellations.

use std::sync::Arc;

use super::{at, registration};
use crate::store::{NewRegistration, RegistrationOutcome, SeatState, Store};

pub async fn seats_then_waitlist_in_arrival_order(store: Arc<dyn Store>) {
    assert!(matches!(
        store.register(registration("e", "a@x"), 2).await.unwrap(),
        RegistrationOutcome::Confirmed(_)
    ));
    assert!(matches!(
        store.register(registration("e", "b@x"), 2).await.unwrap(),
        RegistrationOutcome::Confirmed(_)
    ));
    let third = store.register(registration("e", "c@x"), 2).await.unwrap();
    assert!(
        matches!(third, RegistrationOutcome::Waitlisted { position: 1, .. }),
        "{third:?}"
    );
    let fourth = store.register(registration("e", "d@x"), 2).await.unwrap();
    assert!(
        matches!(fourth, RegistrationOutcome::Waitlisted { position: 2, .. }),
        "{fourth:?}"
    );
    // Another event has its own seats.
    assert!(matches!(
        store
            .register(registration("other", "c@x"), 2)
            .await
            .unwrap(),
        RegistrationOutcome::Confirmed(_)
    ));
}

/// The capacity rose (an edited event file): those waiting get the new seats, in line
/// order, before any newcomer.
pub async fn a_raised_capacity_serves_the_waitlist_first(store: Arc<dyn Store>) {
    for n in 0..4 {
        store
            .register(registration("grow", &format!("p{n}@example.jp")), 1)
            .await
            .unwrap();
    }
    // One seat, three waiting (p1, p2, p3). Now three seats: a newcomer still waits behind.
    let late = store
        .register(registration("grow", "late@example.jp"), 3)
        .await
        .unwrap();
    assert!(
        matches!(late, RegistrationOutcome::Waitlisted { position: 4, .. }),
        "{late:?}"
    );
    let promoted = store.promote_waitlist("grow", 3).await.unwrap();
    let emails: Vec<&str> = promoted.iter().map(|s| s.email.as_str()).collect();
    assert_eq!(emails, ["p1@example.jp", "p2@example.jp"]);
    assert!(promoted.iter().all(|s| s.state == SeatState::Confirmed));
    assert!(store.promote_waitlist("grow", 3).await.unwrap().is_empty());
    let states: Vec<(String, SeatState)> = store
        .registrations("grow")
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
    let cancelled = store
        .cancel_registration("grow", "p0@example.jp")
        .await
        .unwrap();
    assert_eq!(
        cancelled.unwrap().promoted.map(|s| s.email),
        Some("p3@example.jp".to_owned())
    );
}

/// A place in line is never given twice, even after a cancellation: a cancellation link
/// names its sign-up by it.
pub async fn places_in_line_are_never_reused(store: Arc<dyn Store>) {
    let first = match store
        .register(registration("m", "a@example.jp"), 5)
        .await
        .unwrap()
    {
        RegistrationOutcome::Confirmed(s) => s.sequence,
        other => panic!("{other:?}"),
    };
    store
        .register(registration("m", "b@example.jp"), 5)
        .await
        .unwrap();
    store
        .cancel_registration("m", "b@example.jp")
        .await
        .unwrap();
    store
        .cancel_registration("m", "a@example.jp")
        .await
        .unwrap();
    let again = match store
        .register(registration("m", "a@example.jp"), 5)
        .await
        .unwrap()
    {
        RegistrationOutcome::Confirmed(s) => s.sequence,
        other => panic!("{other:?}"),
    };
    assert!(again > first + 1, "{again} after {first}");
}

pub async fn the_same_email_twice_changes_nothing(store: Arc<dyn Store>) {
    store.register(registration("e", "a@x"), 1).await.unwrap();
    let again = store.register(registration("e", "a@x"), 1).await.unwrap();
    assert!(
        matches!(again, RegistrationOutcome::AlreadySignedUp(ref s) if s.state == SeatState::Confirmed),
        "{again:?}"
    );
    assert_eq!(store.registrations("e").await.unwrap().len(), 1);
}

pub async fn a_cancellation_promotes_the_first_on_the_waitlist(store: Arc<dyn Store>) {
    for email in ["a@x", "b@x", "c@x", "d@x"] {
        store.register(registration("e", email), 2).await.unwrap();
    }
    let cancellation = store
        .cancel_registration("e", "a@x")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cancellation.cancelled.email, "a@x");
    assert_eq!(
        cancellation
            .promoted
            .as_ref()
            .map(|s| (s.email.as_str(), s.state)),
        Some(("c@x", SeatState::Confirmed))
    );
    let states: Vec<(String, SeatState)> = store
        .registrations("e")
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
            .cancel_registration("e", "d@x")
            .await
            .unwrap()
            .unwrap()
            .promoted,
        None
    );
    assert_eq!(store.cancel_registration("e", "d@x").await.unwrap(), None);
}

/// 200 simultaneous sign-ups for 30 seats: exactly 30 confirmed and 170 waitlisted, each
/// with its own place in line, nothing lost. (Which 30: on SQLite the first 30 to arrive,
/// see the SQLite tests; DynamoDB may seat one that arrived a moment later when two race
/// for the last seat, as its module says.)
pub async fn concurrent_signups_never_exceed_capacity(store: Arc<dyn Store>) {
    rush_for_thirty_seats(store).await;
}

/// The rush of [`concurrent_signups_never_exceed_capacity`]; every sign-up, in line order.
pub async fn rush_for_thirty_seats(store: Arc<dyn Store>) -> Vec<crate::store::Registration> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let store = Arc::clone(&store);
        tasks.spawn(async move {
            store
                .register(registration("rush", &format!("p{i}@example.org")), 30)
                .await
        });
    }
    let mut confirmed = 0;
    let mut waitlisted = 0;
    while let Some(result) = tasks.join_next().await {
        match result.expect("task").expect("stored") {
            RegistrationOutcome::Confirmed(_) => confirmed += 1,
            RegistrationOutcome::Waitlisted { .. } => waitlisted += 1,
            RegistrationOutcome::AlreadySignedUp(_) => panic!("every e-mail is new"),
        }
    }
    assert_eq!((confirmed, waitlisted), (30, 170));
    let stored = store.registrations("rush").await.unwrap();
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
    stored
}

pub async fn a_held_signup_is_taken_once_until_it_lapses(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    let signup = NewRegistration {
        listing: None,
        event: "meetup".into(),
        email: "hanako@example.jp".into(),
        name: "山田 花子".into(),
        message: Some("よろしく".into()),
        at: now,
    };
    let lapses = at("2026-11-27T03:00:00Z");
    store
        .hold_registration("h1", &signup, lapses)
        .await
        .unwrap();
    store
        .hold_registration("h2", &signup, lapses)
        .await
        .unwrap();
    assert!(
        store.registrations("meetup").await.unwrap().is_empty(),
        "no seat while held"
    );
    // Named for another event, the hold is not taken: it stays, and its link still works.
    let later = at("2026-11-25T05:00:00Z");
    assert!(
        store
            .seat_held_registration("h1", "other-event", 30, later)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.registrations("other-event").await.unwrap().is_empty());
    let Some(RegistrationOutcome::Confirmed(seated)) = store
        .seat_held_registration("h1", "meetup", 30, later)
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
    assert_eq!(store.registrations("meetup").await.unwrap(), vec![seated]);
    assert!(
        store
            .seat_held_registration("h1", "meetup", 30, later)
            .await
            .unwrap()
            .is_none(),
        "once"
    );
    assert!(
        store
            .seat_held_registration("h2", "meetup", 30, lapses)
            .await
            .unwrap()
            .is_none(),
        "lapsed with its link"
    );
    assert!(
        store
            .seat_held_registration("nothing", "meetup", 30, now)
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
    let person = move |event: &str, email: &str| NewRegistration {
        listing: None,
        event: event.into(),
        email: email.into(),
        name: "x".into(),
        message: None,
        at: now,
    };
    for round in 0..25 {
        let event = format!("race-{round}");
        store
            .register(person(&event, "a@example.jp"), 1)
            .await
            .unwrap();
        let (joining, leaving) = (Arc::clone(&store), Arc::clone(&store));
        let (e1, e2) = (event.clone(), event.clone());
        let join =
            tokio::spawn(async move { joining.register(person(&e1, "b@example.jp"), 1).await });
        let leave =
            tokio::spawn(async move { leaving.cancel_registration(&e2, "a@example.jp").await });
        join.await.unwrap().unwrap();
        leave.await.unwrap().unwrap();
        let signups = store.registrations(&event).await.unwrap();
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
            .register(person(&event, "c@example.jp"), 1)
            .await
            .unwrap();
        assert!(
            matches!(third, RegistrationOutcome::Waitlisted { .. }),
            "round {round}: {third:?}"
        );
    }
}

pub async fn a_listing_is_kept_from_hold_to_seat(store: Arc<dyn Store>) {
    let listed = crate::store::Listing {
        organization: Some("仙台市".into()),
        member: Some("yamada-hanako".into()),
    };
    let mut signup = registration("listing", "listed@example.jp");
    signup.listing = Some(listed.clone());
    store
        .hold_registration("h-listed", &signup, at("2026-11-26T03:00:00Z"))
        .await
        .unwrap();
    store
        .seat_held_registration("h-listed", "listing", 5, at("2026-11-25T04:00:00Z"))
        .await
        .unwrap()
        .expect("seated");
    store
        .register(registration("listing", "quiet@example.jp"), 5)
        .await
        .unwrap();
    let listings: Vec<Option<crate::store::Listing>> =
        (store.registrations("listing").await.unwrap())
            .into_iter()
            .map(|r| r.listing)
            .collect();
    assert_eq!(listings, [Some(listed), None]);
}
