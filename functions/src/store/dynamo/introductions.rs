//! DynamoDB: introduction requests. Every change reads the request, applies the rule both
//! stores share (`Introduction::apply`, `close`, `reportable`) and writes it back only while
//! its `version` is the one read, else reads again: exactly one caller changes it. Sending
//! reads the requester's ledger (their requests of the last 14 days and whether they are
//! suspended) and writes it back the same way in the same transaction, so the open, weekly
//! and pair rules hold under concurrent requests.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::items::*;
use super::keys;
use super::{ATTEMPTS, DynamoStore, QUEUE_INDEX, unavailable};
use crate::store::introduction::after;
use crate::store::{
    Answer, Introduction, IntroductionRules, IntroductionState, Introductions, SendOutcome,
    StoreError, WEEK_SECONDS,
};

/// What the ledger keeps of one sent request.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sent {
    id: String,
    to: String,
    /// Nanoseconds since 1970.
    sent: i64,
    until: i64,
    /// Not yet accepted (an accepted request frees its place at once).
    open: bool,
}

#[derive(Debug, Default)]
struct Ledger {
    version: i64,
    sent: Vec<Sent>,
}

/// An index item (of a member's requests) outlives any request it names.
const INDEX_KEPT_SECONDS: i64 = 90 * 86_400;

fn ns(time: Timestamp) -> i64 {
    i64::try_from(time.as_nanosecond()).unwrap_or(i64::MAX)
}

fn text(time: Option<Timestamp>) -> Option<String> {
    time.map(|t| t.to_string())
}

fn introduction_item(i: &Introduction, version: i64) -> Item {
    let mut item = keys::introduction(&i.id);
    item.insert("id".into(), s(&i.id));
    item.insert("requester".into(), s(&i.requester));
    item.insert("requester_key".into(), s(&i.requester_key));
    item.insert("recipient".into(), s(&i.recipient));
    item.insert("note".into(), s(&i.note));
    item.insert("state".into(), s(i.state.as_str()));
    item.insert("created_at".into(), s(i.created_at.to_string()));
    item.insert("hold_until".into(), s(i.hold_until.to_string()));
    item.insert(
        "blocked".into(),
        aws_sdk_dynamodb::types::AttributeValue::Bool(i.blocked),
    );
    item.insert("version".into(), n(version));
    // DynamoDB deletes it within days after this; reads check the time themselves.
    item.insert("ttl".into(), n(i.delete_at().as_second() + 1));
    for (name, value) in [
        ("sent_at", text(i.sent_at)),
        ("open_until", text(i.open_until)),
        ("answered_at", text(i.answered_at)),
        ("ended_at", text(i.ended_at)),
        ("report", i.report.clone()),
        ("reported_at", text(i.reported_at)),
    ] {
        if let Some(value) = value {
            item.insert(name.into(), s(value));
        }
    }
    if let Some(reported) = i.reported_at {
        item.insert("GSI1PK".into(), s(keys::REPORTED_INTRODUCTIONS));
        item.insert(
            "GSI1SK".into(),
            s(format!("{:020}#{}", reported.as_nanosecond(), i.id)),
        );
    }
    item
}

fn introduction_from(item: &Item) -> Result<(Introduction, i64), StoreError> {
    let r = ItemReader {
        item,
        what: "introduction",
    };
    let state = r.s("state")?;
    let blocked = match item.get("blocked") {
        Some(value) => *value
            .as_bool()
            .map_err(|_| r.corrupt("blocked", "is not a boolean"))?,
        None => return Err(r.corrupt("blocked", "is missing")),
    };
    let introduction = Introduction {
        id: r.s("id")?,
        requester: r.s("requester")?,
        requester_key: r.s("requester_key")?,
        recipient: r.s("recipient")?,
        note: r.s("note")?,
        state: IntroductionState::parse(&state).ok_or_else(|| r.corrupt("state", "is unknown"))?,
        created_at: r.time("created_at")?,
        hold_until: r.time("hold_until")?,
        sent_at: r.opt_time("sent_at")?,
        open_until: r.opt_time("open_until")?,
        answered_at: r.opt_time("answered_at")?,
        ended_at: r.opt_time("ended_at")?,
        blocked,
        report: r.opt_s("report")?,
        reported_at: r.opt_time("reported_at")?,
    };
    Ok((introduction, r.n("version")?))
}

