//! The behaviour every `Store` must have. `store_suite!` instantiates these tests for a store.

mod guards;
mod introductions;
mod mail_queue;
mod seats;
mod submissions;

pub use guards::*;
pub use introductions::*;
pub use mail_queue::*;
pub use seats::*;
pub use submissions::*;

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{NewRegistration, Status, Submission, SubmissionKind};

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

pub fn registration(event: &str, email: &str) -> NewRegistration {
    NewRegistration {
        listing: None,
        event: event.into(),
        email: email.into(),
        name: "参加者".into(),
        message: None,
        at: at("2026-11-25T03:00:00Z"),
    }
}

/// Instantiates the suite for a store: `store_suite!(name, async { store })`.
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
            an_introduction_is_held_sent_and_answered_once,
            introductions_keep_to_three_open_ten_a_week_and_one_per_pair,
            a_block_drops_later_requests_until_it_is_lifted,
            a_suspended_requester_sends_nothing,
            open_requests_close_once_when_due_and_are_deleted_thirty_days_later,
            a_report_reaches_the_editors_once,
            forgetting_a_member_deletes_their_requests_and_blocks,
            concurrent_requests_keep_the_rules,
            a_listing_is_kept_from_hold_to_seat,
            a_recipient_lists_and_lifts_their_blocks,
            two_profiles_of_one_mailbox_share_the_rules_and_the_blocks,
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
