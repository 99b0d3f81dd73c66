//! The embedded store for local runs: one SQLite file in a data folder, surviving restarts.
//! Each call runs on a blocking thread; multi-step changes are IMMEDIATE transactions, so
//! they are atomic against other calls and other processes using the same file.

use std::path::Path;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use rusqlite::{Connection, Row};

use super::{Registration, SeatState, Status, StoreError, Submission, SubmissionKind};

mod guards;
mod introductions;
mod mail_queue;
mod seats;
mod submissions;

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
    pub(super) async fn with<T: Send + 'static>(
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
    // Introduction tables of the first days of the feature counted profiles, not mailboxes.
    for table in ["introductions", "introduction_blocks"] {
        let has_key: bool = connection
            .query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM pragma_table_info('{table}') WHERE name = 'requester_key')"),
                [],
                |row| row.get(0),
            )
            .map_err(unavailable)?;
        if !has_key {
            connection
                .execute_batch(&format!(
                    "ALTER TABLE {table} ADD COLUMN requester_key TEXT NOT NULL DEFAULT ''"
                ))
                .map_err(unavailable)?;
        }
    }
    for table in ["signups", "held_signups"] {
        let has_listing: bool = connection
            .query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM pragma_table_info('{table}') WHERE name = 'listing')"),
                [],
                |row| row.get(0),
            )
            .map_err(unavailable)?;
        if !has_listing {
            connection
                .execute_batch(&format!("ALTER TABLE {table} ADD COLUMN listing TEXT"))
                .map_err(unavailable)?;
        }
    }
    Ok(())
}

pub(super) fn unavailable(error: rusqlite::Error) -> StoreError {
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

pub(super) fn corrupt(column: &str, problem: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(CorruptValue(format!("`{column}` {problem}"))),
    )
}

pub(super) fn time(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<Timestamp>> {
    row.get::<_, Option<String>>(column)?
        .map(|text| text.parse().map_err(|_| corrupt(column, "is not a time")))
        .transpose()
}

pub(super) fn required_time(row: &Row<'_>, column: &str) -> rusqlite::Result<Timestamp> {
    time(row, column)?.ok_or_else(|| corrupt(column, "is missing"))
}

pub(super) fn submission_from(row: &Row<'_>) -> rusqlite::Result<Submission> {
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

/// The attendee-list entry stored as JSON, if any.
pub(super) fn listing_from(text: Option<String>) -> rusqlite::Result<Option<super::Listing>> {
    text.map(|text| {
        serde_json::from_str(&text).map_err(|_| corrupt("listing", "is not an attendee entry"))
    })
    .transpose()
}

pub(super) fn listing_text(listing: &Option<super::Listing>) -> Option<String> {
    listing
        .as_ref()
        .and_then(|listing| serde_json::to_string(listing).ok())
}

pub(super) fn signup_from(row: &Row<'_>) -> rusqlite::Result<Registration> {
    let state: String = row.get("state")?;
    let sequence: i64 = row.get("sequence")?;
    Ok(Registration {
        event: row.get("event")?,
        email: row.get("email")?,
        name: row.get("name")?,
        message: row.get("message")?,
        listing: listing_from(row.get("listing")?)?,
        state: match state.as_str() {
            "confirmed" => SeatState::Confirmed,
            "waitlisted" => SeatState::Waitlisted,
            _ => return Err(corrupt("state", "is unknown")),
        },
        sequence: u64::try_from(sequence).map_err(|_| corrupt("sequence", "is negative"))?,
        created_at: required_time(row, "created_at")?,
    })
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
    use crate::store::{Store, Submissions};

    fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let store = SqliteStore::open(&dir.path().join("data/portal.sqlite3")).expect("opens");
        (dir, Arc::new(store))
    }

    crate::store_suite!(fresh());

    /// SQLite's transactions are serialized: of 200 at once, the first 30 to arrive hold the
    /// seats.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_first_to_arrive_hold_the_seats() {
        let (_dir, store) = fresh();
        let stored = crate::store::suite::rush_for_thirty_seats(store).await;
        assert!(
            stored[..30]
                .iter()
                .all(|s| s.state == crate::store::SeatState::Confirmed),
            "the first 30 to arrive hold the seats"
        );
    }

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
    /// racing for the last seat swap; see dynamo/seats.rs).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn seats_go_strictly_in_line_order() {
        let (_dir, store) = fresh();
        crate::store::suite::concurrent_signups_never_exceed_capacity(Arc::clone(&store)).await;
        let stored = store.registrations("rush").await.unwrap();
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
