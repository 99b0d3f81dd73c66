//! DynamoDB items: how a submission and a sign-up are written as attributes and read back
//! strictly (a missing or mistyped attribute is `StoreError::Corrupt`, never a default).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

use super::keys;
use crate::store::{
    Cursor, Listing, Registration, SeatState, Status, StoreError, Submission, SubmissionKind,
};

pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn get_n(item: &Item, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Sort key of the queues: creation time padded to sort as text, then the id.
pub(super) fn queue_sort_key(submission: &Submission) -> String {
    Cursor::of(submission).as_str().to_owned()
}

pub(super) fn submission_item(s_: &Submission) -> Item {
    let mut item = keys::submission(&s_.id);
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
        item.insert("GSI1PK".into(), s(keys::queue(s_.status)));
        item.insert("GSI1SK".into(), s(queue_sort_key(s_)));
    }
    item
}

/// Reads the attributes of one stored item strictly: a missing required attribute, a value
/// of the wrong type or an unknown enum value is `StoreError::Corrupt`, never a default.
pub(super) struct ItemReader<'i> {
    pub(super) item: &'i Item,
    pub(super) what: &'static str,
}

impl ItemReader<'_> {
    pub(super) fn corrupt(&self, name: &str, problem: &str) -> StoreError {
        // Names the attribute, never its value (which may be personal data).
        StoreError::Corrupt(format!("{} item: `{name}` {problem}", self.what))
    }

    pub(super) fn opt_s(&self, name: &str) -> Result<Option<String>, StoreError> {
        match self.item.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_s()
                .map(|text| Some(text.clone()))
                .map_err(|_| self.corrupt(name, "is not a string")),
        }
    }

    pub(super) fn s(&self, name: &str) -> Result<String, StoreError> {
        self.opt_s(name)?
            .ok_or_else(|| self.corrupt(name, "is missing"))
    }

    pub(super) fn opt_time(&self, name: &str) -> Result<Option<Timestamp>, StoreError> {
        self.opt_s(name)?
            .map(|text| {
                text.parse()
                    .map_err(|_| self.corrupt(name, "is not a time"))
            })
            .transpose()
    }

    pub(super) fn time(&self, name: &str) -> Result<Timestamp, StoreError> {
        self.opt_time(name)?
            .ok_or_else(|| self.corrupt(name, "is missing"))
    }

    pub(super) fn opt_n(&self, name: &str) -> Result<Option<i64>, StoreError> {
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

    pub(super) fn n(&self, name: &str) -> Result<i64, StoreError> {
        self.opt_n(name)?
            .ok_or_else(|| self.corrupt(name, "is missing"))
    }
}

pub(super) fn submission_from(item: &Item) -> Result<Submission, StoreError> {
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

pub(super) fn signup_item(signup: &Registration) -> Item {
    let mut item = keys::seat(&signup.event, &signup.email);
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
    if let Some(listing) = listing_text(&signup.listing) {
        item.insert("listing".into(), s(listing));
    }
    item
}

/// The attendee-list entry, stored as JSON.
pub(super) fn listing_text(listing: &Option<Listing>) -> Option<String> {
    listing
        .as_ref()
        .and_then(|listing| serde_json::to_string(listing).ok())
}

pub(super) fn listing_of(r: &ItemReader<'_>) -> Result<Option<Listing>, StoreError> {
    r.opt_s("listing")?
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|_| r.corrupt("listing", "is not an attendee entry"))
        })
        .transpose()
}

pub(super) fn signup_from(item: &Item) -> Result<Registration, StoreError> {
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
    Ok(Registration {
        event: r.s("event")?,
        email: r.s("email")?,
        name: r.s("name")?,
        message: r.opt_s("message")?,
        listing: listing_of(&r)?,
        state,
        sequence: u64::try_from(sequence).map_err(|_| r.corrupt("sequence", "is negative"))?,
        created_at: r.time("created_at")?,
    })
}
