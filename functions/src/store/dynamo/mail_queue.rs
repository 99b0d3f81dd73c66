//! DynamoDB: mail that waits to be sent.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use jiff::Timestamp;

use super::items::*;
use super::keys;
use super::{DynamoStore, sdk, unavailable};
use crate::store::{MailQueue, StoreError};

#[async_trait]
impl MailQueue for DynamoStore {
    async fn queue_mail(
        &self,
        id: &str,
        message: &crate::message::Message,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(message).map_err(unavailable)?;
        // One partition, sorted by queue time: the queue is short and rarely used.
        let mut item = keys::queued_mail(id, at);
        item.insert("id".into(), s(id));
        item.insert("message".into(), s(text));
        self.put_plain(item).await
    }

    async fn queued_mail(
        &self,
        limit: usize,
    ) -> Result<Vec<(String, crate::message::Message)>, StoreError> {
        let items = self
            .query_partition(keys::MAIL_PARTITION.into(), keys::MAIL_PREFIX)
            .await?;
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
            .set_key(Some(keys::queued_mail_by_sort_key(id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(output.attributes.is_some_and(|a| !a.is_empty()))
    }
}
