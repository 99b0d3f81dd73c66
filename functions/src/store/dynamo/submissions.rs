//! DynamoDB: submissions from creation to export, and what is kept of a published member.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::TransactWriteItem;
use aws_sdk_dynamodb::types::{Put, Update};
use jiff::Timestamp;

use super::items::*;
use super::keys;
use super::{DynamoStore, QUEUE_INDEX, sdk, unavailable};
use crate::store::{
    Cursor, Status, StoreError, Submission, SubmissionKind, SubmissionPage, Submissions,
};

impl DynamoStore {
    /// Changes a submission's status in one transaction with what its slug needs.
    pub(super) async fn transition(
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
            (":queue".to_owned(), s(keys::queue(to))),
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
                    + crate::store::REJECTED_KEPT_SECONDS
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
            .set_key(Some(keys::submission(&submission.id)))
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
            items.push(self.delete(keys::slug(&submission.slug))?);
        }
        // A published profile: its address by slug and its slug by address, so that edit
        // links and announcements look them up by key rather than scanning the table.
        if submission.kind == SubmissionKind::Profile
            && to == Status::Exported
            && !submission.email.is_empty()
        {
            let mut by_slug = keys::member_email(&submission.slug);
            by_slug.insert("email".into(), s(&submission.email));
            items.push(self.put(by_slug, None)?);
            let mut by_email = keys::email_of(&submission.email);
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
impl Submissions for DynamoStore {
    async fn create_submission(&self, submission: &Submission) -> Result<(), StoreError> {
        let mut items = vec![self.put(
            submission_item(submission),
            Some("attribute_not_exists(PK)"),
        )?];
        let holds_slug = submission.kind == SubmissionKind::Profile
            && matches!(submission.status, Status::Pending | Status::Approved);
        if holds_slug {
            let mut slug = keys::slug(&submission.slug);
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
        self.get(keys::submission(id))
            .await?
            .map(|item| submission_from(&item))
            .transpose()
    }

    async fn slug_reserved(&self, slug: &str, now: Timestamp) -> Result<bool, StoreError> {
        // DynamoDB deletes expired items late: the expiry is checked on read too.
        let item = self.get(keys::slug(slug)).await?;
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
            .set_key(Some(keys::submission(id)))
            .update_expression("SET confirmed_at = if_not_exists(confirmed_at, :at), updated_at = :at, GSI1PK = :queue, GSI1SK = :sort, ip_hash = :erased REMOVE #ttl")
            .condition_expression(
                "attribute_exists(PK) AND #status = :pending AND (attribute_exists(confirmed_at) OR attribute_not_exists(#ttl) OR #ttl > :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":at", s(at.to_string()))
            .expression_attribute_values(":now", n(at.as_second()))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":queue", s(keys::queue(Status::Pending)))
            .expression_attribute_values(":sort", s(queue_sort_key(&submission)))
            // The IP hash has served its purpose once the address is confirmed.
            .expression_attribute_values(":erased", s(""))
            .build()
            .map_err(unavailable)?;
        let mut items = vec![TransactWriteItem::builder().update(confirm).build()];
        if submission.kind == SubmissionKind::Profile {
            let keep_slug = Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::slug(&submission.slug)))
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
            .expression_attribute_values(":queue", s(keys::queue(status)));
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
        let queue = keys::queue(status);
        // One more than the page, to know whether another follows.
        let wanted = i32::try_from(limit + 1).unwrap_or(i32::MAX);
        let start = cursor.map(|c| {
            let mut start = keys::submission(c.id());
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
                            .is_some_and(|pk| pk.starts_with(keys::SUBMISSION_PREFIX))
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
        if let Some(reservation) = self.get(keys::slug(slug)).await?
            && let Some(id) = reservation.get("submission").and_then(|v| v.as_s().ok())
            && let Some(held) = self.get(keys::submission(id)).await?
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
            self.delete_key(keys::submission(&submission.id)).await?;
            deleted += 1;
        }
        // The lookups of a published member: by slug, and by every address it was known by.
        self.delete_key(keys::member_email(slug)).await?;
        addresses.retain(|a| !a.is_empty());
        addresses.sort();
        addresses.dedup();
        for address in addresses {
            // Only what points at this member: an address may also be another profile's.
            let lookup = keys::email_of(&address);
            let points_here = (self.get(lookup.clone()).await?).is_some_and(|item| {
                item.get("slug").and_then(|v| v.as_s().ok()) == Some(&slug.to_owned())
            });
            if points_here || address == email {
                self.delete_key(lookup).await?;
            }
        }
        // The slug's reservation named a deleted submission.
        self.delete_key(keys::slug(slug)).await?;
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::submission(keep)))
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

    async fn member_by_email(&self, email: &str) -> Result<Option<String>, StoreError> {
        if email.is_empty() {
            return Ok(None);
        }
        let item = self.get(keys::email_of(email)).await?;
        Ok(item.and_then(|item| item.get("slug").and_then(|v| v.as_s().ok()).cloned()))
    }

    async fn member_email(&self, slug: &str) -> Result<Option<String>, StoreError> {
        let item = self.get(keys::member_email(slug)).await?;
        Ok(item
            .and_then(|item| item.get("email").and_then(|v| v.as_s().ok()).cloned())
            .filter(|email| !email.is_empty()))
    }
}
