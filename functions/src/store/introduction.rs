//! What the store keeps of an introduction request between two members, and the rules it
//! enforces atomically (open requests, requests a week, one open request per pair, blocks,
//! suspensions). Requests carry slugs and the note, never an address: the addresses are
//! looked up from the members' own records when both agreed.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::StoreError;

/// How long a request and its note are kept after it ended (accepted, or closed unanswered),
/// then deleted: 30 days. The privacy page states it.
pub const INTRODUCTION_KEPT_SECONDS: i64 = 30 * 86_400;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntroductionState {
    /// Written, waiting for the requester to open the mailed link and send it.
    Held,
    /// Sent to the recipient, who has not answered.
    Pending,
    /// The recipient declined; to the requester it still looks pending until it closes.
    Declined,
    /// The recipient had blocked the requester: never mailed, and to the requester it looks
    /// pending until it closes, like any unanswered request.
    Dropped,
    /// The recipient agreed: both were mailed each other's address.
    Accepted,
    /// Closed without being accepted within its time (unanswered, declined or dropped); the
    /// requester was told only that.
    Closed,
}

impl IntroductionState {
    pub fn as_str(self) -> &'static str {
        match self {
            IntroductionState::Held => "held",
            IntroductionState::Pending => "pending",
            IntroductionState::Declined => "declined",
            IntroductionState::Dropped => "dropped",
            IntroductionState::Accepted => "accepted",
            IntroductionState::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<IntroductionState> {
        [
            IntroductionState::Held,
            IntroductionState::Pending,
            IntroductionState::Declined,
            IntroductionState::Dropped,
            IntroductionState::Accepted,
            IntroductionState::Closed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Sent and not yet accepted or closed: it counts against the requester's open requests
    /// and holds the pair, whatever the recipient did (so a decline cannot be told apart).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            IntroductionState::Pending | IntroductionState::Declined | IntroductionState::Dropped
        )
    }
}

/// One request from one member to another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Introduction {
    /// Made by the server, unguessable.
    pub id: String,
    /// The slugs of the member who asks and the member asked.
    pub requester: String,
    pub recipient: String,
    /// The requester's mailbox as a keyed hash (never the address): the rules and blocks
    /// count mailboxes, so two profiles of one person share them. Not shown to editors.
    #[serde(skip)]
    pub requester_key: String,
    /// Plain text, at most 400 characters.
    pub note: String,
    pub state: IntroductionState,
    pub created_at: Timestamp,
    /// A held request can be sent until then.
    pub hold_until: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// A sent request is open until then, and closes unanswered after it.
    pub open_until: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    /// When it was accepted or closed: it is deleted 30 days later.
    pub ended_at: Option<Timestamp>,
    /// The recipient blocked the requester from this request.
    pub blocked: bool,
    /// The recipient's report to the editors, and when.
    pub report: Option<String>,
    pub reported_at: Option<Timestamp>,
}

impl Introduction {
    /// A new request, held until its requester sends it from the mailed link.
    pub fn held(
        id: String,
        requester: String,
        requester_key: String,
        recipient: String,
        note: String,
        now: Timestamp,
        hold_seconds: i64,
    ) -> Introduction {
        Introduction {
            id,
            requester,
            requester_key,
            recipient,
            note,
            state: IntroductionState::Held,
            created_at: now,
            hold_until: after(now, hold_seconds),
            sent_at: None,
            open_until: None,
            answered_at: None,
            ended_at: None,
            blocked: false,
            report: None,
            reported_at: None,
        }
    }

    /// Whether it is open at `now`: sent, neither accepted nor closed, within its time.
    pub fn open_at(&self, now: Timestamp) -> bool {
        self.state.is_open() && self.open_until.is_some_and(|until| now < until)
    }

    /// When the store deletes it: a held one when its hold lapses, an ended one 30 days
    /// after it ended, an open one 30 days after it would close (if the closing job never
    /// ran).
    pub fn delete_at(&self) -> Timestamp {
        match (self.state, self.ended_at, self.open_until) {
            (IntroductionState::Held, _, _) => self.hold_until,
            (_, Some(ended), _) => after(ended, INTRODUCTION_KEPT_SECONDS),
            (_, None, Some(until)) => after(until, INTRODUCTION_KEPT_SECONDS),
            (_, None, None) => after(self.hold_until, INTRODUCTION_KEPT_SECONDS),
        }
    }

    /// Whether the store still holds it at `now` (DynamoDB deletes expired items late).
    pub fn kept_at(&self, now: Timestamp) -> bool {
        now < self.delete_at()
    }

    /// Applies the recipient's `answer` as `Introductions::answer_introduction` says;
    /// `false` when it does not apply. Both stores change a request only through this.
    pub fn apply(&mut self, answer: Answer, now: Timestamp) -> bool {
        use IntroductionState::*;
        let pending = self.state == Pending && self.open_at(now);
        match answer {
            Answer::Accept if pending => {
                self.state = Accepted;
                self.answered_at = Some(now);
                self.ended_at = Some(now);
            }
            Answer::Decline if pending => {
                self.state = Declined;
                self.answered_at = Some(now);
            }
            // A recipient may block whatever they were sent, answered or not, while it is kept.
            Answer::Block
                if !self.blocked
                    && matches!(self.state, Pending | Declined | Closed | Accepted) =>
            {
                if pending {
                    self.state = Declined;
                    self.answered_at = Some(now);
                }
                self.blocked = true;
            }
            Answer::Unblock if self.blocked => self.blocked = false,
            _ => return false,
        }
        true
    }

