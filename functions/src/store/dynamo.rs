//! The production store: one DynamoDB table with typed keys.
//!
//! | item | PK | SK | notes |
//! |---|---|---|---|
//! | submission | `SUB#<id>` | `SUB` | `GSI1PK = STATUS#<status>` only once confirmed (the queues), `GSI1SK = <created, padded>#<id>` |
//! | slug held by an open or exported profile (until the member is forgotten) | `SLUG#<slug>` | `SLUG` | put with `attribute_not_exists` in the same transaction as the submission |
//! | seat counter | `EVENT#<slug>` | `COUNTER` | `confirmed` seats |
//! | arrival counter | `EVENT#<slug>` | `SEQUENCE` | the last `sequence` given out |
//! | sign-up | `EVENT#<slug>` | `SIGNUP#<email>` | a seat is written in one transaction with the seat counter |
//! | rate-limit window | `RATE#<key>` | `<window start>` | `ttl` attribute (epoch seconds) |
//! | a published member's address | `MEMBER#<slug>` | `EMAIL` | `email`; written when their profile is exported |
//! | who published with an address | `EMAILOF#<email>` | `MEMBER` | `slug`; deleted with the person's data |
//!
//! Index `PERSON` (hash key `person`, the address): every submission and sign-up that carries
//! an address, so that forgetting a person (and listing their sign-ups) is a query by key;
//! the store never scans the table.
//!
//! Seats are never oversold: a sign-up takes its place in line from an atomic counter, then
//! claims a seat in one transaction that adds to the seat counter only while it is below
//! the capacity and writes the sign-up; when the seats are gone it is written as waiting.
//! Unlike SQLite's serialized transactions, two sign-ups racing for the last seat may take
//! it out of line order; the waitlist is always served in line order. DynamoDB deletes
//! expired items late, so rate-limit windows are keyed by their start and never read once past.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, Projection, ProjectionType, Put, ReturnValue, ScalarAttributeType,
    TimeToLiveSpecification, TransactWriteItem, Update,
};
use jiff::Timestamp;

use super::{
    Cancellation, Cursor, NewSignup, SeatState, Signup, SignupOutcome, Status, Store, StoreError,
    Submission, SubmissionKind, SubmissionPage,
};

type Item = HashMap<String, AttributeValue>;

const QUEUE_INDEX: &str = "GSI1";
/// Everything held about one address (its submissions and event sign-ups), by the `person`
/// attribute, which only items with an address carry: a removal finds a person's data by
/// key, never by scanning the table.
const PERSON_INDEX: &str = "PERSON";
/// How often a contended sign-up or cancellation is tried before giving up (503).
const ATTEMPTS: u32 = 60;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))])
}

fn unavailable(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

fn sdk<E: std::error::Error + 'static, R: std::fmt::Debug>(error: SdkError<E, R>) -> StoreError {
    // AWS's text may quote values; it is logged, so nothing personal may stay in it.
    StoreError::Unavailable(crate::redact::redact(
        &aws_sdk_dynamodb::error::DisplayErrorContext(error).to_string(),
    ))
}

fn get_n(item: &Item, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Sort key of the queues: creation time padded to sort as text, then the id.
fn queue_sort_key(submission: &Submission) -> String {
    Cursor::of(submission).as_str().to_owned()
}

fn submission_item(s_: &Submission) -> Item {
    let mut item = key(format!("SUB#{}", s_.id), "SUB");
    item.insert("id".into(), s(&s_.id));
    item.insert("kind".into(), s(s_.kind.as_str()));
    item.insert("slug".into(), s(&s_.slug));
    item.insert(
        "fields".into(),
        s(serde_json::to_string(&s_.fields).unwrap_or_default()),
    );
    item.insert("email".into(), s(&s_.email));
    if !s_.email.is_empty() {
        item.insert("person".into(), s(&s_.email));
    }
    item.insert("ip_hash".into(), s(&s_.ip_hash));
    item.insert("status".into(), s(s_.status.as_str()));
    item.insert("created_at".into(), s(s_.created_at.to_string()));
    item.insert("updated_at".into(), s(s_.updated_at.to_string()));
    item.insert("queue_sk".into(), s(queue_sort_key(s_)));
    if let Some(photo) = &s_.photo {
        item.insert(
            "photo".into(),
            AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(photo.clone())),
        );
    }
    for (name, value) in [
        ("confirmed_at", s_.confirmed_at.map(|t| t.to_string())),
        ("decided_by", s_.decided_by.clone()),
        ("decided_at", s_.decided_at.map(|t| t.to_string())),
        ("reason", s_.reason.clone()),
    ] {
        if let Some(value) = value {
            item.insert(name.into(), s(value));
        }
    }
    if let Some(expires) = s_.expires_at.filter(|_| s_.confirmed_at.is_none()) {
        item.insert("ttl".into(), n(expires.as_second()));
    }
    if s_.confirmed_at.is_some() {
        item.insert("GSI1PK".into(), s(format!("STATUS#{}", s_.status.as_str())));
        item.insert("GSI1SK".into(), s(queue_sort_key(s_)));
    }
    item
}

/// Reads the attributes of one stored item strictly: a missing required attribute, a value
/// of the wrong type or an unknown enum value is `StoreError::Corrupt`, never a default.
struct ItemReader<'i> {
    item: &'i Item,
    what: &'static str,
}

