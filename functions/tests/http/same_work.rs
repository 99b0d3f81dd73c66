//! Timing must not tell whether an address is a member's: an edit-link or removal request
//! does the same work in the store whether the typed address matched, did not, or the slug
//! is no member, and sends no mail while the requester waits (the link is queued and sent
//! by the mail job). Checked by recording every store call the request makes, on the real
//! SQLite store.

use functions::store::{Answer, Introduction, IntroductionRules, SendOutcome};
use functions::store::{Guards, Introductions, MailQueue, Seats, Submissions};
use std::sync::{Arc, Mutex};

use crate::common::{HANAKO, Harness, published_member};
use async_trait::async_trait;
use functions::mail::Message;
use functions::store::sqlite::SqliteStore;
use functions::store::{
    Cancellation, Cursor, NewRegistration, Registration, RegistrationOutcome, Status, Store,
    StoreError, Submission, SubmissionPage,
};
use jiff::Timestamp;

/// The real store, with the name of every call kept in order.
struct Recording {
    inner: Arc<SqliteStore>,
    calls: Mutex<Vec<&'static str>>,
}

impl Recording {
    fn log(&self, name: &'static str) {
        self.calls.lock().unwrap().push(name);
    }
    fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut self.calls.lock().unwrap())
    }
}

#[async_trait]
impl Submissions for Recording {
    async fn create_submission(&self, s: &Submission) -> Result<(), StoreError> {
        self.log("create_submission");
        self.inner.create_submission(s).await
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        self.log("submission");
        self.inner.submission(id).await
    }

    async fn slug_reserved(&self, slug: &str, now: Timestamp) -> Result<bool, StoreError> {
        self.log("slug_reserved");
        self.inner.slug_reserved(slug, now).await
    }

    async fn confirm_submission(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        self.log("confirm_submission");
        self.inner.confirm_submission(id, at).await
    }

    async fn list_submissions(&self, status: Status) -> Result<Vec<Submission>, StoreError> {
        self.log("list_submissions");
        self.inner.list_submissions(status).await
    }

    async fn submissions_page(
        &self,
        status: Status,
        limit: usize,
        cursor: Option<&Cursor>,
    ) -> Result<SubmissionPage, StoreError> {
        self.log("submissions_page");
        self.inner.submissions_page(status, limit, cursor).await
    }

    async fn decide(
        &self,
        id: &str,
        decision: Status,
        editor: &str,
        reason: Option<&str>,
        at: Timestamp,
    ) -> Result<Option<Submission>, StoreError> {
        self.log("decide");
        self.inner.decide(id, decision, editor, reason, at).await
    }

    async fn mark_exported(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        self.log("mark_exported");
        self.inner.mark_exported(id, at).await
    }

    async fn forget_submissions(
        &self,
        email: &str,
        slug: &str,
        keep: &str,
    ) -> Result<usize, StoreError> {
        self.log("forget_submissions");
        self.inner.forget_submissions(email, slug, keep).await
    }

    async fn member_by_email(&self, email: &str) -> Result<Option<String>, StoreError> {
        self.log("member_by_email");
        self.inner.member_by_email(email).await
    }

    async fn member_email(&self, slug: &str) -> Result<Option<String>, StoreError> {
        self.log("member_email");
        self.inner.member_email(slug).await
    }
}

#[async_trait]
impl Seats for Recording {
    async fn hold_registration(
        &self,
        id: &str,
        s: &NewRegistration,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.log("hold_registration");
        self.inner.hold_registration(id, s, at).await
    }

    async fn seat_held_registration(
        &self,
        id: &str,
        event: &str,
        capacity: u32,
        now: Timestamp,
    ) -> Result<Option<RegistrationOutcome>, StoreError> {
        self.log("seat_held_registration");
        self.inner
            .seat_held_registration(id, event, capacity, now)
            .await
    }

    async fn register(
        &self,
        s: NewRegistration,
        capacity: u32,
    ) -> Result<RegistrationOutcome, StoreError> {
        self.log("sign_up");
        self.inner.register(s, capacity).await
    }

    async fn promote_waitlist(
        &self,
        event: &str,
        capacity: u32,
    ) -> Result<Vec<Registration>, StoreError> {
        self.log("promote_waitlist");
        self.inner.promote_waitlist(event, capacity).await
    }

    async fn cancel_registration(
        &self,
        event: &str,
        email: &str,
    ) -> Result<Option<Cancellation>, StoreError> {
        self.log("cancel_registration");
        self.inner.cancel_registration(event, email).await
    }

    async fn registrations(&self, event: &str) -> Result<Vec<Registration>, StoreError> {
        self.log("signups");
        self.inner.registrations(event).await
    }

    async fn registration(
        &self,
        event: &str,
        email: &str,
    ) -> Result<Option<Registration>, StoreError> {
        self.log("signup");
        self.inner.registration(event, email).await
    }

    async fn registrations_of(&self, email: &str) -> Result<Vec<Registration>, StoreError> {
        self.log("registrations_of");
        self.inner.registrations_of(email).await
    }
}

