//! The store suite: introduction requests, their rules, blocks, suspensions and deletion.

use std::sync::Arc;

use jiff::Timestamp;

use super::at;
use crate::store::introduction::after;
use crate::store::{
    Answer, INTRODUCTION_RULES, Introduction, IntroductionState, SendOutcome, Store,
};

const HOLD: i64 = 86_400;
const DAY: i64 = 86_400;

/// A request from `from`, whose mailbox is their own (`key-<from>`).
fn request(id: &str, from: &str, to: &str, now: Timestamp) -> Introduction {
    request_from_mailbox(id, from, &format!("key-{from}"), to, now)
}

fn request_from_mailbox(
    id: &str,
    from: &str,
    mailbox: &str,
    to: &str,
    now: Timestamp,
) -> Introduction {
    Introduction::held(
        id.into(),
        from.into(),
        mailbox.into(),
        to.into(),
        format!("{from}から{to}へ。防災の話をしたいです。"),
        now,
        HOLD,
    )
}

/// Holds and sends a request; its outcome.
async fn send(
    store: &Arc<dyn Store>,
    id: &str,
    from: &str,
    to: &str,
    now: Timestamp,
) -> SendOutcome {
    store
        .hold_introduction(&request(id, from, to, now))
        .await
        .unwrap();
    store
        .send_introduction(id, INTRODUCTION_RULES, now)
        .await
        .unwrap()
}

fn sent(outcome: &SendOutcome) -> bool {
    matches!(outcome, SendOutcome::Sent(_))
}

pub async fn an_introduction_is_held_sent_and_answered_once(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    let held = request("i1", "aoki", "baba", now);
    store.hold_introduction(&held).await.unwrap();
    assert_eq!(
        store.introduction("i1", now).await.unwrap(),
        Some(held.clone())
    );
    assert_eq!(store.introduction("nope", now).await.unwrap(), None);
    let later = after(now, 60);
    let SendOutcome::Sent(sent) = store
        .send_introduction("i1", INTRODUCTION_RULES, later)
        .await
        .unwrap()
    else {
        panic!("sent");
    };
    assert_eq!(sent.state, IntroductionState::Pending);
    assert_eq!(sent.sent_at, Some(later));
    assert_eq!(sent.open_until, Some(after(later, 14 * DAY)));
    assert_eq!(
        store.introduction("i1", later).await.unwrap(),
        Some(sent.clone())
    );
    assert_eq!(
        store
            .send_introduction("i1", INTRODUCTION_RULES, later)
            .await
            .unwrap(),
        SendOutcome::NotHeld,
        "a request is sent once"
    );
    let accepted = store
        .answer_introduction("i1", Answer::Accept, after(later, 60))
        .await
        .unwrap()
        .expect("accepted");
    assert_eq!(accepted.state, IntroductionState::Accepted);
    for again in [Answer::Accept, Answer::Decline, Answer::Unblock] {
        assert_eq!(
            store
                .answer_introduction("i1", again, after(later, 120))
                .await
                .unwrap(),
            None,
            "{again:?} after the acceptance"
        );
    }
    // A hold lapses unsent.
    store
        .hold_introduction(&request("i2", "aoki", "chiba", now))
        .await
        .unwrap();
    let lapsed = after(now, HOLD);
    assert_eq!(
        store
            .send_introduction("i2", INTRODUCTION_RULES, lapsed)
            .await
            .unwrap(),
        SendOutcome::NotHeld
    );
    assert_eq!(store.introduction("i2", lapsed).await.unwrap(), None);
}

