//! DynamoDB: held registrations, seats, the waitlist and cancellations.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem};
use jiff::Timestamp;

use super::items::*;
use super::keys;
use super::{ATTEMPTS, DynamoStore, sdk};
use crate::store::{
    Cancellation, NewRegistration, Registration, RegistrationOutcome, SeatState, Seats, StoreError,
};

pub(super) async fn backoff(attempt: u32) {
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    let ceiling = 5u64 << attempt.min(5);
    tokio::time::sleep(Duration::from_millis(
        u64::from(u16::from_le_bytes(bytes)) % ceiling + 1,
    ))
    .await;
}

impl DynamoStore {
    /// Puts a waitlisted sign-up and counts it among those waiting, in one transaction that
    /// holds only while the event is full (see `register`); the result as `transact`'s.
    pub(super) async fn join_waitlist(
        &self,
        stored: &Registration,
        capacity: u32,
        held: Option<TransactWriteItem>,
    ) -> Result<Option<Vec<bool>>, StoreError> {
        let mut wait = vec![
            self.update(
                keys::seat_counter(&stored.event),
                "ADD waiting :one",
                Some("confirmed >= :capacity OR waiting > :zero"),
                HashMap::from([
                    (":one".to_owned(), n(1)),
                    (":zero".to_owned(), n(0)),
                    (":capacity".to_owned(), n(capacity)),
                ]),
            )?,
            self.put(signup_item(stored), Some("attribute_not_exists(PK)"))?,
        ];
        wait.extend(held);
        self.transact(wait).await
    }

    /// Signs `signup` up (see `Store::register`). With `held` (a held sign-up's id and the
    /// time), the hold is deleted in the same transaction that takes the seat or the
    /// waiting place, so that a failure leaves it held; `None` when the hold is gone.
    pub(super) async fn seat(
        &self,
        signup: NewRegistration,
        capacity: u32,
        held: Option<(&str, Timestamp)>,
    ) -> Result<Option<RegistrationOutcome>, StoreError> {
        let take = |this: &Self| -> Result<Option<TransactWriteItem>, StoreError> {
            held.map(|(id, now)| this.take_held(id, &signup.event, now))
                .transpose()
        };
        // Index of the hold's delete in each transaction below.
        const HELD_ITEM: usize = 2;
        let signup_key = keys::seat(&signup.event, &signup.email);
        if let Some(existing) = self.get(signup_key.clone()).await? {
            if let Some(taken) = take(self)?
                && self.transact(vec![taken]).await?.is_some()
            {
                return Ok(None);
            }
            return Ok(Some(RegistrationOutcome::AlreadySignedUp(signup_from(
                &existing,
            )?)));
        }
        // Arrival order: an atomic counter, never contended (a rare gap is harmless).
        let sequence = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::line_counter(&signup.event)))
            .update_expression("ADD #seq :one")
            .expression_attribute_names("#seq", "sequence")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk)?;
        let sequence = sequence
            .attributes
            .as_ref()
            .map_or(0, |a| get_n(a, "sequence")) as u64;
        let mut stored = Registration {
            event: signup.event.clone(),
            email: signup.email.clone(),
            name: signup.name.clone(),
            message: signup.message.clone(),
            listing: signup.listing.clone(),
            state: SeatState::Confirmed,
            sequence,
            created_at: signup.at,
        };
        for attempt in 0..ATTEMPTS {
            // A seat: the counter stays below the capacity, in one transaction with the sign-up.
            stored.state = SeatState::Confirmed;
            let mut claim = vec![
                // Nobody jumps the line: while anyone waits, a newcomer waits behind them.
                self.update(
                    keys::seat_counter(&signup.event),
                    "ADD confirmed :one",
                    Some("(attribute_not_exists(confirmed) OR confirmed < :capacity) AND (attribute_not_exists(waiting) OR waiting = :zero)"),
                    HashMap::from([
                        (":one".to_owned(), n(1)),
                        (":zero".to_owned(), n(0)),
                        (":capacity".to_owned(), n(capacity)),
                    ]),
                )?,
                self.put(signup_item(&stored), Some("attribute_not_exists(PK)"))?,
            ];
            claim.extend(take(self)?);
            let full = match self.transact(claim).await? {
                None => return Ok(Some(RegistrationOutcome::Confirmed(stored))),
                Some(failed) if failed.get(HELD_ITEM) == Some(&true) => return Ok(None),
                Some(failed) if failed.get(1) == Some(&true) => break,
                Some(failed) => failed.first() == Some(&true),
            };
            if full {
                // The waiting place and the count of those waiting in one step, only while
                // the event is still full: a cancellation that frees a seat meanwhile makes
                // this fail, and the loop claims the freed seat instead. (Written apart, a
                // seat could stay free while this person waits.)
                stored.state = SeatState::Waitlisted;
                match self.join_waitlist(&stored, capacity, take(self)?).await? {
                    None => {
                        let position = self
                            .registrations(&signup.event)
                            .await?
                            .iter()
                            .filter(|s| {
                                s.state == SeatState::Waitlisted && s.sequence <= stored.sequence
                            })
                            .count() as u64;
                        return Ok(Some(RegistrationOutcome::Waitlisted {
                            signup: stored,
                            position,
                        }));
                    }
                    Some(failed) if failed.get(HELD_ITEM) == Some(&true) => return Ok(None),
                    Some(failed) if failed.get(1) == Some(&true) => break,
                    // A seat was freed meanwhile (or another change conflicted): again.
                    Some(_) => {}
                }
            }
            backoff(attempt).await;
        }
        // The same e-mail signed up at the same moment: that sign-up stands (a hold is
        // taken with it, as above).
        match self.get(signup_key).await? {
            Some(existing) => {
                if let Some(taken) = take(self)?
                    && self.transact(vec![taken]).await?.is_some()
                {
                    return Ok(None);
                }
                Ok(Some(RegistrationOutcome::AlreadySignedUp(signup_from(
                    &existing,
                )?)))
            }
            None => Err(StoreError::Unavailable(
                "too much contention on this event; try again".into(),
            )),
        }
    }
}

