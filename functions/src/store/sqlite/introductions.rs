//! SQLite: introduction requests, blocks and suspensions. Each rule is checked inside the
//! IMMEDIATE transaction that writes, so concurrent requests cannot pass it together.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::{SqliteStore, corrupt, unavailable};
use crate::store::introduction::after;
use crate::store::{
    Answer, Introduction, IntroductionRules, IntroductionState, Introductions, SendOutcome,
    StoreError, WEEK_SECONDS,
};

/// The states that count as open, as SQL.
const OPEN_STATES: &str = "('pending', 'declined', 'dropped')";

fn ns(time: Timestamp) -> i64 {
    // Nanoseconds fit an i64 until the year 2262.
    i64::try_from(time.as_nanosecond()).unwrap_or(i64::MAX)
}

fn time_of(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<Timestamp>> {
    row.get::<_, Option<i64>>(column)?
        .map(|value| {
            Timestamp::from_nanosecond(i128::from(value))
                .map_err(|_| corrupt(column, "is out of range"))
        })
        .transpose()
}

fn required(row: &Row<'_>, column: &str) -> rusqlite::Result<Timestamp> {
    time_of(row, column)?.ok_or_else(|| corrupt(column, "is missing"))
}

fn introduction_from(row: &Row<'_>) -> rusqlite::Result<Introduction> {
    let state: String = row.get("state")?;
    Ok(Introduction {
        id: row.get("id")?,
        requester: row.get("requester")?,
        requester_key: row.get("requester_key")?,
        recipient: row.get("recipient")?,
        note: row.get("note")?,
        state: IntroductionState::parse(&state).ok_or_else(|| corrupt("state", "is unknown"))?,
        created_at: required(row, "created_at")?,
        hold_until: required(row, "hold_until")?,
        sent_at: time_of(row, "sent_at")?,
        open_until: time_of(row, "open_until")?,
        answered_at: time_of(row, "answered_at")?,
        ended_at: time_of(row, "ended_at")?,
        blocked: row.get::<_, i64>("blocked")? != 0,
        report: row.get("report")?,
        reported_at: time_of(row, "reported_at")?,
    })
}

fn begin(c: &mut rusqlite::Connection, now: Timestamp) -> Result<Transaction<'_>, StoreError> {
    let transaction = c
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(unavailable)?;
    // What is due is deleted for real before anything else is read or written.
    transaction
        .execute(
            "DELETE FROM introductions WHERE delete_at <= ?1",
            params![ns(now)],
        )
        .map_err(unavailable)?;
    Ok(transaction)
}

fn read(transaction: &Transaction<'_>, id: &str) -> Result<Option<Introduction>, StoreError> {
    transaction
        .query_row(
            "SELECT * FROM introductions WHERE id = ?1",
            params![id],
            introduction_from,
        )
        .optional()
        .map_err(unavailable)
}

/// Writes every changing column of `introduction` back (its id, slugs and note never change).
fn write(transaction: &Transaction<'_>, i: &Introduction) -> Result<(), StoreError> {
    transaction
        .execute(
            "UPDATE introductions SET state = ?2, sent_at = ?3, open_until = ?4, answered_at = ?5,
             ended_at = ?6, blocked = ?7, report = ?8, reported_at = ?9, delete_at = ?10 WHERE id = ?1",
            params![
                i.id,
                i.state.as_str(),
                i.sent_at.map(ns),
                i.open_until.map(ns),
                i.answered_at.map(ns),
                i.ended_at.map(ns),
                i64::from(i.blocked),
                i.report,
                i.reported_at.map(ns),
                ns(i.delete_at()),
            ],
        )
        .map_err(unavailable)?;
    Ok(())
}

