//! SQLite: one-time values and rate-limit windows.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{TransactionBehavior, params};

use super::{SqliteStore, unavailable};
use crate::store::{Guards, StoreError};

#[async_trait]
impl Guards for SqliteStore {
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