#[async_trait]
impl Seats for DynamoStore {
    async fn hold_registration(
        &self,
        id: &str,
        signup: &NewRegistration,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut item = keys::held(id);
        item.insert("event".into(), s(&signup.event));
        item.insert("email".into(), s(&signup.email));
        item.insert("name".into(), s(&signup.name));
        item.insert("at".into(), s(signup.at.to_string()));
        // DynamoDB deletes it after its link lapses.
        item.insert("ttl".into(), n(expires_at.as_second()));
        if let Some(message) = &signup.message {
            item.insert("message".into(), s(message));
        }
        if let Some(listing) = listing_text(&signup.listing) {
            item.insert("listing".into(), s(listing));
        }
        self.put_plain(item).await
    }

    async fn seat_held_registration(
        &self,
        id: &str,
        event: &str,
        capacity: u32,
        now: Timestamp,
    ) -> Result<Option<RegistrationOutcome>, StoreError> {
        let Some(item) = self.get(keys::held(id)).await? else {
            return Ok(None);
        };
        let r = ItemReader {
            item: &item,
            what: "held sign-up",
        };
        if r.s("event")? != event || get_n(&item, "ttl") <= now.as_second() {
            return Ok(None);
        }
        let held = NewRegistration {
            event: r.s("event")?,
            email: r.s("email")?,
            name: r.s("name")?,
            message: r.opt_s("message")?,
            listing: listing_of(&r)?,
            // The line is the order of confirmation.
            at: now,
        };
        self.seat(held, capacity, Some((id, now))).await
    }

    async fn register(
        &self,
        signup: NewRegistration,
        capacity: u32,
    ) -> Result<RegistrationOutcome, StoreError> {
        self.seat(signup, capacity, None).await?.ok_or_else(|| {
            StoreError::Unavailable("a sign-up without a hold was refused as one".into())
        })
    }

