//! Where submissions, seats, queued mail and the guards against abuse live: one trait per
//! concern (`Submissions`, `Seats`, `MailQueue`, `Guards`, `Introductions`; `Store` is all five), each
//! implemented by the embedded SQLite store for local runs (`sqlite/`) and by DynamoDB in
//! production (`dynamo/`), in a file per concern. One behavioural suite (`suite/`, the same
//! files) tests every store.

#[cfg(feature = "aws")]
pub mod dynamo;
#[cfg(feature = "local")]
pub mod sqlite;
#[cfg(test)]
pub mod suite;

pub mod introduction;
pub use introduction::{
    Answer, INTRODUCTION_RULES, Introduction, IntroductionRules, IntroductionState, Introductions,
    SendOutcome, WEEK_SECONDS,
};

use std::collections::BTreeMap;

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// How long a rejected submission is kept (for questions about the decision) before it is
/// deleted: 30 days. The privacy page states it.
pub const REJECTED_KEPT_SECONDS: i64 = 30 * 86_400;

/// What a submission asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubmissionKind {
    /// A new member profile.
    Profile,
    /// A member asks for their profile to be removed.
    Removal,
    /// Someone announces an event (its slug is proposed, not reserved: the export refuses
    /// to write over an event that exists).
    Event,
    /// A published member changes their profile (the slug is theirs).
    Update,
    /// A visitor reports a profile as fake or abusive, with a reason: it reaches the editors
    /// and changes nothing by itself. Kept 30 days after an editor decides.
    Report,
}

/// Where a submission stands. `Pending` ones reach the moderation queue once confirmed by e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pending,
    Approved,
    Rejected,
    /// Approved and written into content files by the editorial export (once).
    Exported,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Exported => "exported",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::Approved,
            Status::Rejected,
            Status::Exported,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

impl SubmissionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionKind::Profile => "profile",
            SubmissionKind::Removal => "removal",
            SubmissionKind::Event => "event",
            SubmissionKind::Update => "update",
            SubmissionKind::Report => "report",
        }
    }

    pub fn parse(text: &str) -> Option<SubmissionKind> {
        [
            SubmissionKind::Profile,
            SubmissionKind::Removal,
            SubmissionKind::Event,
            SubmissionKind::Update,
            SubmissionKind::Report,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A profile or removal request, with everything the moderation and the export need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// Made by the server, unguessable.
    pub id: String,
    pub kind: SubmissionKind,
    /// The proposed slug (profiles: unique among members and open submissions) or the
    /// slug of the member to remove.
    pub slug: String,
    /// The profile as typed (NFC-normalized), by form field name; empty for removals.
    pub fields: BTreeMap<String, String>,
    /// Private: used for confirmation and replies, never published.
    pub email: String,
    /// A salted hash of the client IP, never the IP itself.
    pub ip_hash: String,
    pub status: Status,
    pub confirmed_at: Option<Timestamp>,
    /// Until it is confirmed, a submission lapses at this time: its slug is free again and
    /// it can no longer be confirmed. `None` once confirmed; once rejected, when the
    /// rejection is purged.
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The editor who approved or rejected it, and when.
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub reason: Option<String>,
    /// The profile photo as the functions re-encoded it (see `photo.rs`): personal data,
    /// deleted with the submission. JSON answers say only `has_photo`; editors fetch the
    /// picture itself from its own address.
    #[serde(
        rename = "has_photo",
        serialize_with = "serialize_has_photo",
        skip_deserializing
    )]
    pub photo: Option<Vec<u8>>,
}

fn serialize_has_photo<S: serde::Serializer>(
    photo: &Option<Vec<u8>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_bool(photo.is_some())
}

impl Submission {
    /// A new submission (with no profile fields yet) waiting for its e-mail confirmation,
    /// which lapses after `confirm_seconds`.
    pub fn pending(
        id: String,
        kind: SubmissionKind,
        slug: String,
        email: String,
        ip_hash: String,
        now: Timestamp,
        confirm_seconds: i64,
    ) -> Submission {
        Submission {
            id,
            kind,
            slug,
            fields: BTreeMap::new(),
            email,
            ip_hash,
            status: Status::Pending,
            confirmed_at: None,
            expires_at: Some(
                now.checked_add(jiff::SignedDuration::from_secs(confirm_seconds))
                    .unwrap_or(now),
            ),
            created_at: now,
            updated_at: now,
            decided_by: None,
            decided_at: None,
            reason: None,
            photo: None,
        }
    }
}

/// Where a page of a queue ends: the last submission's creation time (nanoseconds, padded
/// to sort as text) and id, which is also DynamoDB's queue sort key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor(String);

impl Cursor {
    /// The position of `submission` in its queue.
    pub fn of(submission: &Submission) -> Cursor {
        Cursor(format!(
            "{:020}#{}",
            submission.created_at.as_nanosecond(),
            submission.id
        ))
    }

