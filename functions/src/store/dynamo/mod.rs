//! The production store: one DynamoDB table with typed keys.
//!
//! Every item kind and its key are listed in `keys.rs`, which builds every key.
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

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, Delete, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    Projection, ProjectionType, Put, ScalarAttributeType, TimeToLiveSpecification,
    TransactWriteItem, Update,
};
use jiff::Timestamp;

use super::{SeatState, StoreError};

mod guards;
mod introductions;
mod items;
mod keys;
mod mail_queue;
mod seats;
mod submissions;

use items::*;

const QUEUE_INDEX: &str = "GSI1";
/// Everything held about one address (its submissions and event sign-ups), by the `person`
/// attribute, which only items with an address carry: a removal finds a person's data by
/// key, never by scanning the table.
const PERSON_INDEX: &str = "PERSON";
/// How often a contended sign-up or cancellation is tried before giving up (503).
const ATTEMPTS: u32 = 60;

/// For a cancelled transaction, which of its items failed their condition (a cancellation for
/// a conflict with another transaction shows as `false` everywhere, and is worth a retry too).
pub(super) fn cancelled_by_condition<R: std::fmt::Debug>(
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

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
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
            .set_key(Some(keys::held(id)))
            .condition_expression("attribute_exists(PK) AND #ttl > :now AND #event = :event")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_names("#event", "event")
            .expression_attribute_values(":now", n(now.as_second()))
            .expression_attribute_values(":event", s(event))
            .build()
            .map_err(unavailable)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
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
    use crate::store::{NewRegistration, Registration, RegistrationOutcome, Store};
    use crate::store::{Seats, Submissions};

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
        let person = |email: &str| NewRegistration {
            listing: None,
            event: "race".into(),
            email: email.into(),
            name: "x".into(),
            message: None,
            at,
        };
        store.register(person("a@example.jp"), 1).await.unwrap();
        // B found the event full; before B writes, A cancels and frees the seat.
        store
            .cancel_registration("race", "a@example.jp")
            .await
            .unwrap()
            .unwrap();
        let b = Registration {
            listing: None,
            event: "race".into(),
            email: "b@example.jp".into(),
            name: "x".into(),
            message: None,
            state: SeatState::Waitlisted,
            sequence: 2,
            created_at: at,
        };
        let refused = store.join_waitlist(&b, 1, None).await.unwrap();
        assert_eq!(
            refused.map(|f| f[0]),
            Some(true),
            "the count condition refuses it"
        );
        assert!(store.registrations("race").await.unwrap().is_empty());
        // And register as a whole takes the freed seat.
        let outcome = store.register(person("b@example.jp"), 1).await.unwrap();
        assert!(
            matches!(outcome, RegistrationOutcome::Confirmed(_)),
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
        let mut item = keys::submission("bare");
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
