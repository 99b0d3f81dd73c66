//! Events announced by members (or anyone): the form's fields checked by the model's event
//! rules (`model::event_form`), held until the announcer confirms their address, then
//! moderated like profiles; `portal export` writes the event file.

use jiff::Timestamp;
use model::event_form::check_event_in;
use model::profile::{FieldErrors, FormFields};

use crate::form::{Accepted, check_stamp, normalize, send_confirmation, spend_stamp};
use crate::limits::Action;
use crate::mail::MailError;
use crate::services::Services;
use crate::store::StoreError;
use crate::store::{Submission, SubmissionKind};
use crate::tokens::random_id;

/// Why an announcement was not taken.
#[derive(Debug, thiserror::Error)]
pub enum AnnounceError {
    #[error("some fields need fixing")]
    Invalid(FieldErrors),
    /// Looks automated: counted in logs, never stored; the sender sees the usual answer.
    #[error("rejected as spam: {0}")]
    Spam(&'static str),
    /// No valid stamp: the form is shown again, stamped, with what was written.
    #[error("the form carries no valid stamp")]
    Unstamped,
    #[error("too many announcements from this address; try again later")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

crate::form::stamp_refusal!(AnnounceError);

/// Checks, stores and mails the confirmation of an announced event; `client` is the
/// client's rate key. The same spam rules as the sign-up.
pub async fn submit_event(
    services: &Services,
    fields: &FormFields,
    client: &str,
) -> Result<Accepted, AnnounceError> {
    let now = services.clock.now();
    let fields = normalize(fields);
    let stamp_expires = check_stamp(services, &fields, now)?;
    let (event_fields, email, start, errors) = split_and_check(&fields, now);
    let (Some(start), true) = (start, errors.is_empty()) else {
        return Err(AnnounceError::Invalid(errors));
    };
    if crate::limits::check(services, Action::EventAnnouncement, client, Some(&email))
        .await?
        .is_err()
    {
        return Err(AnnounceError::RateLimited);
    }
    spend_stamp(services, &fields, stamp_expires, now).await?;
    let slug = free_slug(services, start);
    let id = random_id();
    let mut submission = Submission::pending(
        id.clone(),
        SubmissionKind::Event,
        slug,
        email,
        services.signer.hash_ip(client),
        now,
        services.config.confirm_valid_seconds,
    );
    submission.fields = event_fields;
    services.store.create_submission(&submission).await?;
    let title = submission.fields.get("title").cloned().unwrap_or_default();
    send_confirmation(
        services,
        &submission,
        &services.catalog().subject("イベント掲載の確認"),
        &match crate::mail::quoted(&title) {
            Some(title) => format!("「{title}」の掲載の依頼を受け付けました。"),
            None => "イベントの掲載の依頼を受け付けました。".to_owned(),
        },
        "確認のあと、運営が内容を確認してからイベントを掲載します。",
    )
    .await?;
    tracing::info!(event = "announcement_stored", slug = %submission.slug);
    Ok(Accepted {
        id,
        slug: submission.slug,
    })
}

/// The event's fields, the announcer's address, its start, and every problem: the event
/// rules, the address, the consent, and a start that is not in the future (by the store's
/// clock, so in Asia/Tokyo as the form reads it): the portal announces what people can still
/// attend.
fn split_and_check(
    fields: &FormFields,
    now: Timestamp,
) -> (FormFields, String, Option<Timestamp>, FieldErrors) {
    let (event, email, mut errors) = crate::form::split_contact(
        fields,
        "イベントの内容をポータルで公開することへの同意が必要です",
    );
    let start = match check_event_in(&event, "announcement", &crate::words::japanese) {
        Ok(checked) if checked.start <= now => {
            errors.entry("start".into()).or_default().push(
                "開始日時が過ぎています。これから開かれるイベントの日時を入力してください".into(),
            );
            None
        }
        Ok(checked) => Some(checked.start),
        Err(found) => {
            for (field, messages) in found {
                errors.entry(field).or_default().extend(messages);
            }
            None
        }
    };
    (event, email, start, errors)
}

/// `<the day in Japan>-<four letters>`, not yet an event: readable in the file list and
/// in the address, and unguessable enough that two announcements rarely meet.
fn free_slug(services: &Services, start: Timestamp) -> String {
    let day = model::time::tokyo().to_datetime(start).date();
    loop {
        let letters: String = random_id()
            .bytes()
            .filter(u8::is_ascii_lowercase)
            .take(4)
            .map(char::from)
            .collect();
        if letters.len() < 4 {
            continue;
        }
        let slug = format!("{day}-{letters}");
        if !services.catalog().events.contains_key(&slug) {
            return slug;
        }
    }
}