impl DynamoStore {
    /// Every item of partition `pk` of the queue index, in sort-key order (or reversed).
    async fn index_partition(&self, pk: &str, forward: bool) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(QUEUE_INDEX)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(pk))
            .scan_index_forward(forward);
        self.query_all(query).await
    }

    /// A put that holds only while the item's `version` is `read` (0: while it is absent).
    fn put_versioned(&self, item: Item, read: i64) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder().table_name(&self.table).set_item(Some(item));
        let put = if read == 0 {
            put.condition_expression("attribute_not_exists(PK)")
        } else {
            put.condition_expression("#version = :version")
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":version", n(read))
        };
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(unavailable)?)
            .build())
    }

    async fn stored_introduction(
        &self,
        id: &str,
    ) -> Result<Option<(Introduction, i64)>, StoreError> {
        self.get(keys::introduction(id))
            .await?
            .map(|item| introduction_from(&item))
            .transpose()
    }

    async fn kept_introduction(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<(Introduction, i64)>, StoreError> {
        Ok(self
            .stored_introduction(id)
            .await?
            .filter(|(i, _)| i.kept_at(now)))
    }

    async fn ledger(&self, requester: &str) -> Result<Ledger, StoreError> {
        let Some(item) = self.get(keys::introduction_ledger(requester)).await? else {
            return Ok(Ledger::default());
        };
        let r = ItemReader {
            item: &item,
            what: "introduction ledger",
        };
        let sent = serde_json::from_str(&r.s("sent")?)
            .map_err(|_| r.corrupt("sent", "is not a list of sent requests"))?;
        Ok(Ledger {
            version: r.n("version")?,
            sent,
        })
    }

    fn put_ledger(
        &self,
        requester: &str,
        ledger: &Ledger,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = keys::introduction_ledger(requester);
        item.insert(
            "sent".into(),
            s(serde_json::to_string(&ledger.sent).map_err(unavailable)?),
        );
        item.insert("version".into(), n(ledger.version + 1));
        self.put_versioned(item, ledger.version)
    }

    /// Reads request `id`, lets `change` change it (`false`: it does not apply, `None`),
    /// and writes it with the items `extra` adds, while nobody else changed it in between.
    async fn change_introduction(
        &self,
        id: &str,
        now: Timestamp,
        change: impl Fn(&mut Introduction) -> bool,
        extra: impl AsyncExtra,
    ) -> Result<Option<Introduction>, StoreError> {
        for attempt in 0..ATTEMPTS {
            let Some((mut request, version)) = self.kept_introduction(id, now).await? else {
                return Ok(None);
            };
            let before = request.clone();
            if !change(&mut request) {
                return Ok(None);
            }
            let mut items =
                vec![self.put_versioned(introduction_item(&request, version + 1), version)?];
            items.extend(extra.items(self, &before, &request).await?);
            match self.transact(items).await? {
                None => return Ok(Some(request)),
                Some(_) => super::seats::backoff(attempt).await,
            }
        }
        Err(StoreError::Unavailable(
            "an introduction request is contended; try again".into(),
        ))
    }
}

/// The items a change writes besides the request itself (read fresh on every attempt).
#[async_trait]
trait AsyncExtra: Send + Sync {
    async fn items(
        &self,
        store: &DynamoStore,
        before: &Introduction,
        after: &Introduction,
    ) -> Result<Vec<TransactWriteItem>, StoreError>;
}

/// Nothing besides the request.
struct NoExtra;

#[async_trait]
impl AsyncExtra for NoExtra {
    async fn items(
        &self,
        _: &DynamoStore,
        _: &Introduction,
        _: &Introduction,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        Ok(Vec::new())
    }
}

/// What an answer writes besides the request: the requester's ledger and the closing time
/// for an acceptance, the block for a block.
struct AnswerExtra(Answer);

#[async_trait]
impl AsyncExtra for AnswerExtra {
    async fn items(
        &self,
        store: &DynamoStore,
        before: &Introduction,
        after: &Introduction,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        Ok(match self.0 {
            Answer::Accept => {
                let mut ledger = store.ledger(&after.requester_key).await?;
                for sent in &mut ledger.sent {
                    if sent.id == after.id {
                        sent.open = false;
                    }
                }
                let mut items = vec![store.put_ledger(&after.requester_key, &ledger)?];
                if let Some(until) = before.open_until {
                    items.push(store.delete(keys::introduction_due(until, &after.id))?);
                }
                items
            }
            Answer::Block => {
                let mut block = keys::block(&after.recipient, &after.requester);
                block.insert("requester".into(), s(&after.requester));
                block.insert("requester_key".into(), s(&after.requester_key));
                vec![
                    store.put(block, None)?,
                    store.put(
                        keys::block_by_mailbox(&after.recipient, &after.requester_key),
                        None,
                    )?,
                    store.put(
                        keys::introduction_of_block(&after.requester, &after.recipient),
                        None,
                    )?,
                ]
            }
            Answer::Unblock => vec![
                store.delete(keys::block(&after.recipient, &after.requester))?,
                store.delete(keys::block_by_mailbox(
                    &after.recipient,
                    &after.requester_key,
                ))?,
                store.delete(keys::introduction_of_block(
                    &after.requester,
                    &after.recipient,
                ))?,
            ],
            Answer::Decline => Vec::new(),
        })
    }
}