pub async fn introductions_keep_to_three_open_ten_a_week_and_one_per_pair(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    for (id, to) in [("a1", "b"), ("a2", "c"), ("a3", "d")] {
        assert!(sent(&send(&store, id, "a", to, now).await), "{id}");
    }
    assert_eq!(
        send(&store, "a4", "a", "e", now).await,
        SendOutcome::TooManyOpen
    );
    assert_eq!(
        store
            .introduction("a4", now)
            .await
            .unwrap()
            .map(|i| i.state),
        Some(IntroductionState::Held),
        "a refused request stays held"
    );
    // A decline does not free the place: to the requester it is still open.
    store
        .answer_introduction("a1", Answer::Decline, now)
        .await
        .unwrap()
        .expect("declined");
    assert_eq!(
        store
            .send_introduction("a4", INTRODUCTION_RULES, now)
            .await
            .unwrap(),
        SendOutcome::TooManyOpen
    );
    // An acceptance does, and the same held request can go now.
    store
        .answer_introduction("a2", Answer::Accept, now)
        .await
        .unwrap()
        .expect("accepted");
    assert!(sent(
        &store
            .send_introduction("a4", INTRODUCTION_RULES, now)
            .await
            .unwrap()
    ));
    // One open request per pair, whoever else is asked.
    store
        .answer_introduction("a3", Answer::Accept, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        send(&store, "a5", "a", "b", now).await,
        SendOutcome::PairOpen
    );
    assert!(
        sent(&send(&store, "x1", "x", "b", now).await),
        "others may ask b"
    );
    // Ten sent in seven days, accepted or not.
    let mut n = 4;
    let mut day = now;
    while n < 10 {
        day = after(day, 3600);
        let id = format!("w{n}");
        assert!(
            sent(&send(&store, &id, "a", &format!("p{n}"), day).await),
            "{id}"
        );
        store
            .answer_introduction(&id, Answer::Accept, day)
            .await
            .unwrap()
            .unwrap();
        n += 1;
    }
    assert_eq!(
        send(&store, "w10", "a", "q", after(day, 60)).await,
        SendOutcome::TooManyThisWeek
    );
    // After seven days the first four leave the window; two are still open (a1 declined,
    // a4 unanswered), so one more may go.
    let week_later = after(now, 7 * DAY + 1);
    assert!(sent(&send(&store, "w11", "a", "q", week_later).await));
    assert_eq!(
        send(&store, "w12", "a", "r", week_later).await,
        SendOutcome::TooManyOpen
    );
    // After fourteen days the open ones close to the rules, the pair too.
    let two_weeks = after(now, 14 * DAY);
    assert!(sent(&send(&store, "a6", "a", "b", two_weeks).await));
}

pub async fn a_block_drops_later_requests_until_it_is_lifted(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    assert!(sent(&send(&store, "r1", "a", "b", now).await));
    let blocked = store
        .answer_introduction("r1", Answer::Block, now)
        .await
        .unwrap()
        .expect("blocked");
    assert!(blocked.blocked);
    assert_eq!(blocked.state, IntroductionState::Declined);
    assert_eq!(
        store
            .answer_introduction("r1", Answer::Block, now)
            .await
            .unwrap(),
        None,
        "once"
    );
    // After the first closes, a new request is stored as open but dropped.
    let later = after(now, 15 * DAY);
    let SendOutcome::Dropped(dropped) = send(&store, "r2", "a", "b", later).await else {
        panic!("dropped");
    };
    assert_eq!(dropped.state, IntroductionState::Dropped);
    assert!(dropped.open_at(later), "it counts as open");
    assert_eq!(
        send(&store, "r3", "a", "b", later).await,
        SendOutcome::PairOpen
    );
    assert!(
        !store
            .introduction("r2", later)
            .await
            .unwrap()
            .unwrap()
            .reportable(),
        "the recipient never saw it"
    );
    // Others are not blocked.
    assert!(sent(&send(&store, "r4", "c", "b", later).await));
    // Lifted from the request it was made on.
    store
        .answer_introduction("r1", Answer::Unblock, later)
        .await
        .unwrap()
        .expect("lifted");
    let after_that = after(later, 15 * DAY);
    assert!(sent(&send(&store, "r5", "a", "b", after_that).await));
}

pub async fn a_suspended_requester_sends_nothing(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    store.suspend_requester("s", true, now).await.unwrap();
    store.suspend_requester("s", true, now).await.unwrap();
    assert_eq!(store.suspended_requesters().await.unwrap(), ["s"]);
    assert_eq!(
        send(&store, "s1", "s", "b", now).await,
        SendOutcome::Suspended
    );
    store.suspend_requester("s", false, now).await.unwrap();
    assert!(store.suspended_requesters().await.unwrap().is_empty());
    assert!(sent(
        &store
            .send_introduction("s1", INTRODUCTION_RULES, now)
            .await
            .unwrap()
    ));
}

