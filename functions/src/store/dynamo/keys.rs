//! Every key the DynamoDB store writes, built here and nowhere else, so the table below is
//! the whole list of item kinds in the table.
//!
//! | item | PK | SK | notes |
//! |---|---|---|---|
//! | submission | `SUB#<id>` | `SUB` | `GSI1PK = STATUS#<status>` only once confirmed (the queues), `GSI1SK = <created, padded>#<id>` |
//! | slug held by an open or exported profile (until the member is forgotten) | `SLUG#<slug>` | `SLUG` | put with `attribute_not_exists` in the same transaction as the submission |
//! | seat counter | `EVENT#<slug>` | `COUNTER` | `confirmed` seats and `waiting` |
//! | arrival counter | `EVENT#<slug>` | `SEQUENCE` | the last `sequence` given out |
//! | seat or place on the waitlist | `EVENT#<slug>` | `SIGNUP#<email>` | a seat is written in one transaction with the seat counter |
//! | held registration (until its address is confirmed) | `HELD#<id>` | `HELD` | `ttl`; taken in the transaction that seats it |
//! | rate-limit window | `RATE#<key>` | `<window start>` | `ttl` attribute (epoch seconds) |
//! | one-time value (a form stamp, an edit or removal link) | `ONCE#<key>` | `0` | `ttl`: until the value itself expires |
//! | queued mail | `MAILQ` | `MAIL#<queued at, ns, padded>#<id>` | one partition, in queue order |
//! | a published member's address | `MEMBER#<slug>` | `EMAIL` | `email`; written when their profile is exported |
//! | who published with an address | `EMAILOF#<email>` | `MEMBER` | `slug`; deleted with the person's data |
//! | introduction request | `INTRO#<id>` | `INTRO` | slugs and note, never an address; `version` for every change; `ttl` = when it is deleted; `GSI1PK = INTROREPORTS` once reported |
//! | a requester's ledger | `INTROFROM#<mailbox hash>` | `LEDGER` | the requests the mailbox sent (of all its profiles) that the rules can still count (id, to, sent, open until, open); `version` |
//! | a suspension | `INTROSUSP#<slug>` | `SUSP` | `slug`; `GSI1PK = INTROSUSPENDED` |
//! | an open request's closing time | `INTRODUE` | `<open until, ns, padded>#<id>` | one partition, in closing order; deleted when it is accepted or closed |
//! | a block | `INTROBLOCK#<recipient>` | `FROM#<requester>` and `KEY#<requester's mailbox hash>` | permanent until lifted; the first carries `requester_key` |
//! | a member's introductions (to forget them) | `INTROOF#<slug>` | `REQ#<id>` or `BLOCKEDBY#<recipient>` | `ttl` on requests |

use std::collections::HashMap;

use jiff::Timestamp;

use super::items::{Item, s};
use crate::store::Status;

/// Where a partition key of a submission starts (to tell its items from sign-ups').
pub(super) const SUBMISSION_PREFIX: &str = "SUB#";
/// Where a partition key of an event starts.
pub(super) const EVENT_PREFIX: &str = "EVENT#";
/// Where the sort key of a seat or waiting place starts, inside its event's partition.
pub(super) const SIGNUP_PREFIX: &str = "SIGNUP#";
/// The queued mail's one partition and the start of each message's sort key.
pub(super) const MAIL_PARTITION: &str = "MAILQ";
pub(super) const MAIL_PREFIX: &str = "MAIL#";

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))])
}

pub(super) fn submission(id: &str) -> Item {
    key(format!("{SUBMISSION_PREFIX}{id}"), "SUB")
}

pub(super) fn slug(slug: &str) -> Item {
    key(format!("SLUG#{slug}"), "SLUG")
}

/// The partition of everything about event `event`: its counters and its seats.
pub(super) fn event(event: &str) -> String {
    format!("{EVENT_PREFIX}{event}")
}

pub(super) fn seat_counter(event: &str) -> Item {
    key(self::event(event), "COUNTER")
}

