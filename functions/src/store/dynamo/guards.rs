//! DynamoDB: one-time values and rate-limit windows.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use jiff::Timestamp;

use super::items::*;
use super::keys;
use super::{DynamoStore, sdk};
use crate::store::{Guards, StoreError};

#[async_trait]
impl Guards for DynamoStore {
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
                let mut item = keys::once(key_name);
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
            .set_key(Some(keys::rate_window(key_name, window_start)))
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