pub async fn open_requests_close_once_when_due_and_are_deleted_thirty_days_later(
    store: Arc<dyn Store>,
) {
    let now = at("2026-11-25T03:00:00Z");
    assert!(sent(&send(&store, "d1", "a", "b", now).await));
    assert!(sent(&send(&store, "d2", "a", "c", now).await));
    assert!(sent(&send(&store, "d3", "a", "d", now).await));
    store
        .answer_introduction("d2", Answer::Decline, now)
        .await
        .unwrap()
        .unwrap();
    store
        .answer_introduction("d3", Answer::Accept, now)
        .await
        .unwrap()
        .unwrap();
    let before = after(now, 14 * DAY - 1);
    assert!(
        store
            .due_introductions(before, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let due_at = after(now, 14 * DAY);
    let due: Vec<String> = (store.due_introductions(due_at, 10).await.unwrap())
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(due.len(), 2);
    assert!(due.contains(&"d1".to_owned()) && due.contains(&"d2".to_owned()));
    // Two jobs at once close each exactly once.
    let (first, second) = tokio::join!(
        store.close_introduction("d1", due_at),
        store.close_introduction("d1", due_at)
    );
    assert_eq!(
        [first.unwrap().is_some(), second.unwrap().is_some()]
            .iter()
            .filter(|x| **x)
            .count(),
        1
    );
    let closed = store
        .close_introduction("d2", due_at)
        .await
        .unwrap()
        .expect("closed");
    assert_eq!(closed.state, IntroductionState::Closed);
    assert_eq!(
        store.close_introduction("d3", due_at).await.unwrap(),
        None,
        "accepted"
    );
    assert!(
        store
            .due_introductions(due_at, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Kept 30 days after it ended, then gone.
    let kept = after(due_at, 30 * DAY - 1);
    assert!(store.introduction("d1", kept).await.unwrap().is_some());
    let gone = after(due_at, 30 * DAY);
    assert_eq!(store.introduction("d1", gone).await.unwrap(), None);
    assert_eq!(
        store
            .introduction("d3", after(now, 30 * DAY))
            .await
            .unwrap(),
        None
    );
}

pub async fn a_report_reaches_the_editors_once(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    assert!(sent(&send(&store, "p1", "a", "b", now).await));
    assert!(sent(&send(&store, "p2", "c", "b", now).await));
    assert!(
        store
            .report_introduction("p1", "しつこい勧誘です", now)
            .await
            .unwrap()
    );
    assert!(!store.report_introduction("p1", "again", now).await.unwrap());
    let later = after(now, 60);
    assert!(
        store
            .report_introduction("p2", "営業目的", later)
            .await
            .unwrap()
    );
    let reported = store.reported_introductions(10, later).await.unwrap();
    let ids: Vec<&str> = reported.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["p2", "p1"], "newest first");
    assert_eq!(reported[1].report.as_deref(), Some("しつこい勧誘です"));
    assert_eq!(reported[1].note, "aからbへ。防災の話をしたいです。");
    assert_eq!(
        store.reported_introductions(1, later).await.unwrap().len(),
        1
    );
    assert!(!store.report_introduction("nope", "x", now).await.unwrap());
}

pub async fn forgetting_a_member_deletes_their_requests_and_blocks(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    assert!(sent(&send(&store, "f1", "a", "b", now).await));
    assert!(sent(&send(&store, "f2", "c", "a", now).await));
    assert!(sent(&send(&store, "f3", "c", "d", now).await));
    store
        .answer_introduction("f2", Answer::Block, now)
        .await
        .unwrap()
        .unwrap();
    store.suspend_requester("a", true, now).await.unwrap();
    assert_eq!(store.forget_introductions("a").await.unwrap(), 2);
    assert_eq!(store.introduction("f1", now).await.unwrap(), None);
    assert_eq!(store.introduction("f2", now).await.unwrap(), None);
    assert!(
        store.introduction("f3", now).await.unwrap().is_some(),
        "others stay"
    );
    assert!(store.suspended_requesters().await.unwrap().is_empty());
    // a's block of c went with a: a new member with the slug `a` does not inherit it.
    let later = after(now, 15 * DAY);
    assert!(sent(&send(&store, "f4", "c", "a", later).await));
}

pub async fn concurrent_requests_keep_the_rules(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    // Eight requests from one member to eight others at once: three go.
    let mut tasks = Vec::new();
    for n in 0..8 {
        let id = format!("c{n}");
        store
            .hold_introduction(&request(&id, "a", &format!("to{n}"), now))
            .await
            .unwrap();
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store.send_introduction(&id, INTRODUCTION_RULES, now).await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap().unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|o| sent(o)).count(),
        3,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|o| sent(o) || *o == SendOutcome::TooManyOpen),
        "{outcomes:?}"
    );
    // Six held requests from one member to the same person at once: one goes.
    let mut tasks = Vec::new();
    for n in 0..6 {
        let id = format!("p{n}");
        store
            .hold_introduction(&request(&id, "b", "same", now))
            .await
            .unwrap();
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store.send_introduction(&id, INTRODUCTION_RULES, now).await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap().unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|o| sent(o)).count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|o| sent(o) || *o == SendOutcome::PairOpen),
        "{outcomes:?}"
    );
    // One request accepted twice at the same moment: one acceptance.
    let accepted_id = outcomes
        .iter()
        .find_map(|o| match o {
            SendOutcome::Sent(i) => Some(i.id.clone()),
            _ => None,
        })
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = Arc::clone(&store);
        let id = accepted_id.clone();
        tasks.push(tokio::spawn(async move {
            store.answer_introduction(&id, Answer::Accept, now).await
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        accepted += usize::from(task.await.unwrap().unwrap().is_some());
    }
    assert_eq!(accepted, 1);
}

pub async fn a_recipient_lists_and_lifts_their_blocks(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    assert!(sent(&send(&store, "l1", "a", "r", now).await));
    assert!(sent(&send(&store, "l2", "c", "r", now).await));
    for id in ["l1", "l2"] {
        store
            .answer_introduction(id, Answer::Block, now)
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(store.blocked_requesters("r").await.unwrap(), ["a", "c"]);
    assert!(store.blocked_requesters("a").await.unwrap().is_empty());
    assert!(store.lift_block("r", "a").await.unwrap());
    assert!(!store.lift_block("r", "a").await.unwrap(), "once");
    assert_eq!(store.blocked_requesters("r").await.unwrap(), ["c"]);
    assert!(
        !store
            .introduction("l1", now)
            .await
            .unwrap()
            .unwrap()
            .blocked,
        "the request no longer says so"
    );
    // Long after the request itself is gone, a new one from a arrives.
    let later = after(now, 60 * DAY);
    assert_eq!(store.introduction("l1", later).await.unwrap(), None);
    assert!(sent(&send(&store, "l3", "a", "r", later).await));
    let SendOutcome::Dropped(_) = send(&store, "l4", "c", "r", later).await else {
        panic!("c is still blocked");
    };
}

pub async fn two_profiles_of_one_mailbox_share_the_rules_and_the_blocks(store: Arc<dyn Store>) {
    let now = at("2026-11-25T03:00:00Z");
    let send_as = |id: &'static str, from: &'static str, to: &'static str, at: Timestamp| {
        let store = Arc::clone(&store);
        async move {
            store
                .hold_introduction(&request_from_mailbox(id, from, "same-mailbox", to, at))
                .await
                .unwrap();
            store
                .send_introduction(id, INTRODUCTION_RULES, at)
                .await
                .unwrap()
        }
    };
    assert!(sent(&send_as("m1", "one", "x", now).await));
    assert!(sent(&send_as("m2", "two", "y", now).await));
    assert_eq!(
        send_as("m3", "two", "x", now).await,
        SendOutcome::PairOpen,
        "one pair per mailbox"
    );
    assert!(sent(&send_as("m4", "one", "z", now).await));
    assert_eq!(
        send_as("m5", "two", "w", now).await,
        SendOutcome::TooManyOpen,
        "three open per mailbox"
    );
    // x blocks the first profile: the second is blocked too.
    store
        .answer_introduction("m1", Answer::Block, now)
        .await
        .unwrap()
        .unwrap();
    let later = after(now, 15 * DAY);
    let SendOutcome::Dropped(_) = send_as("m6", "two", "x", later).await else {
        panic!("the other profile of the blocked mailbox is blocked too");
    };
    assert_eq!(store.blocked_requesters("x").await.unwrap(), ["one"]);
    assert!(store.lift_block("x", "one").await.unwrap());
    let after_lift = after(later, 15 * DAY);
    assert!(sent(&send_as("m7", "two", "x", after_lift).await));
}
