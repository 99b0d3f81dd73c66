//! SQLite: submissions from creation to export, and what is kept of a published member.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, corrupt, submission_from, unavailable};
use crate::store::{
    Cursor, Status, StoreError, Submission, SubmissionKind, SubmissionPage, Submissions,
};

#[async_trait]
impl Submissions for SqliteStore {
    async fn create_submission(&self, submission: &Submission) -> Result<(), StoreError> {
        let s = submission.clone();
        self.with(move |c| {
            let fields = serde_json::to_string(&s.fields).map_err(|e| StoreError::Unavailable(e.to_string()))?;
            let transaction = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(unavailable)?;
            // Lapsed, unconfirmed submissions and rejections past their keeping period are
            // deleted (DynamoDB does it by TTL): nothing of them is kept.
            transaction
                .execute(
                    "DELETE FROM submissions WHERE expires_at <= ?1
                     AND ((status = 'pending' AND confirmed_at IS NULL) OR status = 'rejected' OR kind = 'report')",
                    params![s.created_at.as_second()],
                )
                .map_err(unavailable)?;
            // An exported profile holds its slug until the member is forgotten (the unique
            // index covers open ones only, so the check is here, in the same transaction).
            let exported: bool = transaction
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM submissions WHERE slug = ?1 AND kind = 'profile' AND status = 'exported')",
                    params![s.slug],
                    |row| row.get(0),
                )
                .map_err(unavailable)?;
            if exported && s.kind == SubmissionKind::Profile {
                return Err(StoreError::SlugTaken(s.slug.clone()));
            }
            let result = transaction.execute(
                "INSERT INTO submissions (id, kind, slug, fields, email, ip_hash, status, confirmed_at, expires_at, created_at, updated_at, decided_by, decided_at, reason, photo)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    s.id,
                    s.kind.as_str(),
                    s.slug,
                    fields,
                    s.email,
                    s.ip_hash,
                    s.status.as_str(),
                    s.confirmed_at.map(|t| t.to_string()),
                    s.expires_at.map(|t| t.as_second()),
                    s.created_at.to_string(),
                    s.updated_at.to_string(),
                    s.decided_by,
                    s.decided_at.map(|t| t.to_string()),
                    s.reason,
                    s.photo,
                ],
            );
            match result {
                Ok(_) => transaction.commit().map_err(unavailable),
                Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                    Err(StoreError::SlugTaken(s.slug.clone()))
                }
                Err(e) => Err(unavailable(e)),
            }
        })
        .await
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            c.query_row(
                "SELECT * FROM submissions WHERE id = ?1",
                params![id],
                submission_from,
            )
            .optional()
            .map_err(unavailable)
        })
        .await
    }

    async fn slug_reserved(&self, slug: &str, now: Timestamp) -> Result<bool, StoreError> {
        let slug = slug.to_owned();
        self.with(move |c| {
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM submissions WHERE slug = ?1 AND kind = 'profile' AND status IN ('pending', 'approved', 'exported')
                 AND (confirmed_at IS NOT NULL OR expires_at IS NULL OR expires_at > ?2))",
                params![slug, now.as_second()],
                |row| row.get(0),
            )
            .map_err(unavailable)
        })
        .await
    }

    async fn confirm_submission(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            let changed = c
                .execute(
                    "UPDATE submissions SET confirmed_at = COALESCE(confirmed_at, ?2), expires_at = NULL, ip_hash = '', updated_at = ?2
                     WHERE id = ?1 AND status = 'pending' AND (confirmed_at IS NOT NULL OR expires_at IS NULL OR expires_at > ?3)",
                    params![id, at.to_string(), at.as_second()],
                )
                .map_err(unavailable)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn list_submissions(&self, status: Status) -> Result<Vec<Submission>, StoreError> {
        self.with(move |c| {
            let mut statement = c
                .prepare("SELECT * FROM submissions WHERE status = ?1 AND confirmed_at IS NOT NULL ORDER BY created_at, id")
                .map_err(unavailable)?;
            let rows = statement.query_map(params![status.as_str()], submission_from).map_err(unavailable)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(unavailable)
        })
        .await
    }

    async fn submissions_page(
        &self,
        status: Status,
        limit: usize,
        cursor: Option<&Cursor>,
    ) -> Result<SubmissionPage, StoreError> {
        let cursor = cursor.cloned();
        self.with(move |c| {
            // The queue's order is computed from the ids and times alone; only the page's rows
            // are read whole (a pending one may hold a photo).
            let mut keys: Vec<(Cursor, String)> = {
                let mut statement = c
                    .prepare("SELECT id, created_at FROM submissions WHERE status = ?1 AND confirmed_at IS NOT NULL")
                    .map_err(unavailable)?;
                let rows = statement
                    .query_map(params![status.as_str()], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
                    .map_err(unavailable)?;
                let mut keys = Vec::new();
                for row in rows {
                    let (id, created) = row.map_err(unavailable)?;
                    let created_at: Timestamp = created.parse().map_err(|_| unavailable(corrupt("created_at", "is not a time")))?;
                    let key = Cursor::parse(&format!("{:020}#{id}", created_at.as_nanosecond()))
                        .ok_or_else(|| unavailable(corrupt("id", "is not an id this code made")))?;
                    keys.push((key, id));
                }
                keys
            };
            keys.sort_by(|a, b| b.0.cmp(&a.0));
            let after: Vec<(Cursor, String)> = keys
                .into_iter()
                .filter(|(key, _)| cursor.as_ref().is_none_or(|c| key < c))
                .take(limit + 1)
                .collect();
            let more = after.len() > limit;
            let mut submissions = Vec::with_capacity(limit);
            for (_, id) in after.iter().take(limit) {
                let found = c
                    .query_row("SELECT * FROM submissions WHERE id = ?1", params![id], submission_from)
                    .optional()
                    .map_err(unavailable)?;
                submissions.extend(found);
            }
            let next = more.then(|| submissions.last().map(Cursor::of)).flatten();
            Ok(SubmissionPage { submissions, next })
        })
        .await
    }

    async fn decide(
        &self,
        id: &str,
        decision: Status,
        editor: &str,
        reason: Option<&str>,
        at: Timestamp,
    ) -> Result<Option<Submission>, StoreError> {
        let (id, editor, reason) = (id.to_owned(), editor.to_owned(), reason.map(str::to_owned));
        self.with(move |c| {
            let transaction = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(unavailable)?;
            let changed = transaction
                .execute(
                    // A rejection, and a report once decided, is kept for REJECTED_KEPT_SECONDS, then purged.
                    "UPDATE submissions SET status = ?2, decided_by = ?3, decided_at = ?4, reason = ?5, updated_at = ?4,
                     expires_at = CASE WHEN ?2 = 'rejected' OR kind = 'report' THEN ?6 ELSE expires_at END
                     WHERE id = ?1 AND status = 'pending' AND confirmed_at IS NOT NULL",
                    params![id, decision.as_str(), editor, at.to_string(), reason, at.as_second() + crate::store::REJECTED_KEPT_SECONDS],
                )
                .map_err(unavailable)?;
            let updated = if changed == 1 {
                transaction.query_row("SELECT * FROM submissions WHERE id = ?1", params![id], submission_from).optional().map_err(unavailable)?
            } else {
                None
            };
            transaction.commit().map_err(unavailable)?;
            Ok(updated)
        })
        .await
    }

    async fn mark_exported(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            let changed = c
                .execute(
                    "UPDATE submissions SET status = 'exported', updated_at = ?2, photo = NULL WHERE id = ?1 AND status = 'approved'",
                    params![id, at.to_string()],
                )
                .map_err(unavailable)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn forget_submissions(
        &self,
        email: &str,
        slug: &str,
        keep: &str,
    ) -> Result<usize, StoreError> {
        let (email, slug, keep) = (email.to_owned(), slug.to_owned(), keep.to_owned());
        self.with(move |c| {
            let transaction = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let deleted = transaction
                .execute(
                    // An erased (empty) address matches nothing: tombstones are not one person.
                    "DELETE FROM submissions WHERE id != ?3 AND ((?1 != '' AND email = ?1) OR (kind = 'profile' AND slug = ?2))",
                    params![email, slug, keep],
                )
                .map_err(unavailable)?;
            transaction
                .execute(
                    "UPDATE submissions SET email = '', ip_hash = '', fields = '{}', photo = NULL WHERE id = ?1",
                    params![keep],
                )
                .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)?;
            Ok(deleted)
        })
        .await
    }

    async fn member_by_email(&self, email: &str) -> Result<Option<String>, StoreError> {
        let email = email.to_owned();
        self.with(move |c| {
            c.query_row(
                "SELECT slug FROM submissions WHERE kind = 'profile' AND status = 'exported' AND email = ?1 AND email != ''
                 ORDER BY updated_at DESC LIMIT 1",
                params![email],
                |row| row.get(0),
            )
            .optional()
            .map_err(unavailable)
        })
        .await
    }

    async fn member_email(&self, slug: &str) -> Result<Option<String>, StoreError> {
        let slug = slug.to_owned();
        self.with(move |c| {
            c.query_row(
                "SELECT email FROM submissions WHERE kind = 'profile' AND status = 'exported' AND slug = ?1 AND email != ''
                 ORDER BY updated_at DESC LIMIT 1",
                params![slug],
                |row| row.get(0),
            )
            .optional()
            .map_err(unavailable)
        })
        .await
    }
}