    /// A cursor as a client sent it back ([`Cursor::wire`]), if it is one this code made.
    pub fn parse(text: &str) -> Option<Cursor> {
        let (time, id) = text.split_once(['#', '.'])?;
        let well_formed = time.len() == 20
            && time.bytes().all(|b| b.is_ascii_digit())
            && !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Cursor(format!("{time}#{id}")))
    }

    /// The cursor as clients carry it: `.` for `#`, so that it needs no escaping in a URL.
    pub fn wire(&self) -> String {
        self.0.replacen('#', ".", 1)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The submission id it ends at.
    pub fn id(&self) -> &str {
        self.0.split_once('#').map_or("", |(_, id)| id)
    }
}

/// A page of a queue, newest first, and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionPage {
    pub submissions: Vec<Submission>,
    pub next: Option<Cursor>,
}

/// Whether a person holds a seat or waits for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeatState {
    Confirmed,
    Waitlisted,
}

impl SeatState {
    pub fn as_str(self) -> &'static str {
        match self {
            SeatState::Confirmed => "confirmed",
            SeatState::Waitlisted => "waitlisted",
        }
    }
}

/// A sign-up that chose to appear on the event's attendee list: the name it was made with,
/// the organization typed beside it, and the member whose address it was made with, if any
/// (their name then links to their profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub organization: Option<String>,
    pub member: Option<String>,
}

/// One person's sign-up for an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub event: String,
    /// Lowercased: the same address twice is the same person.
    pub email: String,
    pub name: String,
    pub message: Option<String>,
    /// `Some` if the person chose to appear on the attendee list (unchecked by default).
    pub listing: Option<Listing>,
    pub state: SeatState,
    /// Arrival order within the event: the waitlist moves up in this order.
    pub sequence: u64,
    pub created_at: Timestamp,
}

/// What a sign-up did.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistrationOutcome {
    Confirmed(Registration),
    Waitlisted {
        signup: Registration,
        position: u64,
    },
    /// The same e-mail had signed up already: nothing changed.
    AlreadySignedUp(Registration),
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq)]
pub struct Cancellation {
    pub cancelled: Registration,
    /// The first person on the waitlist, who now holds the freed seat.
    pub promoted: Option<Registration>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An open submission already holds this slug.
    #[error("the slug `{0}` is taken")]
    SlugTaken(String),
    /// The store could not be reached or failed; nothing was written.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// A stored item is not what this code wrote (a missing attribute, a wrong type, an
    /// unknown value): reported, never read as a record with empty fields.
    #[error("a stored item is corrupt: {0}")]
    Corrupt(String),
}

/// Storage for submissions, seats, queued mail and the guards against abuse, one trait per
/// concern, each implemented by every store in a file of its own. Every method is atomic: it
/// either happens entirely or not at all, whatever runs at the same time.
pub trait Store: Submissions + Seats + MailQueue + Guards + Introductions {}

impl<T: Submissions + Seats + MailQueue + Guards + Introductions> Store for T {}

/// Submissions: sign-ups to the portal, announcements, updates, removals and reports, from their
/// creation through confirmation and the editors' decision to their export, and what is kept
/// of a published member (their address, found by slug or by address).
#[async_trait]
pub trait Submissions: Send + Sync {
    /// Stores a new submission; a profile fails with `SlugTaken` if an open (pending and not
    /// lapsed at the new one's `created_at`, or approved) profile submission holds the slug.
    async fn create_submission(&self, submission: &Submission) -> Result<(), StoreError>;

    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError>;

    /// Whether an open profile submission holds `slug` at `now` (a lapsed one does not).
    async fn slug_reserved(&self, slug: &str, now: Timestamp) -> Result<bool, StoreError>;

    /// Marks a pending submission as confirmed by e-mail; `false` if it is not pending or
    /// has lapsed. Confirming twice is harmless.
    async fn confirm_submission(&self, id: &str, at: Timestamp) -> Result<bool, StoreError>;

    /// Confirmed submissions with `status`, oldest first (the moderation queue for `Pending`).
    async fn list_submissions(&self, status: Status) -> Result<Vec<Submission>, StoreError>;

    /// One page of the confirmed submissions with `status`, newest first: at most `limit`,
    /// after `cursor` (a page's `next`), so that a listing costs the same whatever the queue
    /// holds.
    async fn submissions_page(
        &self,
        status: Status,
        limit: usize,
        cursor: Option<&Cursor>,
    ) -> Result<SubmissionPage, StoreError>;

    /// Approves or rejects a confirmed pending submission, recording the editor and time.
    /// Returns the updated submission, or `None` if it was not confirmed and pending.
    async fn decide(
        &self,
        id: &str,
        decision: Status,
        editor: &str,
        reason: Option<&str>,
        at: Timestamp,
    ) -> Result<Option<Submission>, StoreError>;

