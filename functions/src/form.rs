//! Form plumbing every public form uses, below the rules of each form and above the store
//! and mail: the form's own field names, normalization, the signed stamp and honeypot, the
//! contact fields (address and consent), the photo field and the confirmation mail.

use jiff::Timestamp;
use model::profile::{FieldErrors, FormFields};
use unicode_normalization::UnicodeNormalization;

use crate::email::EmailAddress;
use crate::mail::{MailError, Message};
use crate::services::Services;
use crate::store::{StoreError, Submission};
use crate::tokens::Purpose;

/// Form fields that are not part of the profile.
pub const EMAIL: &str = "email";
pub const CONSENT: &str = "consent";
pub const FORM_TOKEN: &str = "form_token";
/// The profile photo's file field (see `photo.rs`).
pub const PHOTO: &str = "photo";
/// Hidden from people (and labelled "leave empty"); bots fill it.
pub const HONEYPOT: &str = "homepage";

/// Why a form's stamp was not taken. Each form's own error has a variant for each
/// (`From<StampError>`), answered the form's way.
#[derive(Debug, thiserror::Error)]
pub enum StampError {
    /// Looks automated (honeypot, filled too fast, stamp used twice); counted in logs, never
    /// stored. The visitor sees the usual answer.
    #[error("rejected as spam: {0}")]
    Spam(&'static str),
    /// No valid stamp: the form was posted from a page that could not fetch one (a page
    /// without script) or was left open past its day. Nothing is stored; a person is shown
    /// the form again, stamped, with what they wrote.
    #[error("the form carries no valid stamp")]
    Unstamped,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stored, pending submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub id: String,
    pub slug: String,
}

/// NFC-normalizes what was typed, as it is stored and compared; browsers send textarea
/// line breaks as CRLF, stored as LF.
pub fn normalize(fields: &FormFields) -> FormFields {
    fields
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .nfc()
                    .collect::<String>(),
            )
        })
        .collect()
}

/// How long a served form stays usable.
pub const FORM_VALID_SECONDS: i64 = 24 * 3600;

/// A form stamp for a form being served: signed, timed, and unique (a random subject), since
/// each is good for one submission and two visitors may load a form in the same second.
pub fn new_stamp(services: &Services) -> String {
    services.signer.sign(
        Purpose::Form,
        &crate::tokens::random_id(),
        services.clock.now(),
        FORM_VALID_SECONDS,
    )
}

/// The spam checks every public form passes: an empty honeypot and a signed stamp from
/// `GET /api/members/new` old enough to have been filled in by a person. Returns when the
/// stamp expires (see [`spend_stamp`]).
pub fn check_stamp(
    services: &Services,
    fields: &FormFields,
    now: Timestamp,
) -> Result<Timestamp, StampError> {
    if fields.get(HONEYPOT).is_some_and(|v| !v.trim().is_empty()) {
        return Err(StampError::Spam("honeypot"));
    }
    let stamp = fields.get(FORM_TOKEN).map(String::as_str).unwrap_or("");
    match services.signer.verify(stamp, Purpose::Form, now) {
        Ok(verified)
            if now.as_second() - verified.issued_at.as_second()
                >= services.config.min_fill_seconds =>
        {
            Ok(verified.expires_at)
        }
        Ok(_) => Err(StampError::Spam("filled too fast")),
        Err(_) => Err(StampError::Unstamped),
    }
}

/// `From<StampError>` for a rule's error that has the variants `Spam(&'static str)`,
/// `Unstamped` and `Store(StoreError)`: each form answers them its own way.
macro_rules! stamp_refusal {
    ($error:ident) => {
        impl From<$crate::form::StampError> for $error {
            fn from(error: $crate::form::StampError) -> $error {
                match error {
                    $crate::form::StampError::Spam(reason) => $error::Spam(reason),
                    $crate::form::StampError::Unstamped => $error::Unstamped,
                    $crate::form::StampError::Store(store) => $error::Store(store),
                }
            }
        }
    };
}
pub(crate) use stamp_refusal;

/// Why a form's photo was not taken: it is no photo (said beside the field), or the photo
/// queue failed.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is refused")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the member reads beside the file input when the form comes back unsent: the
/// server cannot fill a file input in again.
pub const PHOTO_NOT_RECEIVED: &str =
    "写真はまだ受け取っていません。ほかの項目を直したら、もう一度選んでください";