fn count(
    transaction: &Transaction<'_>,
    sql: &str,
    values: impl rusqlite::Params,
) -> Result<u32, StoreError> {
    let n: i64 = transaction
        .query_row(sql, values, |row| row.get(0))
        .map_err(unavailable)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The requests `sql` selects with `now` as `?1` and `limit` as `?2`.
fn listed(
    c: &rusqlite::Connection,
    sql: &str,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<Introduction>, StoreError> {
    let mut statement = c.prepare(sql).map_err(unavailable)?;
    let rows = statement
        .query_map(
            params![ns(now), i64::try_from(limit).unwrap_or(i64::MAX)],
            introduction_from,
        )
        .map_err(unavailable)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
}

#[async_trait]
impl Introductions for SqliteStore {
    async fn hold_introduction(&self, introduction: &Introduction) -> Result<(), StoreError> {
        let i = introduction.clone();
        self.with(move |c| {
            let transaction = begin(c, i.created_at)?;
            transaction
                .execute(
                    "INSERT INTO introductions (id, requester, requester_key, recipient, note, state, created_at, hold_until, blocked, delete_at)
                     VALUES (?1, ?2, ?9, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
                    params![
                        i.id,
                        i.requester,
                        i.recipient,
                        i.note,
                        i.state.as_str(),
                        ns(i.created_at),
                        ns(i.hold_until),
                        ns(i.delete_at()),
                        i.requester_key,
                    ],
                )
                .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)
        })
        .await
    }

    async fn introduction(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            c.query_row(
                "SELECT * FROM introductions WHERE id = ?1 AND delete_at > ?2",
                params![id, ns(now)],
                introduction_from,
            )
            .optional()
            .map_err(unavailable)
        })
        .await
    }

    async fn send_introduction(
        &self,
        id: &str,
        rules: IntroductionRules,
        now: Timestamp,
    ) -> Result<SendOutcome, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            let transaction = begin(c, now)?;
            let Some(mut held) = read(&transaction, &id)?
                .filter(|i| i.state == IntroductionState::Held && now < i.hold_until)
            else {
                return Ok(SendOutcome::NotHeld);
            };
            let requester = held.requester_key.clone();
            let suspended = count(
                &transaction,
                "SELECT COUNT(*) FROM introduction_suspensions WHERE slug = ?1",
                params![held.requester],
            )?;
            if suspended > 0 {
                return Ok(SendOutcome::Suspended);
            }
            let open_filter =
                format!("requester_key = ?1 AND state IN {OPEN_STATES} AND open_until > ?2");
            let pair = count(
                &transaction,
                &format!(
                    "SELECT COUNT(*) FROM introductions WHERE {open_filter} AND recipient = ?3"
                ),
                params![requester, ns(now), held.recipient],
            )?;
            if pair > 0 {
                return Ok(SendOutcome::PairOpen);
            }
            let open = count(
                &transaction,
                &format!("SELECT COUNT(*) FROM introductions WHERE {open_filter}"),
                params![requester, ns(now)],
            )?;
            if open >= rules.open_per_requester {
                return Ok(SendOutcome::TooManyOpen);
            }
            let week_start = ns(after(now, -WEEK_SECONDS));
            let this_week = count(
                &transaction,
                "SELECT COUNT(*) FROM introductions WHERE requester_key = ?1 AND sent_at > ?2",
                params![requester, week_start],
            )?;
            if this_week >= rules.per_week {
                return Ok(SendOutcome::TooManyThisWeek);
            }
            let blocked = count(
                &transaction,
                "SELECT COUNT(*) FROM introduction_blocks WHERE recipient = ?1 AND (requester = ?3 OR requester_key = ?2)",
                params![held.recipient, requester, held.requester],
            )? > 0;
            held.state = if blocked {
                IntroductionState::Dropped
            } else {
                IntroductionState::Pending
            };
            held.sent_at = Some(now);
            held.open_until = Some(after(now, rules.open_seconds));
            write(&transaction, &held)?;
            transaction.commit().map_err(unavailable)?;
            Ok(if blocked {
                SendOutcome::Dropped(held)
            } else {
                SendOutcome::Sent(held)
            })
        })
        .await
    }

    async fn answer_introduction(
        &self,
        id: &str,
        answer: Answer,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            let transaction = begin(c, now)?;
            let Some(mut request) = read(&transaction, &id)? else {
                return Ok(None);
            };
            if !request.apply(answer, now) {
                return Ok(None);
            }
            write(&transaction, &request)?;
            match answer {
                Answer::Block => transaction.execute(
                    "INSERT OR IGNORE INTO introduction_blocks (recipient, requester, requester_key) VALUES (?1, ?2, ?3)",
                    params![request.recipient, request.requester, request.requester_key],
                ),
                Answer::Unblock => transaction.execute(
                    "DELETE FROM introduction_blocks WHERE recipient = ?1 AND requester = ?2",
                    params![request.recipient, request.requester],
                ),
                Answer::Accept | Answer::Decline => Ok(0),
            }
            .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)?;
            Ok(Some(request))
        })
        .await
    }

    async fn report_introduction(
        &self,
        id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (id, reason) = (id.to_owned(), reason.to_owned());
        self.with(move |c| {
            let transaction = begin(c, now)?;
            let Some(mut request) = read(&transaction, &id)? else {
                return Ok(false);
            };
            if !request.reportable() {
                return Ok(false);
            }
            request.report = Some(reason);
            request.reported_at = Some(now);
            write(&transaction, &request)?;
            transaction.commit().map_err(unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn reported_introductions(
        &self,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<Introduction>, StoreError> {
        self.with(move |c| {
            listed(
                c,
                "SELECT * FROM introductions WHERE report IS NOT NULL AND delete_at > ?1
                 ORDER BY reported_at DESC, id LIMIT ?2",
                now,
                limit,
            )
        })
        .await
    }

    async fn suspend_requester(
        &self,
        slug: &str,
        suspended: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let slug = slug.to_owned();
        self.with(move |c| {
            if suspended {
                c.execute(
                    "INSERT OR IGNORE INTO introduction_suspensions (slug, suspended_at) VALUES (?1, ?2)",
                    params![slug, ns(now)],
                )
            } else {
                c.execute(
                    "DELETE FROM introduction_suspensions WHERE slug = ?1",
                    params![slug],
                )
            }
            .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn suspended_requesters(&self) -> Result<Vec<String>, StoreError> {
        self.with(|c| {
            let mut statement = c
                .prepare("SELECT slug FROM introduction_suspensions ORDER BY slug")
                .map_err(unavailable)?;
            let rows = statement
                .query_map([], |row| row.get(0))
                .map_err(unavailable)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
        })
        .await
    }

    async fn due_introductions(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Introduction>, StoreError> {
        self.with(move |c| {
            listed(
                c,
                &format!(
                    "SELECT * FROM introductions WHERE state IN {OPEN_STATES} AND open_until <= ?1
                     AND delete_at > ?1 ORDER BY open_until, id LIMIT ?2"
                ),
                now,
                limit,
            )
        })
        .await
    }

    async fn close_introduction(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        let id = id.to_owned();
        self.with(move |c| {
            let transaction = begin(c, now)?;
            let Some(mut request) = read(&transaction, &id)? else {
                return Ok(None);
            };
            if !request.close(now) {
                return Ok(None);
            }
            write(&transaction, &request)?;
            transaction.commit().map_err(unavailable)?;
            Ok(Some(request))
        })
        .await
    }

    async fn blocked_requesters(&self, recipient: &str) -> Result<Vec<String>, StoreError> {
        let recipient = recipient.to_owned();
        self.with(move |c| {
            let mut statement = c
                .prepare("SELECT requester FROM introduction_blocks WHERE recipient = ?1 ORDER BY requester")
                .map_err(unavailable)?;
            let rows = statement
                .query_map(params![recipient], |row| row.get(0))
                .map_err(unavailable)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
        })
        .await
    }

    async fn lift_block(&self, recipient: &str, requester: &str) -> Result<bool, StoreError> {
        let (recipient, requester) = (recipient.to_owned(), requester.to_owned());
        self.with(move |c| {
            let transaction = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let lifted = transaction
                .execute(
                    "DELETE FROM introduction_blocks WHERE recipient = ?1 AND requester = ?2",
                    params![recipient, requester],
                )
                .map_err(unavailable)?;
            // The requests it was made from no longer say so either.
            transaction
                .execute(
                    "UPDATE introductions SET blocked = 0 WHERE recipient = ?1 AND requester = ?2 AND blocked = 1",
                    params![recipient, requester],
                )
                .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)?;
            Ok(lifted > 0)
        })
        .await
    }

    async fn forget_introductions(&self, slug: &str) -> Result<usize, StoreError> {
        let slug = slug.to_owned();
        self.with(move |c| {
            let transaction = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let deleted = transaction
                .execute(
                    "DELETE FROM introductions WHERE requester = ?1 OR recipient = ?1",
                    params![slug],
                )
                .map_err(unavailable)?;
            transaction
                .execute(
                    "DELETE FROM introduction_blocks WHERE recipient = ?1 OR requester = ?1",
                    params![slug],
                )
                .map_err(unavailable)?;
            transaction
                .execute(
                    "DELETE FROM introduction_suspensions WHERE slug = ?1",
                    params![slug],
                )
                .map_err(unavailable)?;
            transaction.commit().map_err(unavailable)?;
            Ok(deleted)
        })
        .await
    }
}