/// Closing deletes the closing time.
struct CloseExtra;

#[async_trait]
impl AsyncExtra for CloseExtra {
    async fn items(
        &self,
        store: &DynamoStore,
        before: &Introduction,
        after: &Introduction,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        Ok(match before.open_until {
            Some(until) => vec![store.delete(keys::introduction_due(until, &after.id))?],
            None => Vec::new(),
        })
    }
}

#[async_trait]
impl Introductions for DynamoStore {
    async fn hold_introduction(&self, introduction: &Introduction) -> Result<(), StoreError> {
        let index = |slug: &str| {
            let mut item = keys::introduction_of_request(slug, &introduction.id);
            item.insert(
                "ttl".into(),
                n(after(introduction.hold_until, INDEX_KEPT_SECONDS).as_second()),
            );
            item
        };
        let items = vec![
            self.put(
                introduction_item(introduction, 1),
                Some("attribute_not_exists(PK)"),
            )?,
            self.put(index(&introduction.requester), None)?,
            self.put(index(&introduction.recipient), None)?,
        ];
        match self.transact(items).await? {
            None => Ok(()),
            Some(_) => Err(StoreError::Unavailable(
                "an introduction with this id exists".into(),
            )),
        }
    }

    async fn introduction(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        Ok(self.kept_introduction(id, now).await?.map(|(i, _)| i))
    }

    async fn send_introduction(
        &self,
        id: &str,
        rules: IntroductionRules,
        now: Timestamp,
    ) -> Result<SendOutcome, StoreError> {
        let now_ns = ns(now);
        for attempt in 0..ATTEMPTS {
            let Some((mut request, version)) = self
                .kept_introduction(id, now)
                .await?
                .filter(|(i, _)| i.state == IntroductionState::Held && now < i.hold_until)
            else {
                return Ok(SendOutcome::NotHeld);
            };
            if self
                .get(keys::suspension(&request.requester))
                .await?
                .is_some()
            {
                return Ok(SendOutcome::Suspended);
            }
            let mut ledger = self.ledger(&request.requester_key).await?;
            let open: Vec<&Sent> = (ledger.sent.iter())
                .filter(|sent| sent.open && now_ns < sent.until)
                .collect();
            if open.iter().any(|sent| sent.to == request.recipient) {
                return Ok(SendOutcome::PairOpen);
            }
            if open.len() >= rules.open_per_requester as usize {
                return Ok(SendOutcome::TooManyOpen);
            }
            let week_start = ns(after(now, -WEEK_SECONDS));
            let this_week = (ledger.sent.iter())
                .filter(|sent| sent.sent > week_start)
                .count();
            if this_week >= rules.per_week as usize {
                return Ok(SendOutcome::TooManyThisWeek);
            }
            let blocked = self
                .get(keys::block(&request.recipient, &request.requester))
                .await?
                .is_some()
                || self
                    .get(keys::block_by_mailbox(
                        &request.recipient,
                        &request.requester_key,
                    ))
                    .await?
                    .is_some();
            request.state = if blocked {
                IntroductionState::Dropped
            } else {
                IntroductionState::Pending
            };
            let until = after(now, rules.open_seconds);
            request.sent_at = Some(now);
            request.open_until = Some(until);
            // The ledger keeps what the rules can still count.
            ledger
                .sent
                .retain(|sent| sent.sent > week_start || (sent.open && now_ns < sent.until));
            ledger.sent.push(Sent {
                id: request.id.clone(),
                to: request.recipient.clone(),
                sent: now_ns,
                until: ns(until),
                open: true,
            });
            let mut due = keys::introduction_due(until, &request.id);
            due.insert("id".into(), s(&request.id));
            due.insert(
                "ttl".into(),
                n(after(until, INDEX_KEPT_SECONDS).as_second()),
            );
            let items = vec![
                self.put_versioned(introduction_item(&request, version + 1), version)?,
                self.put_ledger(&request.requester_key, &ledger)?,
                self.put(due, None)?,
            ];
            match self.transact(items).await? {
                None if blocked => return Ok(SendOutcome::Dropped(request)),
                None => return Ok(SendOutcome::Sent(request)),
                Some(_) => super::seats::backoff(attempt).await,
            }
        }
        Err(StoreError::Unavailable(
            "introduction requests are contended; try again".into(),
        ))
    }