    /// Marks an approved submission exported; `true` exactly once per submission.
    async fn mark_exported(&self, id: &str, at: Timestamp) -> Result<bool, StoreError>;

    /// Deletes for real what is held about a person who asked to be removed: every
    /// submission with `email`, and every profile submission of the member `slug` (with its
    /// slug reservation and photo), except the removal request `keep`, of which only the slug
    /// and the decision stay (its address, fields, photo and IP hash are erased). Returns how many
    /// submissions were deleted. Event sign-ups are cancelled by the caller, so that a freed
    /// seat goes to the waitlist.
    async fn forget_submissions(
        &self,
        email: &str,
        slug: &str,
        keep: &str,
    ) -> Result<usize, StoreError>;

    /// The slug of the published member whose profile was submitted with `email` (an
    /// exported profile submission), if any: an announcer who is a member is linked as the
    /// event's organizer. The address itself never leaves the store.
    async fn member_by_email(&self, email: &str) -> Result<Option<String>, StoreError>;

    /// The address published member `slug`'s profile was submitted with (their exported
    /// profile submission), if the store has it: an edit link goes only there.
    async fn member_email(&self, slug: &str) -> Result<Option<String>, StoreError>;
}

/// Seats at events: held registrations, seats and the waitlist, cancellations.
#[async_trait]
pub trait Seats: Send + Sync {
    /// Holds an event sign-up that waits for its address to be confirmed, until
    /// `expires_at`. It takes no seat and no place in line.
    async fn hold_registration(
        &self,
        id: &str,
        signup: &NewRegistration,
        expires_at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Confirms the held sign-up `id` for `event` in one atomic step: it is taken (once,
    /// unless it lapsed before `now`) and signed up as [`Seats::register`] does, with `now`
    /// as its place in line. `None` when there is no such hold for that event, in which
    /// case nothing changed: a failure leaves the hold as it was, so the link still works.
    async fn seat_held_registration(
        &self,
        id: &str,
        event: &str,
        capacity: u32,
        now: Timestamp,
    ) -> Result<Option<RegistrationOutcome>, StoreError>;

    /// Signs a person up: a seat while fewer than `capacity` are confirmed and nobody waits,
    /// else the waitlist.
    async fn register(
        &self,
        signup: NewRegistration,
        capacity: u32,
    ) -> Result<RegistrationOutcome, StoreError>;

    /// Gives free seats to those waiting, first in line first, while fewer than `capacity`
    /// are confirmed (the capacity rose); returns who got one. A newcomer never takes a seat
    /// while someone waits: `register` puts them in line behind.
    async fn promote_waitlist(
        &self,
        event: &str,
        capacity: u32,
    ) -> Result<Vec<Registration>, StoreError>;

    /// Cancels a sign-up; a freed seat goes to the first person on the waitlist.
    async fn cancel_registration(
        &self,
        event: &str,
        email: &str,
    ) -> Result<Option<Cancellation>, StoreError>;

    /// Every sign-up of an event in arrival order.
    async fn registrations(&self, event: &str) -> Result<Vec<Registration>, StoreError>;

    /// The sign-up of `email` for `event`, if there is one.
    async fn registration(
        &self,
        event: &str,
        email: &str,
    ) -> Result<Option<Registration>, StoreError>;

    /// Every event sign-up made with `email`, in any event.
    async fn registrations_of(&self, email: &str) -> Result<Vec<Registration>, StoreError>;
}

/// Mail that waits to be sent (see `QueueingMailer`).
#[async_trait]
pub trait MailQueue: Send + Sync {
    /// Keeps a message that could not be sent, for a later retry.
    async fn queue_mail(
        &self,
        id: &str,
        message: &crate::message::Message,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Queued messages, oldest first, at most `limit`.
    async fn queued_mail(
        &self,
        limit: usize,
    ) -> Result<Vec<(String, crate::message::Message)>, StoreError>;

    /// Takes a queued message out of the queue; `true` for the one caller that took it, so
    /// that two retries at the same time never send it twice.
    async fn unqueue_mail(&self, id: &str) -> Result<bool, StoreError>;
}

/// What keeps the forms from abuse: one-time values (form stamps, links) and rate-limit windows.
#[async_trait]
pub trait Guards: Send + Sync {
    /// Records that `key` (a one-time value, such as a form stamp) was used; `false` if it
    /// was used before. The record lasts until `expires_at`, after which the value itself
    /// is no longer valid.
    async fn use_once(
        &self,
        key: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Counts one use of `key` in the fixed window containing `now`; `false` once more than
    /// `limit` uses fall in that window. Old windows expire.
    async fn allow(
        &self,
        key: &str,
        limit: u32,
        window_seconds: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// A sign-up as submitted, before the store gives it a state and a place in line.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRegistration {
    pub event: String,
    pub email: String,
    pub name: String,
    pub message: Option<String>,
    pub listing: Option<Listing>,
    pub at: Timestamp,
}
