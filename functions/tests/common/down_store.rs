//! A store that is down, for the tests of what the functions answer when it is.

use async_trait::async_trait;
use functions::store::{
    Answer, Cancellation, Guards, Introduction, IntroductionRules, Introductions, MailQueue,
    NewRegistration, Registration, RegistrationOutcome, Seats, SendOutcome, Status, StoreError,
    Submission, Submissions,
};

/// A store that is down: every call fails as an unreachable database would.
pub struct DownStore;

#[async_trait]
impl Submissions for DownStore {
    async fn create_submission(&self, _: &Submission) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn submission(&self, _: &str) -> Result<Option<Submission>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn slug_reserved(&self, _: &str, _: jiff::Timestamp) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn confirm_submission(&self, _: &str, _: jiff::Timestamp) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn list_submissions(&self, _: Status) -> Result<Vec<Submission>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn submissions_page(
        &self,
        _: Status,
        _: usize,
        _: Option<&functions::store::Cursor>,
    ) -> Result<functions::store::SubmissionPage, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn decide(
        &self,
        _: &str,
        _: Status,
        _: &str,
        _: Option<&str>,
        _: jiff::Timestamp,
    ) -> Result<Option<Submission>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn mark_exported(&self, _: &str, _: jiff::Timestamp) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn forget_submissions(&self, _: &str, _: &str, _: &str) -> Result<usize, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn member_by_email(&self, _: &str) -> Result<Option<String>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn member_email(&self, _: &str) -> Result<Option<String>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
}

#[async_trait]
impl Seats for DownStore {
    async fn hold_registration(
        &self,
        _: &str,
        _: &functions::store::NewRegistration,
        _: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn seat_held_registration(
        &self,
        _: &str,
        _: &str,
        _: u32,
        _: jiff::Timestamp,
    ) -> Result<Option<RegistrationOutcome>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn register(
        &self,
        _: NewRegistration,
        _: u32,
    ) -> Result<RegistrationOutcome, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn promote_waitlist(&self, _: &str, _: u32) -> Result<Vec<Registration>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn cancel_registration(
        &self,
        _: &str,
        _: &str,
    ) -> Result<Option<Cancellation>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn registrations(&self, _: &str) -> Result<Vec<Registration>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn registration(&self, _: &str, _: &str) -> Result<Option<Registration>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn registrations_of(&self, _: &str) -> Result<Vec<Registration>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
}

#[async_trait]
impl MailQueue for DownStore {
    async fn queue_mail(
        &self,
        _: &str,
        _: &functions::mail::Message,
        _: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn queued_mail(
        &self,
        _: usize,
    ) -> Result<Vec<(String, functions::mail::Message)>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn unqueue_mail(&self, _: &str) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
}

#[async_trait]
impl Guards for DownStore {
    async fn use_once(
        &self,
        _: &str,
        _: jiff::Timestamp,
        _: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }

    async fn allow(&self, _: &str, _: u32, _: i64, _: jiff::Timestamp) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
}

#[async_trait]
impl Introductions for DownStore {
    async fn hold_introduction(&self, _: &Introduction) -> Result<(), StoreError> {
        Err(down())
    }

    async fn introduction(
        &self,
        _: &str,
        _: jiff::Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        Err(down())
    }

    async fn send_introduction(
        &self,
        _: &str,
        _: IntroductionRules,
        _: jiff::Timestamp,
    ) -> Result<SendOutcome, StoreError> {
        Err(down())
    }

    async fn answer_introduction(
        &self,
        _: &str,
        _: Answer,
        _: jiff::Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        Err(down())
    }

    async fn report_introduction(
        &self,
        _: &str,
        _: &str,
        _: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        Err(down())
    }

    async fn reported_introductions(
        &self,
        _: usize,
        _: jiff::Timestamp,
    ) -> Result<Vec<Introduction>, StoreError> {
        Err(down())
    }

    async fn suspend_requester(
        &self,
        _: &str,
        _: bool,
        _: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        Err(down())
    }

    async fn suspended_requesters(&self) -> Result<Vec<String>, StoreError> {
        Err(down())
    }

    async fn due_introductions(
        &self,
        _: jiff::Timestamp,
        _: usize,
    ) -> Result<Vec<Introduction>, StoreError> {
        Err(down())
    }

    async fn close_introduction(
        &self,
        _: &str,
        _: jiff::Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        Err(down())
    }

    async fn blocked_requesters(&self, _: &str) -> Result<Vec<String>, StoreError> {
        Err(down())
    }

    async fn lift_block(&self, _: &str, _: &str) -> Result<bool, StoreError> {
        Err(down())
    }

    async fn forget_introductions(&self, _: &str) -> Result<usize, StoreError> {
        Err(down())
    }
}

fn down() -> StoreError {
    StoreError::Unavailable("connection refused".into())
}