    async fn answer_introduction(
        &self,
        id: &str,
        answer: Answer,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        self.change_introduction(
            id,
            now,
            |request| request.apply(answer, now),
            AnswerExtra(answer),
        )
        .await
    }

    async fn report_introduction(
        &self,
        id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = self
            .change_introduction(
                id,
                now,
                |request| {
                    if !request.reportable() {
                        return false;
                    }
                    request.report = Some(reason.to_owned());
                    request.reported_at = Some(now);
                    true
                },
                NoExtra,
            )
            .await?;
        Ok(changed.is_some())
    }

    async fn reported_introductions(
        &self,
        limit: usize,
        now: Timestamp,
    ) -> Result<Vec<Introduction>, StoreError> {
        let mut reported = Vec::new();
        for item in self
            .index_partition(keys::REPORTED_INTRODUCTIONS, false)
            .await?
        {
            let (request, _) = introduction_from(&item)?;
            if request.kept_at(now) {
                reported.push(request);
            }
            if reported.len() == limit {
                break;
            }
        }
        Ok(reported)
    }

    async fn suspend_requester(
        &self,
        slug: &str,
        suspended: bool,
        _now: Timestamp,
    ) -> Result<(), StoreError> {
        if suspended {
            let mut item = keys::suspension(slug);
            item.insert("slug".into(), s(slug));
            item.insert("GSI1PK".into(), s(keys::SUSPENDED_REQUESTERS));
            item.insert("GSI1SK".into(), s(slug));
            self.put_plain(item).await
        } else {
            self.delete_key(keys::suspension(slug)).await
        }
    }

    async fn suspended_requesters(&self) -> Result<Vec<String>, StoreError> {
        (self
            .index_partition(keys::SUSPENDED_REQUESTERS, true)
            .await?
            .iter())
        .map(|item| {
            ItemReader {
                item,
                what: "introduction suspension",
            }
            .s("slug")
        })
        .collect()
    }