    async fn promote_waitlist(
        &self,
        event: &str,
        capacity: u32,
    ) -> Result<Vec<Registration>, StoreError> {
        let mut promoted = Vec::new();
        let mut attempt = 0;
        // One seat per transaction, first in line first, while seats are free and someone
        // waits; a conflict (a sign-up or a cancellation meanwhile) reads again.
        while attempt < ATTEMPTS {
            let counter = self.get(keys::seat_counter(event)).await?;
            let (confirmed, waiting) = counter
                .as_ref()
                .map_or((0, 0), |c| (get_n(c, "confirmed"), get_n(c, "waiting")));
            if waiting <= 0 || confirmed >= i64::from(capacity) {
                return Ok(promoted);
            }
            let first = self
                .query_partition(keys::event(event), keys::SIGNUP_PREFIX)
                .await?
                .iter()
                .map(signup_from)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|s| s.state == SeatState::Waitlisted)
                .min_by_key(|s| s.sequence);
            let Some(mut next) = first else {
                return Ok(promoted);
            };
            let items = vec![
                self.update(
                    keys::seat(event, &next.email),
                    "SET #state = :confirmed",
                    Some("#state = :waiting"),
                    HashMap::from([
                        (":confirmed".to_owned(), s("confirmed")),
                        (":waiting".to_owned(), s("waitlisted")),
                    ]),
                )?,
                self.update(
                    keys::seat_counter(event),
                    "ADD confirmed :one, waiting :minus",
                    Some("confirmed < :capacity AND waiting >= :one"),
                    HashMap::from([
                        (":one".to_owned(), n(1)),
                        (":minus".to_owned(), n(-1)),
                        (":capacity".to_owned(), n(capacity)),
                    ]),
                )?,
            ];
            if self.transact(items).await?.is_none() {
                next.state = SeatState::Confirmed;
                promoted.push(next);
                attempt = 0;
            } else {
                backoff(attempt).await;
                attempt += 1;
            }
        }
        Err(StoreError::Unavailable(
            "too much contention on this event; try again".into(),
        ))
    }

    async fn cancel_registration(
        &self,
        event: &str,
        email: &str,
    ) -> Result<Option<Cancellation>, StoreError> {
        for attempt in 0..ATTEMPTS {
            let signups: Vec<Registration> = self
                .query_partition(keys::event(event), keys::SIGNUP_PREFIX)
                .await?
                .iter()
                .map(signup_from)
                .collect::<Result<_, _>>()?;
            let Some(cancelled) = signups.iter().find(|s| s.email == email).cloned() else {
                return Ok(None);
            };
            let first_waiting = signups
                .iter()
                .filter(|s| s.state == SeatState::Waitlisted)
                .min_by_key(|s| s.sequence)
                .cloned();
            // The sign-up must still be as read; a seat passes to the first waiting, or is freed.
            let mut items = vec![self.delete_signup(keys::seat(event, email), cancelled.state)?];
            let mut promoted = None;
            let counter = keys::seat_counter(event);
            match (cancelled.state, first_waiting) {
                (SeatState::Confirmed, Some(mut next)) => {
                    items.push(self.update(
                        keys::seat(event, &next.email),
                        "SET #state = :confirmed",
                        Some("#state = :waiting"),
                        HashMap::from([
                            (":confirmed".to_owned(), s("confirmed")),
                            (":waiting".to_owned(), s("waitlisted")),
                        ]),
                    )?);
                    items.push(self.update(
                        counter,
                        "ADD waiting :minus",
                        Some("waiting >= :one"),
                        HashMap::from([(":minus".to_owned(), n(-1)), (":one".to_owned(), n(1))]),
                    )?);
                    next.state = SeatState::Confirmed;
                    promoted = Some(next);
                }
                // The seat is freed only while nobody waits: someone who joined the waitlist
                // after the read makes this fail, and the next round promotes them.
                (SeatState::Confirmed, None) => items.push(self.update(
                    counter,
                    "SET confirmed = confirmed - :one",
                    Some(
                        "confirmed >= :one AND (attribute_not_exists(waiting) OR waiting = :zero)",
                    ),
                    HashMap::from([(":one".to_owned(), n(1)), (":zero".to_owned(), n(0))]),
                )?),
                (SeatState::Waitlisted, _) => items.push(self.update(
                    counter,
                    "ADD waiting :minus",
                    Some("waiting >= :one"),
                    HashMap::from([(":minus".to_owned(), n(-1)), (":one".to_owned(), n(1))]),
                )?),
            }
            // A cancelled transaction means someone changed the event meanwhile: read again.
            if self.transact(items).await?.is_none() {
                return Ok(Some(Cancellation {
                    cancelled,
                    promoted,
                }));
            }
            backoff(attempt).await;
        }
        Err(StoreError::Unavailable(
            "too much contention on this event; try again".into(),
        ))
    }

    async fn registrations(&self, event: &str) -> Result<Vec<Registration>, StoreError> {
        let mut signups: Vec<Registration> = self
            .query_partition(keys::event(event), keys::SIGNUP_PREFIX)
            .await?
            .iter()
            .map(signup_from)
            .collect::<Result<_, _>>()?;
        signups.sort_by_key(|s| s.sequence);
        Ok(signups)
    }

    async fn registration(
        &self,
        event: &str,
        email: &str,
    ) -> Result<Option<Registration>, StoreError> {
        self.get(keys::seat(event, email))
            .await?
            .map(|item| signup_from(&item))
            .transpose()
    }

    async fn registrations_of(&self, email: &str) -> Result<Vec<Registration>, StoreError> {
        Ok(self
            .person_items(email)
            .await?
            .iter()
            .filter(|item| {
                item.get("PK")
                    .and_then(|v| v.as_s().ok())
                    .is_some_and(|pk| pk.starts_with(keys::EVENT_PREFIX))
            })
            .map(signup_from)
            .collect::<Result<Vec<_>, _>>()?)
    }
}
