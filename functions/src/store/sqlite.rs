//! The embedded store for local runs: one SQLite file in a data folder, surviving restarts.
//! Each call runs on a blocking thread; multi-step changes are IMMEDIATE transactions, so
//! they are atomic against other calls and other processes using the same file.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::{
    Cancellation, Cursor, NewSignup, SeatState, Signup, SignupOutcome, Status, Store, StoreError,
    Submission, SubmissionKind, SubmissionPage,
};

/// The tables and indexes, created if missing (older stores are brought up to date by
/// `migrate`).
const SCHEMA: &str = include_str!("schema.sql");

#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (or creates) the store file, e.g. `data/portal.sqlite3`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        // The store holds personal data: its folder and files are the owner's only (SQLite
        // creates the -wal and -shm files with the database's permissions).
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::private_files::private_dir(parent)
                .map_err(|e| StoreError::Unavailable(format!("{}: {e}", parent.display())))?;
        }
        // Created owner-only before SQLite opens it, so no byte is ever readable by others.
        let private =
            |e: std::io::Error| StoreError::Unavailable(format!("{}: {e}", path.display()));
        if path.exists() {
            crate::private_files::private_file(path).map_err(private)?;
        } else {
            crate::private_files::private_options()
                .open(path)
                .map_err(private)?;
        }
        let connection = Connection::open(path).map_err(unavailable)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(unavailable)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(unavailable)?;
        connection.execute_batch(SCHEMA).map_err(unavailable)?;
        migrate(&connection)?;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` with the connection on a blocking thread.
    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut guard = connection
                .lock()
                .map_err(|_| StoreError::Unavailable("a previous call panicked".into()))?;
            work(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
    }
}

/// Brings a store file made by an earlier version up to the current schema, keeping its data.
fn migrate(connection: &Connection) -> Result<(), StoreError> {
    let has_expiry: bool = connection
        .query_row("SELECT EXISTS (SELECT 1 FROM pragma_table_info('submissions') WHERE name = 'expires_at')", [], |row| row.get(0))
        .map_err(unavailable)?;
    if !has_expiry {
        connection
            .execute_batch("ALTER TABLE submissions ADD COLUMN expires_at INTEGER")
            .map_err(unavailable)?;
    }
    let has_photo: bool = connection
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info('submissions') WHERE name = 'photo')",
            [],
            |row| row.get(0),
        )
        .map_err(unavailable)?;
    if !has_photo {
        connection
            .execute_batch("ALTER TABLE submissions ADD COLUMN photo BLOB")
            .map_err(unavailable)?;
    }
    Ok(())
}

fn unavailable(error: rusqlite::Error) -> StoreError {
    match error {
        // A row that is not what this code wrote: corrupt, never read with defaults.
        rusqlite::Error::FromSqlConversionFailure(_, _, cause) => {
            StoreError::Corrupt(cause.to_string())
        }
        rusqlite::Error::InvalidColumnType(_, column, _) => {
            StoreError::Corrupt(format!("`{column}` has the wrong type"))
        }
        rusqlite::Error::IntegralValueOutOfRange(index, _) => {
            StoreError::Corrupt(format!("column {index} is out of range"))
        }
        other => StoreError::Unavailable(other.to_string()),
    }
}

/// Why a stored value cannot be read (names the column, never the value).
#[derive(Debug)]
struct CorruptValue(String);

impl std::fmt::Display for CorruptValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CorruptValue {}

fn corrupt(column: &str, problem: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(CorruptValue(format!("`{column}` {problem}"))),
    )
}

fn time(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<Timestamp>> {
    row.get::<_, Option<String>>(column)?
        .map(|text| text.parse().map_err(|_| corrupt(column, "is not a time")))
        .transpose()
}

fn required_time(row: &Row<'_>, column: &str) -> rusqlite::Result<Timestamp> {
    time(row, column)?.ok_or_else(|| corrupt(column, "is missing"))
}

fn submission_from(row: &Row<'_>) -> rusqlite::Result<Submission> {
    let fields: String = row.get("fields")?;
    let kind: String = row.get("kind")?;
    let status: String = row.get("status")?;
    Ok(Submission {
        id: row.get("id")?,
        kind: SubmissionKind::parse(&kind).ok_or_else(|| corrupt("kind", "is unknown"))?,
        slug: row.get("slug")?,
        fields: serde_json::from_str(&fields)
            .map_err(|_| corrupt("fields", "is not a JSON object of texts"))?,
        email: row.get("email")?,
        ip_hash: row.get("ip_hash")?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", "is unknown"))?,
        confirmed_at: time(row, "confirmed_at")?,
        expires_at: row
            .get::<_, Option<i64>>("expires_at")?
            .map(|s| {
                Timestamp::from_second(s).map_err(|_| corrupt("expires_at", "is out of range"))
            })
            .transpose()?,
        created_at: required_time(row, "created_at")?,
        updated_at: required_time(row, "updated_at")?,
        decided_by: row.get("decided_by")?,
        decided_at: time(row, "decided_at")?,
        reason: row.get("reason")?,
        photo: row.get("photo")?,
    })
}

/// Signs `signup` up inside `transaction`: a seat while fewer than `capacity` are confirmed,
/// else the waitlist (see `Store::sign_up`).
fn seat_in(
    transaction: &rusqlite::Transaction<'_>,
    signup: NewSignup,
    capacity: u32,
) -> Result<SignupOutcome, StoreError> {
    if let Some(existing) =
        find_signup(transaction, &signup.event, &signup.email).map_err(unavailable)?
    {
        return Ok(SignupOutcome::AlreadySignedUp(existing));
    }
    let (confirmed, waiting): (i64, i64) = transaction
        .query_row(
            "SELECT COUNT(*) FILTER (WHERE state = 'confirmed'), COUNT(*) FILTER (WHERE state = 'waitlisted') FROM signups WHERE event = ?1",
            params![signup.event],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(unavailable)?;
    // A store made before the counter existed starts it from the sign-ups it holds.
    let next: i64 = transaction
        .query_row(
            "INSERT INTO event_sequences (event, last)
             VALUES (?1, (SELECT COALESCE(MAX(sequence), 0) FROM signups WHERE event = ?1) + 1)
             ON CONFLICT (event) DO UPDATE SET last = MAX(last, (SELECT COALESCE(MAX(sequence), 0) FROM signups WHERE event = ?1)) + 1
             RETURNING last",
            params![signup.event],
            |row| row.get(0),
        )
        .map_err(unavailable)?;
    // Nobody jumps the line: while anyone waits, a newcomer waits behind them.
    let state = if confirmed < i64::from(capacity) && waiting == 0 {
        SeatState::Confirmed
    } else {
        SeatState::Waitlisted
    };
    let stored = Signup {
        event: signup.event,
        email: signup.email,
        name: signup.name,
        message: signup.message,
        state,
        sequence: next as u64,
        created_at: signup.at,
    };
    transaction
        .execute(
            "INSERT INTO signups (event, email, name, message, state, sequence, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![stored.event, stored.email, stored.name, stored.message, state.as_str(), stored.sequence as i64, stored.created_at.to_string()],
        )
        .map_err(unavailable)?;
    let position: i64 = transaction
        .query_row(
            "SELECT COUNT(*) FROM signups WHERE event = ?1 AND state = 'waitlisted' AND sequence <= ?2",
            params![stored.event, stored.sequence as i64],
            |row| row.get(0),
        )
        .map_err(unavailable)?;
    Ok(match state {
        SeatState::Confirmed => SignupOutcome::Confirmed(stored),
        SeatState::Waitlisted => SignupOutcome::Waitlisted {
            signup: stored,
            position: position as u64,
        },
    })
}

fn signup_from(row: &Row<'_>) -> rusqlite::Result<Signup> {
    let state: String = row.get("state")?;
    let sequence: i64 = row.get("sequence")?;
    Ok(Signup {
        event: row.get("event")?,
        email: row.get("email")?,
        name: row.get("name")?,
        message: row.get("message")?,
        state: match state.as_str() {
            "confirmed" => SeatState::Confirmed,
            "waitlisted" => SeatState::Waitlisted,
            _ => return Err(corrupt("state", "is unknown")),
        },
        sequence: u64::try_from(sequence).map_err(|_| corrupt("sequence", "is negative"))?,
        created_at: required_time(row, "created_at")?,
    })
}

fn find_signup(
    connection: &Connection,
    event: &str,
    email: &str,
) -> rusqlite::Result<Option<Signup>> {
    connection
        .query_row(
            "SELECT * FROM signups WHERE event = ?1 AND email = ?2",
            params![event, email],
            signup_from,
        )
        .optional()
}

#[async_trait]
impl Store for SqliteStore {
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
                    params![id, decision.as_str(), editor, at.to_string(), reason, at.as_second() + super::REJECTED_KEPT_SECONDS],
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

    async fn sign_up(&self, signup: NewSignup, capacity: u32) -> Result<SignupOutcome, StoreError> {
        self.with(move |c| {
            let transaction = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let outcome = seat_in(&transaction, signup, capacity)?;
            transaction.commit().map_err(unavailable)?;
            Ok(outcome)
        })
        .await
    }

    async fn seat_held_signup(
        &self,
        id: &str,
        event: &str,
        capacity: u32,
        now: Timestamp,
    ) -> Result<Option<SignupOutcome>, StoreError> {
        let (id, event) = (id.to_owned(), event.to_owned());
        self.with(move |c| {
            let transaction = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let held = transaction
                .query_row(
                    "DELETE FROM held_signups WHERE id = ?1 AND event = ?2 AND expires_at > ?3
                     RETURNING event, email, name, message",
                    params![id, event, now.as_second()],
                    |row| {
                        Ok(NewSignup {
                            event: row.get(0)?,
                            email: row.get(1)?,
                            name: row.get(2)?,
                            message: row.get(3)?,
                            at: now,
                        })
                    },
                )
                .optional()
                .map_err(unavailable)?;
            let Some(held) = held else {
                return Ok(None);
            };
            // Taken and seated in one transaction: any failure rolls both back.
            let outcome = seat_in(&transaction, held, capacity)?;
            transaction.commit().map_err(unavailable)?;
            Ok(Some(outcome))
        })
        .await
    }

    async fn promote_waitlist(
        &self,
        event: &str,
        capacity: u32,
    ) -> Result<Vec<Signup>, StoreError> {
        let event = event.to_owned();
        self.with(move |c| {
            let transaction = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(unavailable)?;
            let confirmed: i64 = transaction
                .query_row(
                    "SELECT COUNT(*) FROM signups WHERE event = ?1 AND state = 'confirmed'",
                    params![event],
                    |row| row.get(0),
                )
                .map_err(unavailable)?;
            let free = (i64::from(capacity) - confirmed).max(0);
            let mut promoted = {
                let mut statement = transaction
                    .prepare("SELECT * FROM signups WHERE event = ?1 AND state = 'waitlisted' ORDER BY sequence LIMIT ?2")
                    .map_err(unavailable)?;
                let rows = statement.query_map(params![event, free], signup_from).map_err(unavailable)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().map_err(unavailable)?
            };
            for signup in &mut promoted {
                transaction
                    .execute("UPDATE signups SET state = 'confirmed' WHERE event = ?1 AND email = ?2", params![event, signup.email])
                    .map_err(unavailable)?;
                signup.state = SeatState::Confirmed;
            }
            transaction.commit().map_err(unavailable)?;
            Ok(promoted)
        })
        .await
    }

    async fn cancel_signup(
        &self,
        event: &str,
        email: &str,
    ) -> Result<Option<Cancellation>, StoreError> {
        let (event, email) = (event.to_owned(), email.to_owned());
        self.with(move |c| {
            let transaction = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(unavailable)?;
            let Some(cancelled) = find_signup(&transaction, &event, &email).map_err(unavailable)? else {
                return Ok(None);
            };
            transaction
                .execute("DELETE FROM signups WHERE event = ?1 AND email = ?2", params![event, email])
                .map_err(unavailable)?;
            let mut promoted = None;
            if cancelled.state == SeatState::Confirmed {
                let next = transaction
                    .query_row(
                        "SELECT * FROM signups WHERE event = ?1 AND state = 'waitlisted' ORDER BY sequence LIMIT 1",
                        params![event],
                        signup_from,
                    )
                    .optional()
                    .map_err(unavailable)?;
                if let Some(mut next) = next {
                    transaction
                        .execute("UPDATE signups SET state = 'confirmed' WHERE event = ?1 AND email = ?2", params![event, next.email])
                        .map_err(unavailable)?;
                    next.state = SeatState::Confirmed;
                    promoted = Some(next);
                }
            }
            transaction.commit().map_err(unavailable)?;
            Ok(Some(Cancellation { cancelled, promoted }))
        })
        .await
    }

    async fn signups(&self, event: &str) -> Result<Vec<Signup>, StoreError> {
        let event = event.to_owned();
        self.with(move |c| {
            let mut statement = c
                .prepare("SELECT * FROM signups WHERE event = ?1 ORDER BY sequence")
                .map_err(unavailable)?;
            let rows = statement
                .query_map(params![event], signup_from)
                .map_err(unavailable)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
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

    async fn queue_mail(
        &self,
        id: &str,
        message: &crate::message::Message,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let id = id.to_owned();
        let text =
            serde_json::to_string(message).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        self.with(move |c| {
            c.execute(
                "INSERT INTO mail_queue (id, queued_at, message) VALUES (?1, ?2, ?3)",
                params![id, at.as_nanosecond() as i64, text],
            )
            .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn queued_mail(
        &self,
        limit: usize,
    ) -> Result<Vec<(String, crate::message::Message)>, StoreError> {
        self.with(move |c| {
            let mut statement = c
                .prepare("SELECT id, message FROM mail_queue ORDER BY queued_at, id LIMIT ?1")
                .map_err(unavailable)?;
            let rows = statement
                .query_map(params![limit as i64], |row| {
                    let text: String = row.get(1)?;
                    let message = serde_json::from_str(&text)
                        .map_err(|_| corrupt("message", "is not a queued message"))?;
                    Ok((row.get::<_, String>(0)?, message))
                })
                .map_err(unavailable)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(unavailable)
        })
        .await
    }

    async fn unqueue_mail(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            let deleted = c
                .execute("DELETE FROM mail_queue WHERE id = ?1", params![id])
                .map_err(unavailable)?;
            Ok(deleted == 1)
        })
        .await
    }

    async fn hold_signup(
        &self,
        id: &str,
        signup: &NewSignup,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let (id, s) = (id.to_owned(), signup.clone());
        self.with(move |c| {
            // Lapsed ones go: nothing unconfirmed is kept past its link.
            c.execute(
                "DELETE FROM held_signups WHERE expires_at <= ?1",
                params![s.at.as_second()],
            )
            .map_err(unavailable)?;
            c.execute(
                "INSERT INTO held_signups (id, event, email, name, message, at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, s.event, s.email, s.name, s.message, s.at.to_string(), expires_at.as_second()],
            )
            .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn signup(&self, event: &str, email: &str) -> Result<Option<Signup>, StoreError> {
        let (event, email) = (event.to_owned(), email.to_owned());
        self.with(move |c| find_signup(c, &event, &email).map_err(unavailable))
            .await
    }

    async fn signups_of(&self, email: &str) -> Result<Vec<Signup>, StoreError> {
        let email = email.to_owned();
        self.with(move |c| {
            let mut statement = c
                .prepare("SELECT * FROM signups WHERE email = ?1 ORDER BY event")
                .map_err(unavailable)?;
            let rows = statement
                .query_map(params![email], signup_from)
                .map_err(unavailable)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(unavailable)
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

    async fn use_once(
        &self,
        key: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        // A one-time key is a rate-limit row of its own (window 0) allowed once.
        let key = format!("once:{key}");
        self.with(move |c| {
            let transaction = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            transaction
                .execute("DELETE FROM rate_limits WHERE expires_at <= ?1", params![now.as_second()])
                .map_err(unavailable)?;
            let inserted = transaction
                .execute(
                    "INSERT INTO rate_limits (key, window_start, count, expires_at) VALUES (?1, 0, 1, ?2)
                     ON CONFLICT (key, window_start) DO NOTHING",
                    params![key, expires_at.as_second()],
                )
                .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)?;
            Ok(inserted == 1)
        })
        .await
    }

    async fn allow(
        &self,
        key: &str,
        limit: u32,
        window_seconds: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let key = key.to_owned();
        self.with(move |c| {
            let now = now.as_second();
            let window_start = now - now.rem_euclid(window_seconds.max(1));
            let transaction = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(unavailable)?;
            transaction.execute("DELETE FROM rate_limits WHERE expires_at <= ?1", params![now]).map_err(unavailable)?;
            let count: i64 = transaction
                .query_row(
                    "INSERT INTO rate_limits (key, window_start, count, expires_at) VALUES (?1, ?2, 1, ?3)
                     ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1 RETURNING count",
                    params![key, window_start, window_start + window_seconds],
                    |row| row.get(0),
                )
                .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)?;
            Ok(count <= i64::from(limit))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn the_database_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/portal.sqlite3");
        let _store = super::SqliteStore::open(&path).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    use std::sync::Arc;

    use super::*;

    fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let store = SqliteStore::open(&dir.path().join("data/portal.sqlite3")).expect("opens");
        (dir, Arc::new(store))
    }

    crate::store_suite!(fresh());

    #[tokio::test]
    async fn rejections_are_deleted_once_their_time_is_up() {
        let (_dir, store) = fresh();
        crate::store::suite::a_rejection_is_kept_thirty_days(Arc::clone(&store)).await;
        // Any later write purges what is due.
        let later = Submission::pending(
            "later".into(),
            crate::store::SubmissionKind::Profile,
            "y".into(),
            "y@example.org".into(),
            "h".into(),
            "2026-12-25T03:00:00Z".parse().unwrap(),
            3600,
        );
        assert!(store.submission("r1").await.unwrap().is_some());
        store.create_submission(&later).await.unwrap();
        assert!(
            store.submission("r1").await.unwrap().is_none(),
            "deleted for real"
        );
    }

    #[tokio::test]
    async fn a_row_this_code_did_not_write_is_corrupt_not_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("portal.sqlite3")).unwrap();
        let at: Timestamp = "2026-11-25T03:00:00Z".parse().unwrap();
        let submission = Submission::pending(
            "s1".into(),
            crate::store::SubmissionKind::Profile,
            "x".into(),
            "x@example.org".into(),
            "h".into(),
            at,
            3600,
        );
        for (column, value) in [
            ("status", "approvedd"),
            ("created_at", "yesterday"),
            ("fields", "[1]"),
        ] {
            let connection = Arc::clone(&store.connection);
            connection
                .lock()
                .unwrap()
                .execute("DELETE FROM submissions", [])
                .unwrap();
            store.create_submission(&submission).await.unwrap();
            let sql = format!("UPDATE submissions SET {column} = ?1 WHERE id = 's1'");
            connection.lock().unwrap().execute(&sql, [value]).unwrap();
            let error = store.submission("s1").await.unwrap_err();
            assert!(
                matches!(&error, StoreError::Corrupt(message) if message.contains(column)),
                "{column}: {error}"
            );
        }
    }

    /// SQLite serializes sign-ups, so seats go strictly in line order (DynamoDB may let two
    /// racing for the last seat swap; see dynamo.rs).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn seats_go_strictly_in_line_order() {
        let (_dir, store) = fresh();
        crate::store::suite::concurrent_signups_never_exceed_capacity(Arc::clone(&store)).await;
        let stored = store.signups("rush").await.unwrap();
        assert_eq!(
            stored.iter().map(|s| s.sequence).collect::<Vec<_>>(),
            (1..=200).collect::<Vec<_>>()
        );
        assert!(
            stored[..30]
                .iter()
                .all(|s| s.state == crate::store::SeatState::Confirmed)
        );
    }

    #[tokio::test]
    async fn a_store_file_from_before_expiry_is_migrated_with_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let old_schema = SCHEMA
            .replace("    expires_at INTEGER,\n", "")
            .replace("    reason TEXT,\n    photo BLOB\n", "    reason TEXT\n");
        let old_submissions = old_schema.split("CREATE UNIQUE INDEX").next().unwrap();
        assert!(
            !old_submissions.contains("expires_at") && !old_submissions.contains("photo"),
            "the old submissions table has neither the expiry nor the photo column"
        );
        let connection = Connection::open(&path).unwrap();
        connection.execute_batch(&old_schema).unwrap();
        connection
            .execute(
                "INSERT INTO submissions (id, kind, slug, fields, email, ip_hash, status, created_at, updated_at)
                 VALUES ('a1', 'profile', 'yamada', '{}', 'a@example.jp', 'h', 'pending', '2026-11-25T03:00:00Z', '2026-11-25T03:00:00Z')",
                [],
            )
            .unwrap();
        drop(connection);
        let store = SqliteStore::open(&path).unwrap();
        let kept = store.submission("a1").await.unwrap().expect("kept");
        assert_eq!(
            (kept.slug.as_str(), kept.expires_at, kept.photo),
            ("yamada", None, None)
        );
        assert!(
            store
                .slug_reserved("yamada", "2030-01-01T00:00:00Z".parse().unwrap())
                .await
                .unwrap(),
            "no expiry: still held"
        );
    }

    #[tokio::test]
    async fn data_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        store
            .create_submission(&crate::store::suite::submission("a1", "x"))
            .await
            .unwrap();
        drop(store);
        let reopened = SqliteStore::open(&path).unwrap();
        assert!(reopened.submission("a1").await.unwrap().is_some());
    }
}