impl ItemReader<'_> {
    fn corrupt(&self, name: &str, problem: &str) -> StoreError {
        // Names the attribute, never its value (which may be personal data).
        StoreError::Corrupt(format!("{} item: `{name}` {problem}", self.what))
    }

    fn opt_s(&self, name: &str) -> Result<Option<String>, StoreError> {
        match self.item.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_s()
                .map(|text| Some(text.clone()))
                .map_err(|_| self.corrupt(name, "is not a string")),
        }
    }

    fn s(&self, name: &str) -> Result<String, StoreError> {
        self.opt_s(name)?
            .ok_or_else(|| self.corrupt(name, "is missing"))
    }

    fn opt_time(&self, name: &str) -> Result<Option<Timestamp>, StoreError> {
        self.opt_s(name)?
            .map(|text| {
                text.parse()
                    .map_err(|_| self.corrupt(name, "is not a time"))
            })
            .transpose()
    }

    fn time(&self, name: &str) -> Result<Timestamp, StoreError> {
        self.opt_time(name)?
            .ok_or_else(|| self.corrupt(name, "is missing"))
    }

    fn opt_n(&self, name: &str) -> Result<Option<i64>, StoreError> {
        match self.item.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_n()
                .ok()
                .and_then(|n| n.parse().ok())
                .map(Some)
                .ok_or_else(|| self.corrupt(name, "is not a whole number")),
        }
    }

    fn n(&self, name: &str) -> Result<i64, StoreError> {
        self.opt_n(name)?
            .ok_or_else(|| self.corrupt(name, "is missing"))
    }
}

fn submission_from(item: &Item) -> Result<Submission, StoreError> {
    let r = ItemReader {
        item,
        what: "submission",
    };
    let kind = r.s("kind")?;
    let status = r.s("status")?;
    let fields = r.s("fields")?;
    Ok(Submission {
        id: r.s("id")?,
        kind: SubmissionKind::parse(&kind).ok_or_else(|| r.corrupt("kind", "is unknown"))?,
        slug: r.s("slug")?,
        fields: serde_json::from_str(&fields)
            .map_err(|_| r.corrupt("fields", "is not a JSON object of texts"))?,
        email: r.s("email")?,
        ip_hash: r.s("ip_hash")?,
        status: Status::parse(&status).ok_or_else(|| r.corrupt("status", "is unknown"))?,
        confirmed_at: r.opt_time("confirmed_at")?,
        expires_at: r
            .opt_n("ttl")?
            .map(|ttl| Timestamp::from_second(ttl).map_err(|_| r.corrupt("ttl", "is out of range")))
            .transpose()?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
        decided_by: r.opt_s("decided_by")?,
        decided_at: r.opt_time("decided_at")?,
        reason: r.opt_s("reason")?,
        photo: match item.get("photo") {
            None => None,
            Some(value) => Some(
                value
                    .as_b()
                    .map_err(|_| r.corrupt("photo", "is not binary"))?
                    .as_ref()
                    .to_vec(),
            ),
        },
    })
}

fn signup_item(signup: &Signup) -> Item {
    let mut item = key(
        format!("EVENT#{}", signup.event),
        &format!("SIGNUP#{}", signup.email),
    );
    item.insert("event".into(), s(&signup.event));
    item.insert("email".into(), s(&signup.email));
    item.insert("person".into(), s(&signup.email));
    item.insert("name".into(), s(&signup.name));
    item.insert("state".into(), s(signup.state.as_str()));
    item.insert("sequence".into(), n(signup.sequence));
    item.insert("created_at".into(), s(signup.created_at.to_string()));
    if let Some(message) = &signup.message {
        item.insert("message".into(), s(message));
    }
    item
}

fn signup_from(item: &Item) -> Result<Signup, StoreError> {
    let r = ItemReader {
        item,
        what: "sign-up",
    };
    let state = match r.s("state")?.as_str() {
        "confirmed" => SeatState::Confirmed,
        "waitlisted" => SeatState::Waitlisted,
        _ => return Err(r.corrupt("state", "is unknown")),
    };
    let sequence = r.n("sequence")?;
    Ok(Signup {
        event: r.s("event")?,
        email: r.s("email")?,
        name: r.s("name")?,
        message: r.opt_s("message")?,
        state,
        sequence: u64::try_from(sequence).map_err(|_| r.corrupt("sequence", "is negative"))?,
        created_at: r.time("created_at")?,
    })
}

/// For a cancelled transaction, which of its items failed their condition (a cancellation for
/// a conflict with another transaction shows as `false` everywhere, and is worth a retry too).
fn cancelled_by_condition<R: std::fmt::Debug>(
    error: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> Option<Vec<bool>> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(e)) => Some(
            e.cancellation_reasons()
                .iter()
                .map(|r| r.code() == Some("ConditionalCheckFailed"))
                .collect(),
        ),
        _ => None,
    }
}