    /// Closes an open request whose time ran out at `now`; `false` if it is not one.
    pub fn close(&mut self, now: Timestamp) -> bool {
        let due = self.state.is_open() && self.open_until.is_some_and(|until| until <= now);
        if due {
            self.state = IntroductionState::Closed;
            self.ended_at = Some(now);
        }
        due
    }

    /// Whether the recipient may report it: it was sent to them (a held one was not; a
    /// dropped one never reached them, and no link to it was ever mailed) and not reported.
    pub fn reportable(&self) -> bool {
        self.report.is_none()
            && !matches!(
                self.state,
                IntroductionState::Held | IntroductionState::Dropped
            )
    }
}

pub(crate) fn after(time: Timestamp, seconds: i64) -> Timestamp {
    time.checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or(time)
}

/// The limits that keep introductions human, checked by the store in the same atomic step
/// that sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntroductionRules {
    /// Open requests one requester may have.
    pub open_per_requester: u32,
    /// Requests one requester may send in any 7 days.
    pub per_week: u32,
    /// How long a sent request stays open.
    pub open_seconds: i64,
}

/// The rules of issue 18: 3 open, 10 a week, 14 days.
pub const INTRODUCTION_RULES: IntroductionRules = IntroductionRules {
    open_per_requester: 3,
    per_week: 10,
    open_seconds: 14 * 86_400,
};

/// The seconds in the requests-a-week window.
pub const WEEK_SECONDS: i64 = 7 * 86_400;

/// What sending a held request did.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    /// Sent: the recipient is to be mailed.
    Sent(Introduction),
    /// The recipient blocks the requester: stored as open, never mailed.
    Dropped(Introduction),
    /// The requester has as many open requests as the rules allow.
    TooManyOpen,
    /// The requester sent as many requests in the last 7 days as the rules allow.
    TooManyThisWeek,
    /// The requester has an open request to the same member.
    PairOpen,
    /// The editors suspended the requester.
    Suspended,
    /// No such held request (sent already, lapsed or never held): nothing changed.
    NotHeld,
}

/// What the recipient chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
    /// Declines, and drops every later request from the same requester until lifted.
    Block,
    /// Lifts the block made from this request.
    Unblock,
}

impl Answer {
    pub fn parse(text: &str) -> Option<Answer> {
        match text {
            "accept" => Some(Answer::Accept),
            "decline" => Some(Answer::Decline),
            "block" => Some(Answer::Block),
            "unblock" => Some(Answer::Unblock),
            _ => None,
        }
    }
}

/// Introduction requests, from held to deleted.
#[async_trait]
pub trait Introductions: Send + Sync {
    /// Stores a new request in `Held` state until its `hold_until`.
    async fn hold_introduction(&self, introduction: &Introduction) -> Result<(), StoreError>;

    /// The request `id`, while the store keeps it (`Introduction::kept_at`).
    async fn introduction(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError>;

    /// Sends the held request `id` in one atomic step with the rules: its requester must not
    /// be suspended and must have fewer than `rules.open_per_requester` open requests, fewer
    /// than `rules.per_week` sent in the last 7 days, and none open to the same recipient.
    /// A request to a recipient who blocks the requester is stored as `Dropped`, which counts
    /// as any open request. A refused request stays held, unchanged. The requester is their
    /// mailbox (`requester_key`) for the rules and blocks, their slug for a suspension.
    async fn send_introduction(
        &self,
        id: &str,
        rules: IntroductionRules,
        now: Timestamp,
    ) -> Result<SendOutcome, StoreError>;

    /// Applies the recipient's answer. Accept and decline apply only to an open, pending
    /// request; block to an open or declined one; unblock to a blocked one. Returns the request
    /// as changed, to exactly one caller, or `None` when nothing changed.
    async fn answer_introduction(
        &self,
        id: &str,
        answer: Answer,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError>;

    /// Records the recipient's report to the editors (once: `false` if it was reported
    /// already or is not a request the recipient was sent).
    async fn report_introduction(
        &self,
        id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Reported requests the store still keeps, newest report first, at most `limit`.
    async fn reported_introductions(
        &self,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<Introduction>, StoreError>;

    /// Suspends member `slug` from sending requests (`true`) or lifts it (`false`).
    async fn suspend_requester(
        &self,
        slug: &str,
        suspended: bool,
        now: Timestamp,
    ) -> Result<(), StoreError>;

    /// The suspended members' slugs, in order.
    async fn suspended_requesters(&self) -> Result<Vec<String>, StoreError>;

    /// Open requests whose time ran out before `now`, oldest first, at most `limit`.
    async fn due_introductions(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Introduction>, StoreError>;

    /// Closes a request whose time ran out: returns it to exactly one caller (who mails
    /// the requester), `None` if it was closed, accepted or is not due.
    async fn close_introduction(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError>;

    /// The members `recipient` blocks, in order.
    async fn blocked_requesters(&self, recipient: &str) -> Result<Vec<String>, StoreError>;

    /// Lifts `recipient`'s block of `requester`, whatever request it was made from;
    /// `false` if there was none.
    async fn lift_block(&self, recipient: &str, requester: &str) -> Result<bool, StoreError>;

    /// Deletes for real every request member `slug` sent or was sent, their blocks either way
    /// and their suspension: the member asked to be forgotten. Returns the requests deleted.
    async fn forget_introductions(&self, slug: &str) -> Result<usize, StoreError>;
}