#[async_trait]
impl MailQueue for Recording {
    async fn queue_mail(&self, id: &str, m: &Message, at: Timestamp) -> Result<(), StoreError> {
        self.log("queue_mail");
        self.inner.queue_mail(id, m, at).await
    }

    async fn queued_mail(&self, limit: usize) -> Result<Vec<(String, Message)>, StoreError> {
        self.log("queued_mail");
        self.inner.queued_mail(limit).await
    }

    async fn unqueue_mail(&self, id: &str) -> Result<bool, StoreError> {
        self.log("unqueue_mail");
        self.inner.unqueue_mail(id).await
    }
}

#[async_trait]
impl Guards for Recording {
    async fn use_once(
        &self,
        key: &str,
        expires: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.log("use_once");
        self.inner.use_once(key, expires, now).await
    }

    async fn allow(
        &self,
        key: &str,
        limit: u32,
        window: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.log("allow");
        self.inner.allow(key, limit, window, now).await
    }
}

#[async_trait]
impl Introductions for Recording {
    async fn hold_introduction(&self, i: &Introduction) -> Result<(), StoreError> {
        self.log("hold_introduction");
        self.inner.hold_introduction(i).await
    }
    async fn introduction(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        self.log("introduction");
        self.inner.introduction(id, now).await
    }
    async fn send_introduction(
        &self,
        id: &str,
        rules: IntroductionRules,
        now: Timestamp,
    ) -> Result<SendOutcome, StoreError> {
        self.log("send_introduction");
        self.inner.send_introduction(id, rules, now).await
    }
    async fn answer_introduction(
        &self,
        id: &str,
        answer: Answer,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        self.log("answer_introduction");
        self.inner.answer_introduction(id, answer, now).await
    }
    async fn report_introduction(
        &self,
        id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.log("report_introduction");
        self.inner.report_introduction(id, reason, now).await
    }
    async fn reported_introductions(
        &self,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<Introduction>, StoreError> {
        self.log("reported_introductions");
        self.inner.reported_introductions(limit, now).await
    }
    async fn suspend_requester(
        &self,
        slug: &str,
        suspended: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.log("suspend_requester");
        self.inner.suspend_requester(slug, suspended, now).await
    }
    async fn suspended_requesters(&self) -> Result<Vec<String>, StoreError> {
        self.log("suspended_requesters");
        self.inner.suspended_requesters().await
    }
    async fn due_introductions(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Introduction>, StoreError> {
        self.log("due_introductions");
        self.inner.due_introductions(now, limit).await
    }
    async fn close_introduction(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        self.log("close_introduction");
        self.inner.close_introduction(id, now).await
    }
    async fn blocked_requesters(&self, recipient: &str) -> Result<Vec<String>, StoreError> {
        self.log("blocked_requesters");
        self.inner.blocked_requesters(recipient).await
    }
    async fn lift_block(&self, recipient: &str, requester: &str) -> Result<bool, StoreError> {
        self.log("lift_block");
        self.inner.lift_block(recipient, requester).await
    }
    async fn forget_introductions(&self, slug: &str) -> Result<usize, StoreError> {
        self.log("forget_introductions");
        self.inner.forget_introductions(slug).await
    }
}

fn recording() -> (Harness, Arc<Recording>) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Arc::new(SqliteStore::open(&dir.path().join("data/portal.sqlite3")).unwrap());
    let recording = Arc::new(Recording {
        inner: Arc::clone(&sqlite),
        calls: Mutex::new(Vec::new()),
    });
    (
        Harness::with_store(dir, Arc::clone(&recording) as Arc<dyn Store>, sqlite),
        recording,
    )
}

#[tokio::test]
async fn edit_and_removal_requests_do_the_same_work_whoever_the_address_is() {
    let (h, store) = recording();
    published_member(&h).await;
    const JSON: &str = "application/json";
    for action in ["edit", "removal"] {
        let mut works = Vec::new();
        for (n, (slug, typed)) in [
            ("yamada-hanako", HANAKO),
            ("yamada-hanako", "someone@example.jp"),
            ("nobody-here", "someone@example.jp"),
        ]
        .into_iter()
        .enumerate()
        {
            let body = h.stamped(JSON, &format!(r#"{{"email":"{typed}"}}"#)).await;
            store.take();
            let (status, _, _) = h
                .send(crate::common::post(
                    &format!("/api/members/{slug}/{action}"),
                    JSON,
                    &format!("198.51.100.{n}"),
                    &body,
                ))
                .await;
            assert!(status.is_success(), "{action} {slug} {typed}: {status}");
            works.push(store.take());
            assert!(h.outbox().is_empty(), "no mail while the requester waits");
        }
        assert!(works[0].contains(&"queue_mail"), "{works:?}");
        assert_eq!(works[0], works[1], "{action}: a match and a miss");
        assert_eq!(works[0], works[2], "{action}: a member and no member");
        // The job then sends the one real link, and drops the blanks.
        h.deliver().await;
        let mails = h.outbox();
        assert_eq!(mails.len(), 1, "{action}: {mails:?}");
        assert!(mails[0].contains("To: hanako@example.jp"));
        std::fs::remove_dir_all(h.dir.path().join("outbox")).unwrap();
    }
}