async fn backoff(attempt: u32) {
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    let ceiling = 5u64 << attempt.min(5);
    tokio::time::sleep(Duration::from_millis(
        u64::from(u16::from_le_bytes(bytes)) % ceiling + 1,
    ))
    .await;
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// Creates the table with its index and TTL if it does not exist (local runs and tests;
    /// production tables come from the deployment).
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        let exists = self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok();
        if exists {
            return Ok(());
        }
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
        };
        let key_element = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
        };
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(
                ["PK", "SK", "GSI1PK", "GSI1SK", "person"]
                    .into_iter()
                    .map(attribute)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(unavailable)?,
            ))
            .key_schema(key_element("PK", KeyType::Hash).map_err(unavailable)?)
            .key_schema(key_element("SK", KeyType::Range).map_err(unavailable)?)
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(QUEUE_INDEX)
                    .key_schema(key_element("GSI1PK", KeyType::Hash).map_err(unavailable)?)
                    .key_schema(key_element("GSI1SK", KeyType::Range).map_err(unavailable)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .map_err(unavailable)?,
            )
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(PERSON_INDEX)
                    .key_schema(key_element("person", KeyType::Hash).map_err(unavailable)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .map_err(unavailable)?,
            )
            .send()
            .await
            .map_err(sdk)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name("ttl")
                    .build()
                    .map_err(unavailable)?,
            )
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn get(&self, item_key: Item) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(item_key))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk)?;
        Ok(output.item)
    }

    fn put(&self, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned));
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(unavailable)?)
            .build())
    }

    fn delete(&self, item_key: Item) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(item_key))
            .build()
            .map_err(unavailable)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// An update; `#state` in the expressions stands for the attribute `state` (a reserved word).
    fn update(
        &self,
        item_key: Item,
        expression: &str,
        condition: Option<&str>,
        values: Item,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(item_key))
            .update_expression(expression)
            .set_condition_expression(condition.map(str::to_owned))
            .set_expression_attribute_values((!values.is_empty()).then_some(values));
        if expression.contains("#state") || condition.is_some_and(|c| c.contains("#state")) {
            update = update.expression_attribute_names("#state", "state");
        }
        Ok(TransactWriteItem::builder()
            .update(update.build().map_err(unavailable)?)
            .build())
    }

    /// Puts a waitlisted sign-up and counts it among those waiting, in one transaction that
    /// holds only while the event is full (see `sign_up`); the result as `transact`'s.
    async fn join_waitlist(
        &self,
        partition: &str,
        stored: &Signup,
        capacity: u32,
        held: Option<TransactWriteItem>,
    ) -> Result<Option<Vec<bool>>, StoreError> {
        let mut wait = vec![
            self.update(
                key(partition.to_owned(), "COUNTER"),
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

    /// Deletes the held sign-up `id` for `event` in a transaction, only while it is there
    /// and has not lapsed at `now` (expired items linger until DynamoDB deletes them).
    fn take_held(
        &self,
        id: &str,
        event: &str,
        now: Timestamp,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(format!("HELD#{id}"), "HELD")))
            .condition_expression("attribute_exists(PK) AND #ttl > :now AND #event = :event")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_names("#event", "event")
            .expression_attribute_values(":now", n(now.as_second()))
            .expression_attribute_values(":event", s(event))
            .build()
            .map_err(unavailable)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Signs `signup` up (see `Store::sign_up`). With `held` (a held sign-up's id and the
    /// time), the hold is deleted in the same transaction that takes the seat or the
    /// waiting place, so that a failure leaves it held; `None` when the hold is gone.
    async fn seat(
        &self,
        signup: NewSignup,
        capacity: u32,
        held: Option<(&str, Timestamp)>,
    ) -> Result<Option<SignupOutcome>, StoreError> {
        let take = |this: &Self| -> Result<Option<TransactWriteItem>, StoreError> {
            held.map(|(id, now)| this.take_held(id, &signup.event, now))
                .transpose()
        };
        // Index of the hold's delete in each transaction below.
        const HELD_ITEM: usize = 2;
        let partition = format!("EVENT#{}", signup.event);
        let signup_key = key(partition.clone(), &format!("SIGNUP#{}", signup.email));
        if let Some(existing) = self.get(signup_key.clone()).await? {
            if let Some(taken) = take(self)?
                && self.transact(vec![taken]).await?.is_some()
            {
                return Ok(None);
            }
            return Ok(Some(SignupOutcome::AlreadySignedUp(signup_from(
                &existing,
            )?)));
        }
        // Arrival order: an atomic counter, never contended (a rare gap is harmless).
        let sequence = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(partition.clone(), "SEQUENCE")))
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
        let mut stored = Signup {
            event: signup.event.clone(),
            email: signup.email.clone(),
            name: signup.name.clone(),
            message: signup.message.clone(),
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
                    key(partition.clone(), "COUNTER"),
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
                None => return Ok(Some(SignupOutcome::Confirmed(stored))),
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
                match self
                    .join_waitlist(&partition, &stored, capacity, take(self)?)
                    .await?
                {
                    None => {
                        let position = self
                            .signups(&signup.event)
                            .await?
                            .iter()
                            .filter(|s| {
                                s.state == SeatState::Waitlisted && s.sequence <= stored.sequence
                            })
                            .count() as u64;
                        return Ok(Some(SignupOutcome::Waitlisted {
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
                Ok(Some(SignupOutcome::AlreadySignedUp(signup_from(
                    &existing,
                )?)))
            }
            None => Err(StoreError::Unavailable(
                "too much contention on this event; try again".into(),
            )),
        }
    }

    /// A delete that happens only if the sign-up is still in `state`.
    fn delete_signup(
        &self,
        item_key: Item,
        state: SeatState,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(item_key))
            .condition_expression("#state = :state")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":state", s(state.as_str()))
            .build()
            .map_err(unavailable)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Runs a transaction. `Ok(None)`: applied. `Ok(Some(failed))`: cancelled, with for
    /// each item whether its condition failed (all `false` for a conflict with another
    /// transaction, worth a retry). Anything else is an outage.
    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<Option<Vec<bool>>, StoreError> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(None),
            Err(error) => cancelled_by_condition(&error)
                .map(Some)
                .ok_or_else(|| sdk(error)),
        }
    }

    /// Every item a query finds, following its pages.
    /// Writes an item, unconditionally.
    async fn put_plain(&self, item: Item) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// Deletes an item if it exists.
    async fn delete_key(&self, item_key: Item) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(item_key))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn query_all(&self, query: QueryFluentBuilder) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = query
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk)?;
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Every item that carries the address `email` (submissions and sign-ups), by the
    /// person index.
    async fn person_items(&self, email: &str) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(PERSON_INDEX)
            .key_condition_expression("person = :person")
            .expression_attribute_values(":person", s(email));
        self.query_all(query).await
    }

    /// The items of one partition whose sort key starts with `sk_prefix` (strongly consistent).
    async fn query_partition(&self, pk: String, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(sk_prefix))
            .consistent_read(true);
        self.query_all(query).await
    }

    /// Changes a submission's status in one transaction with what its slug needs.
    async fn transition(
        &self,
        submission: &Submission,
        to: Status,
        condition: &str,
        extra: Item,
    ) -> Result<bool, StoreError> {
        let mut updated = submission.clone();
        updated.status = to;
        let mut values = HashMap::from([
            (":to".to_owned(), s(to.as_str())),
            (":queue".to_owned(), s(format!("STATUS#{}", to.as_str()))),
            (
                ":now".to_owned(),
                s(extra
                    .get(":now")
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default()),
            ),
        ]);
        values.extend(extra.into_iter().filter(|(k, _)| k != ":now"));
        let mut expression = String::from("SET #status = :to, GSI1PK = :queue, updated_at = :now");
        // A rejection, and a report once decided, is kept for REJECTED_KEPT_SECONDS; then
        // DynamoDB's TTL deletes it.
        let purge_ttl = (to == Status::Rejected
            || (submission.kind == SubmissionKind::Report && to != Status::Pending))
            .then(|| {
                values
                    .get(":now")
                    .and_then(|v| v.as_s().ok())
                    .and_then(|t| t.parse::<Timestamp>().ok())
                    .map_or(0, |t| t.as_second())
                    + super::REJECTED_KEPT_SECONDS
            });
        if let Some(ttl) = purge_ttl {
            expression.push_str(", #ttl = :purge");
            values.insert(":purge".to_owned(), n(ttl));
        }
        for (field, placeholder) in [
            ("decided_by", ":editor"),
            ("decided_at", ":now"),
            ("reason", ":reason"),
        ] {
            if values.contains_key(placeholder)
                && (field != "decided_at" || values.contains_key(":editor"))
            {
                expression.push_str(&format!(", {field} = {placeholder}"));
            }
        }
        // Once exported, the photo is in the content; the store keeps no copy.
        if to == Status::Exported {
            expression.push_str(" REMOVE photo");
        }
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(format!("SUB#{}", submission.id), "SUB")))
            .update_expression(expression)
            .condition_expression(condition)
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(values));
        if purge_ttl.is_some() {
            update = update.expression_attribute_names("#ttl", "ttl");
        }
        update = update.return_values_on_condition_check_failure(
            aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::None,
        );
        let mut items = vec![
            TransactWriteItem::builder()
                .update(update.build().map_err(unavailable)?)
                .build(),
        ];
        // An exported profile keeps its slug until the member is forgotten: between the
        // export and the deploy the catalog does not know the member yet.
        let frees_slug = submission.kind == SubmissionKind::Profile && to == Status::Rejected;
        if frees_slug {
            items.push(self.delete(key(format!("SLUG#{}", submission.slug), "SLUG"))?);
        }
        // A published profile: its address by slug and its slug by address, so that edit
        // links and announcements look them up by key rather than scanning the table.
        if submission.kind == SubmissionKind::Profile
            && to == Status::Exported
            && !submission.email.is_empty()
        {
            let mut by_slug = key(format!("MEMBER#{}", submission.slug), "EMAIL");
            by_slug.insert("email".into(), s(&submission.email));
            items.push(self.put(by_slug, None)?);
            let mut by_email = key(format!("EMAILOF#{}", submission.email), "MEMBER");
            by_email.insert("slug".into(), s(&submission.slug));
            items.push(self.put(by_email, None)?);
        }
        // Only the status condition (the first item) means "not in that state".
        match self.transact(items).await? {
            None => Ok(true),
            Some(failed) if failed.first() == Some(&true) => Ok(false),
            Some(_) => Err(StoreError::Unavailable(
                "the change conflicted with another; try again".into(),
            )),
        }
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn create_submission(&self, submission: &Submission) -> Result<(), StoreError> {
        let mut items = vec![self.put(
            submission_item(submission),
            Some("attribute_not_exists(PK)"),
        )?];
        let holds_slug = submission.kind == SubmissionKind::Profile
            && matches!(submission.status, Status::Pending | Status::Approved);
        if holds_slug {
            let mut slug = key(format!("SLUG#{}", submission.slug), "SLUG");
            slug.insert("submission".into(), s(&submission.id));
            if let Some(expires) = submission
                .expires_at
                .filter(|_| submission.confirmed_at.is_none())
            {
                slug.insert("ttl".into(), n(expires.as_second()));
            }
            // DynamoDB deletes expired items late: a lapsed holder is checked here too.
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(slug))
                .condition_expression("attribute_not_exists(PK) OR #ttl <= :now")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":now", n(submission.created_at.as_second()))
                .build()
                .map_err(unavailable)?;
            items.push(TransactWriteItem::builder().put(put).build());
        }
        match self.transact(items).await? {
            None => Ok(()),
            Some(failed) if failed.get(1) == Some(&true) => {
                Err(StoreError::SlugTaken(submission.slug.clone()))
            }
            Some(_) => Err(StoreError::Unavailable(
                "the submission could not be stored; try again".into(),
            )),
        }
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        self.get(key(format!("SUB#{id}"), "SUB"))
            .await?
            .map(|item| submission_from(&item))
            .transpose()
    }

    async fn slug_reserved(&self, slug: &str, now: Timestamp) -> Result<bool, StoreError> {
        // DynamoDB deletes expired items late: the expiry is checked on read too.
        let item = self.get(key(format!("SLUG#{slug}"), "SLUG")).await?;
        Ok(item
            .is_some_and(|item| !item.contains_key("ttl") || get_n(&item, "ttl") > now.as_second()))
    }

    async fn confirm_submission(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        let Some(submission) = self.submission(id).await? else {
            return Ok(false);
        };
        // Confirmed items no longer expire; a lapsed one can no longer be confirmed.
        let confirm = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(format!("SUB#{id}"), "SUB")))
            .update_expression("SET confirmed_at = if_not_exists(confirmed_at, :at), updated_at = :at, GSI1PK = :queue, GSI1SK = :sort, ip_hash = :erased REMOVE #ttl")
            .condition_expression(
                "attribute_exists(PK) AND #status = :pending AND (attribute_exists(confirmed_at) OR attribute_not_exists(#ttl) OR #ttl > :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":at", s(at.to_string()))
            .expression_attribute_values(":now", n(at.as_second()))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":queue", s("STATUS#pending"))
            .expression_attribute_values(":sort", s(queue_sort_key(&submission)))
            // The IP hash has served its purpose once the address is confirmed.
            .expression_attribute_values(":erased", s(""))
            .build()
            .map_err(unavailable)?;
        let mut items = vec![TransactWriteItem::builder().update(confirm).build()];
        if submission.kind == SubmissionKind::Profile {
            let keep_slug = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(format!("SLUG#{}", submission.slug), "SLUG")))
                .update_expression("REMOVE #ttl")
                .condition_expression("submission = :id")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":id", s(id))
                .build()
                .map_err(unavailable)?;
            items.push(TransactWriteItem::builder().update(keep_slug).build());
        }
        match self.transact(items).await? {
            None => Ok(true),
            Some(failed) if failed.contains(&true) => Ok(false),
            Some(_) => Err(StoreError::Unavailable(
                "the confirmation conflicted with another change; try again".into(),
            )),
        }
    }

    async fn list_submissions(&self, status: Status) -> Result<Vec<Submission>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(QUEUE_INDEX)
            .key_condition_expression("GSI1PK = :queue")
            .expression_attribute_values(":queue", s(format!("STATUS#{}", status.as_str())));
        self.query_all(query)
            .await?
            .iter()
            .map(submission_from)
            .collect()
    }

    async fn submissions_page(
        &self,
        status: Status,
        limit: usize,
        cursor: Option<&Cursor>,
    ) -> Result<SubmissionPage, StoreError> {
        let queue = format!("STATUS#{}", status.as_str());
        // One more than the page, to know whether another follows.
        let wanted = i32::try_from(limit + 1).unwrap_or(i32::MAX);
        let start = cursor.map(|c| {
            let mut start = key(format!("SUB#{}", c.id()), "SUB");
            start.insert("GSI1PK".into(), s(&queue));
            start.insert("GSI1SK".into(), s(c.as_str()));
            start
        });
        let mut items = Vec::new();
        let mut from = start;
        // A page of the index may hold fewer items than asked: read on until enough.
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(QUEUE_INDEX)
                .key_condition_expression("GSI1PK = :queue")
                .expression_attribute_values(":queue", s(&queue))
                .scan_index_forward(false)
                .limit(wanted)
                .set_exclusive_start_key(from)
                .send()
                .await
                .map_err(sdk)?;
            items.extend(output.items.unwrap_or_default());
            from = output.last_evaluated_key;
            if from.is_none() || items.len() > limit {
                break;
            }
        }
        let more = items.len() > limit;
        let submissions: Vec<Submission> = items
            .iter()
            .take(limit)
            .map(submission_from)
            .collect::<Result<_, _>>()?;
        let next = more.then(|| submissions.last().map(Cursor::of)).flatten();
        Ok(SubmissionPage { submissions, next })
    }

    async fn decide(
        &self,
        id: &str,
        decision: Status,
        editor: &str,
        reason: Option<&str>,
        at: Timestamp,
    ) -> Result<Option<Submission>, StoreError> {
        let Some(submission) = self.submission(id).await? else {
            return Ok(None);
        };
        let mut extra = HashMap::from([
            (":now".to_owned(), s(at.to_string())),
            (":editor".to_owned(), s(editor)),
            (":pending".to_owned(), s("pending")),
        ]);
        if let Some(reason) = reason {
            extra.insert(":reason".into(), s(reason));
        }
        let condition = "#status = :pending AND attribute_exists(confirmed_at)";
        if self
            .transition(&submission, decision, condition, extra)
            .await?
        {
            self.submission(id).await
        } else {
            Ok(None)
        }
    }

    async fn mark_exported(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        let Some(submission) = self.submission(id).await? else {
            return Ok(false);
        };
        let extra = HashMap::from([
            (":now".to_owned(), s(at.to_string())),
            (":approved".to_owned(), s("approved")),
        ]);
        self.transition(&submission, Status::Exported, "#status = :approved", extra)
            .await
    }

    async fn sign_up(&self, signup: NewSignup, capacity: u32) -> Result<SignupOutcome, StoreError> {
        self.seat(signup, capacity, None).await?.ok_or_else(|| {
            StoreError::Unavailable("a sign-up without a hold was refused as one".into())
        })
    }

    async fn seat_held_signup(
        &self,
        id: &str,
        event: &str,
        capacity: u32,
        now: Timestamp,
    ) -> Result<Option<SignupOutcome>, StoreError> {
        let Some(item) = self.get(key(format!("HELD#{id}"), "HELD")).await? else {
            return Ok(None);
        };
        let r = ItemReader {
            item: &item,
            what: "held sign-up",
        };
        if r.s("event")? != event || get_n(&item, "ttl") <= now.as_second() {
            return Ok(None);
        }
        let held = NewSignup {
            event: r.s("event")?,
            email: r.s("email")?,
            name: r.s("name")?,
            message: r.opt_s("message")?,
            // The line is the order of confirmation.
            at: now,
        };
        self.seat(held, capacity, Some((id, now))).await
    }

    async fn promote_waitlist(
        &self,
        event: &str,
        capacity: u32,
    ) -> Result<Vec<Signup>, StoreError> {
        let partition = format!("EVENT#{event}");
        let mut promoted = Vec::new();
        let mut attempt = 0;
        // One seat per transaction, first in line first, while seats are free and someone
        // waits; a conflict (a sign-up or a cancellation meanwhile) reads again.
        while attempt < ATTEMPTS {
            let counter = self.get(key(partition.clone(), "COUNTER")).await?;
            let (confirmed, waiting) = counter
                .as_ref()
                .map_or((0, 0), |c| (get_n(c, "confirmed"), get_n(c, "waiting")));
            if waiting <= 0 || confirmed >= i64::from(capacity) {
                return Ok(promoted);
            }
            let first = self
                .query_partition(partition.clone(), "SIGNUP#")
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
                    key(partition.clone(), &format!("SIGNUP#{}", next.email)),
                    "SET #state = :confirmed",
                    Some("#state = :waiting"),
                    HashMap::from([
                        (":confirmed".to_owned(), s("confirmed")),
                        (":waiting".to_owned(), s("waitlisted")),
                    ]),
                )?,
                self.update(
                    key(partition.clone(), "COUNTER"),
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

    async fn cancel_signup(
        &self,
        event: &str,
        email: &str,
    ) -> Result<Option<Cancellation>, StoreError> {
        let partition = format!("EVENT#{event}");
        for attempt in 0..ATTEMPTS {
            let signups: Vec<Signup> = self
                .query_partition(partition.clone(), "SIGNUP#")
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
            let mut items = vec![self.delete_signup(
                key(partition.clone(), &format!("SIGNUP#{email}")),
                cancelled.state,
            )?];
            let mut promoted = None;
            let counter = key(partition.clone(), "COUNTER");
            match (cancelled.state, first_waiting) {
                (SeatState::Confirmed, Some(mut next)) => {
                    items.push(self.update(
                        key(partition.clone(), &format!("SIGNUP#{}", next.email)),
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

    async fn signups(&self, event: &str) -> Result<Vec<Signup>, StoreError> {
        let mut signups: Vec<Signup> = self
            .query_partition(format!("EVENT#{event}"), "SIGNUP#")
            .await?
            .iter()
            .map(signup_from)
            .collect::<Result<_, _>>()?;
        signups.sort_by_key(|s| s.sequence);
        Ok(signups)
    }

    async fn member_email(&self, slug: &str) -> Result<Option<String>, StoreError> {
        let item = self.get(key(format!("MEMBER#{slug}"), "EMAIL")).await?;
        Ok(item
            .and_then(|item| item.get("email").and_then(|v| v.as_s().ok()).cloned())
            .filter(|email| !email.is_empty()))
    }

    async fn member_by_email(&self, email: &str) -> Result<Option<String>, StoreError> {
        if email.is_empty() {
            return Ok(None);
        }
        let item = self.get(key(format!("EMAILOF#{email}"), "MEMBER")).await?;
        Ok(item.and_then(|item| item.get("slug").and_then(|v| v.as_s().ok()).cloned()))
    }

    async fn queue_mail(
        &self,
        id: &str,
        message: &crate::message::Message,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(message).map_err(unavailable)?;
        // One partition, sorted by queue time: the queue is short and rarely used.
        let mut item = key(
            "MAILQ".into(),
            &format!("MAIL#{:020}#{id}", at.as_nanosecond()),
        );
        item.insert("id".into(), s(id));
        item.insert("message".into(), s(text));
        self.put_plain(item).await
    }

    async fn queued_mail(
        &self,
        limit: usize,
    ) -> Result<Vec<(String, crate::message::Message)>, StoreError> {
        let items = self.query_partition("MAILQ".into(), "MAIL#").await?;
        items
            .iter()
            .take(limit)
            .map(|item| {
                let r = ItemReader {
                    item,
                    what: "queued mail",
                };
                let message = serde_json::from_str(&r.s("message")?)
                    .map_err(|_| r.corrupt("message", "is not a queued message"))?;
                Ok((r.s("SK")?, message))
            })
            .collect()
    }

    async fn unqueue_mail(&self, id: &str) -> Result<bool, StoreError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key("MAILQ".into(), id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(output.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn hold_signup(
        &self,
        id: &str,
        signup: &NewSignup,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut item = key(format!("HELD#{id}"), "HELD");
        item.insert("event".into(), s(&signup.event));
        item.insert("email".into(), s(&signup.email));
        item.insert("name".into(), s(&signup.name));
        item.insert("at".into(), s(signup.at.to_string()));
        // DynamoDB deletes it after its link lapses.
        item.insert("ttl".into(), n(expires_at.as_second()));
        if let Some(message) = &signup.message {
            item.insert("message".into(), s(message));
        }
        self.put_plain(item).await
    }

    async fn signup(&self, event: &str, email: &str) -> Result<Option<Signup>, StoreError> {
        self.get(key(format!("EVENT#{event}"), &format!("SIGNUP#{email}")))
            .await?
            .map(|item| signup_from(&item))
            .transpose()
    }

    async fn signups_of(&self, email: &str) -> Result<Vec<Signup>, StoreError> {
        Ok(self
            .person_items(email)
            .await?
            .iter()
            .filter(|item| {
                item.get("PK")
                    .and_then(|v| v.as_s().ok())
                    .is_some_and(|pk| pk.starts_with("EVENT#"))
            })
            .map(signup_from)
            .collect::<Result<Vec<_>, _>>()?)
    }

    async fn forget_submissions(
        &self,
        email: &str,
        slug: &str,
        keep: &str,
    ) -> Result<usize, StoreError> {
        // By key, never by scanning: the person's own items (by address), and the profile
        // submissions of the member, which are the published address's and the one the
        // slug's reservation names. An erased (empty) address is nobody's.
        let mut addresses = vec![email.to_owned()];
        if let Some(published) = self.member_email(slug).await? {
            addresses.push(published);
        }
        let mut items = Vec::new();
        for address in addresses.iter().filter(|a| !a.is_empty()) {
            items.extend(
                self.person_items(address)
                    .await?
                    .into_iter()
                    .filter(|item| {
                        item.get("PK")
                            .and_then(|v| v.as_s().ok())
                            .is_some_and(|pk| pk.starts_with("SUB#"))
                            && (item.get("email").and_then(|v| v.as_s().ok())
                                == Some(&email.to_owned())
                                || item
                                    .get("kind")
                                    .and_then(|v| v.as_s().ok())
                                    .map(String::as_str)
                                    == Some("profile")
                                    && item
                                        .get("slug")
                                        .and_then(|v| v.as_s().ok())
                                        .map(String::as_str)
                                        == Some(slug))
                    }),
            );
        }
        if let Some(reservation) = self.get(key(format!("SLUG#{slug}"), "SLUG")).await?
            && let Some(id) = reservation.get("submission").and_then(|v| v.as_s().ok())
            && let Some(held) = self.get(key(format!("SUB#{id}"), "SUB")).await?
        {
            items.push(held);
        }
        items.sort_by(|a, b| {
            let pk = |i: &Item| i.get("PK").and_then(|v| v.as_s().ok()).cloned();
            pk(a).cmp(&pk(b))
        });
        items.dedup_by(|a, b| a.get("PK") == b.get("PK"));
        let mut deleted = 0;
        for item in &items {
            let submission = submission_from(item)?;
            addresses.push(submission.email.clone());
            if submission.id == keep {
                continue;
            }
            self.delete_key(key(format!("SUB#{}", submission.id), "SUB"))
                .await?;
            deleted += 1;
        }
        // The lookups of a published member: by slug, and by every address it was known by.
        self.delete_key(key(format!("MEMBER#{slug}"), "EMAIL"))
            .await?;
        addresses.retain(|a| !a.is_empty());
        addresses.sort();
        addresses.dedup();
        for address in addresses {
            // Only what points at this member: an address may also be another profile's.
            let lookup = key(format!("EMAILOF#{address}"), "MEMBER");
            let points_here = (self.get(lookup.clone()).await?).is_some_and(|item| {
                item.get("slug").and_then(|v| v.as_s().ok()) == Some(&slug.to_owned())
            });
            if points_here || address == email {
                self.delete_key(lookup).await?;
            }
        }
        // The slug's reservation named a deleted submission.
        self.delete_key(key(format!("SLUG#{slug}"), "SLUG")).await?;
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("SUB#{keep}"), "SUB")))
            .update_expression(
                "SET email = :erased, ip_hash = :erased, #fields = :none REMOVE photo, person",
            )
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#fields", "fields")
            .expression_attribute_values(":erased", s(""))
            .expression_attribute_values(":none", s("{}"))
            .send()
            .await
            .map_err(sdk)?;
        Ok(deleted)
    }

    async fn use_once(
        &self,
        key_name: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        // Written only if absent, or present but past its expiry (DynamoDB deletes expired
        // items late, so the condition reads the expiry too).
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some({
                let mut item = key(format!("ONCE#{key_name}"), "0");
                item.insert("ttl".into(), n(expires_at.as_second()));
                item
            }))
            .condition_expression("attribute_not_exists(PK) OR #ttl <= :now")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":now", n(now.as_second()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(error) => Err(sdk(error)),
        }
    }

    async fn allow(
        &self,
        key_name: &str,
        limit: u32,
        window_seconds: i64,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let now = now.as_second();
        let window_start = now - now.rem_euclid(window_seconds.max(1));
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                format!("RATE#{key_name}"),
                &window_start.to_string(),
            )))
            .update_expression("ADD #count :one SET #ttl = :expires")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":expires", n(window_start + window_seconds))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk)?;
        let count = output.attributes.as_ref().map_or(0, |a| get_n(a, "count"));
        Ok(count <= i64::from(limit))
    }
}