    async fn due_introductions(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Introduction>, StoreError> {
        // Every closing time up to `now`: sort keys below the next nanosecond's.
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK < :upto")
            .expression_attribute_values(":pk", s(keys::INTRODUCTION_DUE))
            .expression_attribute_values(":upto", s(format!("{:020}", now.as_nanosecond() + 1)))
            .consistent_read(true);
        let mut due = Vec::new();
        for item in self.query_all(query).await? {
            let id = ItemReader {
                item: &item,
                what: "introduction closing time",
            }
            .s("id")?;
            if let Some((request, _)) = self.kept_introduction(&id, now).await?
                && request.state.is_open()
            {
                due.push(request);
            }
            if due.len() == limit {
                break;
            }
        }
        Ok(due)
    }

    async fn close_introduction(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<Introduction>, StoreError> {
        self.change_introduction(id, now, |request| request.close(now), CloseExtra)
            .await
    }

    async fn blocked_requesters(&self, recipient: &str) -> Result<Vec<String>, StoreError> {
        let mut requesters: Vec<String> = (self
            .query_partition(keys::blocks_of(recipient), "FROM#")
            .await?
            .iter())
        .map(|item| {
            ItemReader {
                item,
                what: "introduction block",
            }
            .s("requester")
        })
        .collect::<Result<_, _>>()?;
        requesters.sort();
        Ok(requesters)
    }

    async fn lift_block(&self, recipient: &str, requester: &str) -> Result<bool, StoreError> {
        let block = self.get(keys::block(recipient, requester)).await?;
        let existed = block.is_some();
        if let Some(item) = &block {
            let requester_key = ItemReader {
                item,
                what: "introduction block",
            }
            .s("requester_key")?;
            self.delete_key(keys::block_by_mailbox(recipient, &requester_key))
                .await?;
        }
        self.delete_key(keys::block(recipient, requester)).await?;
        self.delete_key(keys::introduction_of_block(requester, recipient))
            .await?;
        // The requests it was made from no longer say so either (found by the recipient's
        // index of requests).
        for item in self
            .query_partition(
                keys::introductions_of(recipient),
                keys::INTRODUCTION_OF_REQUEST,
            )
            .await?
        {
            let sort_key = ItemReader {
                item: &item,
                what: "introduction index",
            }
            .s("SK")?;
            let Some(id) = sort_key.strip_prefix(keys::INTRODUCTION_OF_REQUEST) else {
                continue;
            };
            let Some((request, version)) = self.stored_introduction(id).await? else {
                continue;
            };
            if request.blocked && request.requester == requester && request.recipient == recipient {
                let mut lifted = request.clone();
                lifted.blocked = false;
                // A concurrent change wins; the block itself is gone either way.
                let _ =
                    self.transact(vec![
                        self.put_versioned(introduction_item(&lifted, version + 1), version)?,
                    ])
                    .await?;
            }
        }
        Ok(existed)
    }

    async fn forget_introductions(&self, slug: &str) -> Result<usize, StoreError> {
        let mut deleted = 0;
        // The ledgers of the mailboxes the member asked from.
        let mut ledgers: Vec<String> = Vec::new();
        let mut index = Vec::new();
        for prefix in [keys::INTRODUCTION_OF_REQUEST, keys::INTRODUCTION_OF_BLOCK] {
            index.extend(
                self.query_partition(keys::introductions_of(slug), prefix)
                    .await?,
            );
        }
        for item in index {
            let sort_key = ItemReader {
                item: &item,
                what: "introduction index",
            }
            .s("SK")?;
            if let Some(id) = sort_key.strip_prefix(keys::INTRODUCTION_OF_REQUEST) {
                if let Some((request, _)) = self.stored_introduction(id).await? {
                    self.delete_key(keys::introduction(id)).await?;
                    if let Some(until) = request.open_until {
                        self.delete_key(keys::introduction_due(until, id)).await?;
                    }
                    let other = if request.requester == slug {
                        ledgers.push(request.requester_key.clone());
                        &request.recipient
                    } else {
                        self.forget_in_ledger(&request.requester_key, id).await?;
                        &request.requester
                    };
                    self.delete_key(keys::introduction_of_request(other, id))
                        .await?;
                    deleted += 1;
                }
            } else if let Some(recipient) = sort_key.strip_prefix(keys::INTRODUCTION_OF_BLOCK) {
                if let Some(block) = self.get(keys::block(recipient, slug)).await? {
                    let requester_key = ItemReader {
                        item: &block,
                        what: "introduction block",
                    }
                    .s("requester_key")?;
                    self.delete_key(keys::block_by_mailbox(recipient, &requester_key))
                        .await?;
                }
                self.delete_key(keys::block(recipient, slug)).await?;
            }
            self.delete_key(item_key(&item)).await?;
        }
        for item in self.query_partition(keys::blocks_of(slug), "FROM#").await? {
            let requester = ItemReader {
                item: &item,
                what: "introduction block",
            }
            .s("requester")?;
            self.delete_key(keys::introduction_of_block(&requester, slug))
                .await?;
            self.delete_key(item_key(&item)).await?;
        }
        for item in self.query_partition(keys::blocks_of(slug), "KEY#").await? {
            self.delete_key(item_key(&item)).await?;
        }
        ledgers.sort();
        ledgers.dedup();
        for ledger in ledgers {
            self.delete_key(keys::introduction_ledger(&ledger)).await?;
        }
        self.delete_key(keys::suspension(slug)).await?;
        Ok(deleted)
    }
}

impl DynamoStore {
    /// Takes request `id` out of `requester`'s ledger (its recipient was forgotten).
    async fn forget_in_ledger(&self, requester: &str, id: &str) -> Result<(), StoreError> {
        for attempt in 0..ATTEMPTS {
            let mut ledger = self.ledger(requester).await?;
            if ledger.version == 0 || !ledger.sent.iter().any(|sent| sent.id == id) {
                return Ok(());
            }
            ledger.sent.retain(|sent| sent.id != id);
            match self
                .transact(vec![self.put_ledger(requester, &ledger)?])
                .await?
            {
                None => return Ok(()),
                Some(_) => super::seats::backoff(attempt).await,
            }
        }
        Err(StoreError::Unavailable(
            "a ledger is contended; try again".into(),
        ))
    }
}

/// The key of a stored item.
fn item_key(item: &Item) -> Item {
    item.iter()
        .filter(|(name, _)| name.as_str() == "PK" || name.as_str() == "SK")
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}