pub(super) fn line_counter(event: &str) -> Item {
    key(self::event(event), "SEQUENCE")
}

pub(super) fn seat(event: &str, email: &str) -> Item {
    key(self::event(event), &format!("{SIGNUP_PREFIX}{email}"))
}

pub(super) fn held(id: &str) -> Item {
    key(format!("HELD#{id}"), "HELD")
}

pub(super) fn rate_window(key_name: &str, window_start: i64) -> Item {
    key(format!("RATE#{key_name}"), &window_start.to_string())
}

pub(super) fn once(key_name: &str) -> Item {
    key(format!("ONCE#{key_name}"), "0")
}

pub(super) fn queued_mail(id: &str, at: Timestamp) -> Item {
    key(
        MAIL_PARTITION.to_owned(),
        &format!("{MAIL_PREFIX}{:020}#{id}", at.as_nanosecond()),
    )
}

/// A queued message by the sort key it was stored under (`queued_mail` gives it out as the
/// message's id).
pub(super) fn queued_mail_by_sort_key(sort_key: &str) -> Item {
    key(MAIL_PARTITION.to_owned(), sort_key)
}

pub(super) fn member_email(slug: &str) -> Item {
    key(format!("MEMBER#{slug}"), "EMAIL")
}

pub(super) fn email_of(email: &str) -> Item {
    key(format!("EMAILOF#{email}"), "MEMBER")
}

pub(super) fn introduction(id: &str) -> Item {
    key(format!("INTRO#{id}"), "INTRO")
}

pub(super) fn introduction_ledger(requester: &str) -> Item {
    key(format!("INTROFROM#{requester}"), "LEDGER")
}

/// The one partition of open requests' closing times, and the sort key of one.
pub(super) const INTRODUCTION_DUE: &str = "INTRODUE";

pub(super) fn introduction_due_sort_key(open_until: Timestamp, id: &str) -> String {
    format!("{:020}#{id}", open_until.as_nanosecond())
}

pub(super) fn introduction_due(open_until: Timestamp, id: &str) -> Item {
    key(
        INTRODUCTION_DUE.to_owned(),
        &introduction_due_sort_key(open_until, id),
    )
}

/// The partition of every block a recipient made.
pub(super) fn blocks_of(recipient: &str) -> String {
    format!("INTROBLOCK#{recipient}")
}

pub(super) fn block(recipient: &str, requester: &str) -> Item {
    key(blocks_of(recipient), &format!("FROM#{requester}"))
}

/// The same block by the requester's mailbox, so that their other profiles are blocked too.
pub(super) fn block_by_mailbox(recipient: &str, requester_key: &str) -> Item {
    key(blocks_of(recipient), &format!("KEY#{requester_key}"))
}

pub(super) fn suspension(slug: &str) -> Item {
    key(format!("INTROSUSP#{slug}"), "SUSP")
}

/// The partition that lists what is stored about a member's introductions.
pub(super) fn introductions_of(slug: &str) -> String {
    format!("INTROOF#{slug}")
}

pub(super) const INTRODUCTION_OF_REQUEST: &str = "REQ#";
pub(super) const INTRODUCTION_OF_BLOCK: &str = "BLOCKEDBY#";

pub(super) fn introduction_of_request(slug: &str, id: &str) -> Item {
    key(
        introductions_of(slug),
        &format!("{INTRODUCTION_OF_REQUEST}{id}"),
    )
}

pub(super) fn introduction_of_block(requester: &str, recipient: &str) -> Item {
    key(
        introductions_of(requester),
        &format!("{INTRODUCTION_OF_BLOCK}{recipient}"),
    )
}

/// The index partitions of reported requests and of suspended requesters.
pub(super) const REPORTED_INTRODUCTIONS: &str = "INTROREPORTS";
pub(super) const SUSPENDED_REQUESTERS: &str = "INTROSUSPENDED";

/// The queue index's partition of the submissions with `status`.
pub(super) fn queue(status: Status) -> String {
    format!("STATUS#{}", status.as_str())
}