/// A client for a DynamoDB-protocol endpoint such as a local moto server (tests, local runs).
pub fn local_client(endpoint: &str) -> Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("local", "local", None, None, "local"))
        .build();
    Client::from_conf(config)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// A store on its own new table of the DynamoDB-protocol server that `scripts/test`
    /// starts (moto, on 127.0.0.1); its address is in `PORTAL_TEST_AWS_ENDPOINT`.
    async fn fresh() -> ((), Arc<dyn Store>) {
        let endpoint = std::env::var("PORTAL_TEST_AWS_ENDPOINT").expect(
            "PORTAL_TEST_AWS_ENDPOINT is not set: run scripts/test, which starts a local AWS-protocol server (moto)",
        );
        let table = format!("portal-test-{}", crate::tokens::random_id());
        let store = DynamoStore::new(local_client(&endpoint), table);
        store
            .ensure_table()
            .await
            .expect("the test table is created");
        ((), Arc::new(store))
    }

    crate::store_suite!(fresh().await);

    /// The step that was open to a race: a sign-up that found the event full joins the
    /// waitlist only if the event is still full when it writes.
    #[tokio::test]
    async fn joining_the_waitlist_fails_once_a_seat_was_freed() {
        let endpoint = std::env::var("PORTAL_TEST_AWS_ENDPOINT").expect("PORTAL_TEST_AWS_ENDPOINT");
        let store = DynamoStore::new(
            local_client(&endpoint),
            format!("portal-test-{}", crate::tokens::random_id()),
        );
        store.ensure_table().await.unwrap();
        let at: Timestamp = "2026-11-25T03:00:00Z".parse().unwrap();
        let person = |email: &str| NewSignup {
            event: "race".into(),
            email: email.into(),
            name: "x".into(),
            message: None,
            at,
        };
        store.sign_up(person("a@example.jp"), 1).await.unwrap();
        // B found the event full; before B writes, A cancels and frees the seat.
        store
            .cancel_signup("race", "a@example.jp")
            .await
            .unwrap()
            .unwrap();
        let b = Signup {
            event: "race".into(),
            email: "b@example.jp".into(),
            name: "x".into(),
            message: None,
            state: SeatState::Waitlisted,
            sequence: 2,
            created_at: at,
        };
        let refused = store
            .join_waitlist("EVENT#race", &b, 1, None)
            .await
            .unwrap();
        assert_eq!(
            refused.map(|f| f[0]),
            Some(true),
            "the count condition refuses it"
        );
        assert!(store.signups("race").await.unwrap().is_empty());
        // And sign_up as a whole takes the freed seat.
        let outcome = store.sign_up(person("b@example.jp"), 1).await.unwrap();
        assert!(
            matches!(outcome, SignupOutcome::Confirmed(_)),
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn an_item_this_code_did_not_write_is_corrupt_not_empty() {
        let endpoint = std::env::var("PORTAL_TEST_AWS_ENDPOINT").expect("PORTAL_TEST_AWS_ENDPOINT");
        let table = format!("portal-test-{}", crate::tokens::random_id());
        let store = DynamoStore::new(local_client(&endpoint), table.clone());
        store.ensure_table().await.unwrap();
        // A submission item without an address or times, and one with an unknown status.
        let mut item = key("SUB#bare".into(), "SUB");
        item.insert("id".into(), s("bare"));
        item.insert("kind".into(), s("profile"));
        item.insert("slug".into(), s("x"));
        item.insert("fields".into(), s("{}"));
        item.insert("status".into(), s("pending"));
        store
            .client
            .put_item()
            .table_name(&table)
            .set_item(Some(item.clone()))
            .send()
            .await
            .unwrap();
        let error = store.submission("bare").await.unwrap_err();
        assert!(
            matches!(&error, StoreError::Corrupt(m) if m.contains("email")),
            "{error}"
        );
        item.insert("email".into(), s("x@example.org"));
        item.insert("ip_hash".into(), s("h"));
        item.insert("created_at".into(), s("2026-11-25T03:00:00Z"));
        item.insert("updated_at".into(), s("2026-11-25T03:00:00Z"));
        item.insert("status".into(), s("approvedd"));
        store
            .client
            .put_item()
            .table_name(&table)
            .set_item(Some(item))
            .send()
            .await
            .unwrap();
        let error = store.submission("bare").await.unwrap_err();
        assert!(
            matches!(&error, StoreError::Corrupt(m) if m.contains("status")),
            "{error}"
        );
        assert!(
            !error.to_string().contains("x@example.org"),
            "no value in the message"
        );
    }
}