/// The form's `errors`, with a word beside the photo if one was sent and is now lost.
pub fn invalid_with_photo(mut errors: FieldErrors, photo_sent: bool) -> FieldErrors {
    if photo_sent {
        errors
            .entry(PHOTO.into())
            .or_default()
            .push(PHOTO_NOT_RECEIVED.into());
    }
    errors
}

/// An uploaded photo checked and re-encoded (see `photo.rs`) off the async threads, since a
/// 4 MB photo takes a moment of CPU; what is not a photo is an error beside the field.
pub async fn process_photo(photo: Option<&[u8]>) -> Result<Option<Vec<u8>>, PhotoError> {
    let Some(bytes) = photo.map(<[u8]>::to_vec) else {
        return Ok(None);
    };
    // Photos are decoded two at a time: each may take up to `photo::DECODE_BUDGET` of
    // memory, and twenty at once must not take twenty times that.
    static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let _turn = DECODING
        .acquire()
        .await
        .map_err(|e| StoreError::Unavailable(format!("the photo queue is closed: {e}")))?;
    let processed = tokio::task::spawn_blocking(move || crate::photo::process(&bytes))
        .await
        .map_err(|e| StoreError::Unavailable(format!("the photo task failed: {e}")))?;
    match processed {
        Ok(photo) => Ok(Some(photo.jpeg)),
        Err(problem) => Err(PhotoError::Invalid(FieldErrors::from([(
            PHOTO.to_owned(),
            vec![problem.message_ja().to_owned()],
        )]))),
    }
}

/// Uses the form's stamp up: each is good for one submission.
pub async fn spend_stamp(
    services: &Services,
    fields: &FormFields,
    expires: Timestamp,
    now: Timestamp,
) -> Result<(), StampError> {
    let stamp = fields.get(FORM_TOKEN).map(String::as_str).unwrap_or("");
    let stamp_key = format!("stamp:{}", services.signer.hash("stamp", stamp));
    if services.store.use_once(&stamp_key, expires, now).await? {
        Ok(())
    } else {
        Err(StampError::Spam("stamp used twice"))
    }
}

/// Mails the link that confirms `submission`'s address (a page with a button; only the
/// button's post confirms): `opening` says what was received, `after` what happens next.
pub async fn send_confirmation(
    services: &Services,
    submission: &Submission,
    subject: &str,
    opening: &str,
    after: &str,
) -> Result<(), MailError> {
    let now = services.clock.now();
    let valid = services.config.confirm_valid_seconds;
    let token = services
        .signer
        .sign(Purpose::Confirm, &submission.id, now, valid);
    let link = format!("{}/api/confirm?token={token}", services.config.api_url);
    services
        .mailer
        .send(&Message {
            to: submission.email.clone(),
            subject: subject.into(),
            body: format!(
                "{opening}\n次のリンクを開き、表示されるページの「確認する」ボタンを押して、メールアドレスを確認してください（{}時間有効）。\n\n{link}\n\n{after}\nお心当たりのない場合は、このメールを破棄してください。\n",
                valid / 3600
            ),
        })
        .await?;
    Ok(())
}

/// What every public form that publishes something sends besides its content: the
/// content's fields (trimmed, without the address, consent, stamp and honeypot), the checked
/// address, and the problems with the address and with the consent (`consent_needed` says
/// what is consented to).
pub fn split_contact(
    fields: &FormFields,
    consent_needed: &str,
) -> (FormFields, String, FieldErrors) {
    let mut errors = FieldErrors::new();
    let content: FormFields = fields
        .iter()
        .filter(|(name, _)| ![EMAIL, CONSENT, FORM_TOKEN, HONEYPOT].contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.trim().to_owned()))
        .collect();
    let typed = fields.get(EMAIL).map(String::as_str).unwrap_or("");
    let email = match EmailAddress::parse(typed) {
        Ok(address) => address.into_string(),
        Err(message) => {
            errors.entry(EMAIL.into()).or_default().push(message);
            String::new()
        }
    };
    let consent = fields.get(CONSENT).map(|c| c.trim().to_lowercase());
    if !matches!(consent.as_deref(), Some("yes" | "on" | "true" | "1")) {
        errors
            .entry(CONSENT.into())
            .or_default()
            .push(consent_needed.to_owned());
    }
    (content, email, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> FormFields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn text_is_stored_nfc_normalized() {
        // が written as か + combining dakuten becomes one character.
        let normalized = normalize(&fields(&[
            ("name", "か\u{3099}"),
            ("bio", "一行目\r\n二行目"),
        ]));
        assert_eq!(normalized["name"], "が");
        assert_eq!(normalized["bio"], "一行目\n二行目");
    }
}
