//! SQLite: held registrations, seats, the waitlist and cancellations.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, listing_from, listing_text, signup_from, unavailable};
use crate::store::{
    Cancellation, NewRegistration, Registration, RegistrationOutcome, SeatState, Seats, StoreError,
};

/// Signs `signup` up inside `transaction`: a seat while fewer than `capacity` are confirmed,
/// else the waitlist (see `Store::register`).
fn seat_in(
    transaction: &rusqlite::Transaction<'_>,
    signup: NewRegistration,
    capacity: u32,
) -> Result<RegistrationOutcome, StoreError> {
    if let Some(existing) =
        find_signup(transaction, &signup.event, &signup.email).map_err(unavailable)?
    {
        return Ok(RegistrationOutcome::AlreadySignedUp(existing));
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
    let stored = Registration {
        event: signup.event,
        email: signup.email,
        name: signup.name,
        message: signup.message,
        listing: signup.listing,
        state,
        sequence: next as u64,
        created_at: signup.at,
    };
    transaction
        .execute(
            "INSERT INTO signups (event, email, name, message, state, sequence, created_at, listing) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![stored.event, stored.email, stored.name, stored.message, state.as_str(), stored.sequence as i64, stored.created_at.to_string(), listing_text(&stored.listing)],
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
        SeatState::Confirmed => RegistrationOutcome::Confirmed(stored),
        SeatState::Waitlisted => RegistrationOutcome::Waitlisted {
            signup: stored,
            position: position as u64,
        },
    })
}

fn find_signup(
    connection: &Connection,
    event: &str,
    email: &str,
) -> rusqlite::Result<Option<Registration>> {
    connection
        .query_row(
            "SELECT * FROM signups WHERE event = ?1 AND email = ?2",
            params![event, email],
            signup_from,
        )
        .optional()
}

#[async_trait]
impl Seats for SqliteStore {
    async fn hold_registration(
        &self,
        id: &str,
        signup: &NewRegistration,
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
                "INSERT INTO held_signups (id, event, email, name, message, at, expires_at, listing) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![id, s.event, s.email, s.name, s.message, s.at.to_string(), expires_at.as_second(), listing_text(&s.listing)],
            )
            .map_err(unavailable)?;
            Ok(())
        })
        .await
    }

    async fn seat_held_registration(
        &self,
        id: &str,
        event: &str,
        capacity: u32,
        now: Timestamp,
    ) -> Result<Option<RegistrationOutcome>, StoreError> {
        let (id, event) = (id.to_owned(), event.to_owned());
        self.with(move |c| {
            let transaction = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let held = transaction
                .query_row(
                    "DELETE FROM held_signups WHERE id = ?1 AND event = ?2 AND expires_at > ?3
                     RETURNING event, email, name, message, listing",
                    params![id, event, now.as_second()],
                    |row| {
                        Ok(NewRegistration {
                            event: row.get(0)?,
                            email: row.get(1)?,
                            name: row.get(2)?,
                            message: row.get(3)?,
                            listing: listing_from(row.get(4)?)?,
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

    async fn register(
        &self,
        signup: NewRegistration,
        capacity: u32,
    ) -> Result<RegistrationOutcome, StoreError> {
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

    async fn promote_waitlist(
        &self,
        event: &str,
        capacity: u32,
    ) -> Result<Vec<Registration>, StoreError> {
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

    async fn cancel_registration(
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

    async fn registrations(&self, event: &str) -> Result<Vec<Registration>, StoreError> {
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

    async fn registration(
        &self,
        event: &str,
        email: &str,
    ) -> Result<Option<Registration>, StoreError> {
        let (event, email) = (event.to_owned(), email.to_owned());
        self.with(move |c| find_signup(c, &event, &email).map_err(unavailable))
            .await
    }

    async fn registrations_of(&self, email: &str) -> Result<Vec<Registration>, StoreError> {
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
}
