//! SQLite: mail that waits to be sent.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::params;

use super::{SqliteStore, corrupt, unavailable};
use crate::store::{MailQueue, StoreError};

#[async_trait]
impl MailQueue for SqliteStore {
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
}
