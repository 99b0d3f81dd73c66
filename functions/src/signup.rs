//! The rules of a member sign-up, without HTTP: spam checks, validation through the model,
//! a unique proposed slug, storing the submission as pending and mailing the confirmation.

use std::collections::BTreeMap;

use jiff::Timestamp;
use model::profile::{FieldErrors, FormFields, check_submitted_profile};
use model::time::tokyo;

use crate::form::{
    Accepted, PhotoError, check_stamp, invalid_with_photo, normalize, process_photo,
    send_confirmation, spend_stamp, split_contact,
};
use crate::limits::Action;
use crate::mail::MailError;
use crate::services::Services;
use crate::store::{StoreError, Submission, SubmissionKind};
use crate::tokens::random_id;

/// Why a sign-up was not taken.
#[derive(Debug, thiserror::Error)]
pub enum SignupError {
    #[error("some fields need fixing")]
    Invalid(FieldErrors),
    /// Looks automated; counted in logs, never stored. The visitor sees the usual answer.
    #[error("rejected as spam: {0}")]
    Spam(&'static str),
    /// No valid stamp: the form was posted from a page that could not fetch one (the
    /// portal's own /join/ without script) or was left open past its day. Nothing is
    /// stored; a person is shown the form again, stamped, with what they wrote.
    #[error("the form carries no valid stamp")]
    Unstamped,
    #[error("too many sign-ups from this address; try again later")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

impl From<PhotoError> for SignupError {
    fn from(error: PhotoError) -> SignupError {
        match error {
            PhotoError::Invalid(errors) => SignupError::Invalid(errors),
            PhotoError::Store(store) => SignupError::Store(store),
        }
    }
}

crate::form::stamp_refusal!(SignupError);

/// Checks, stores and mails the confirmation of a profile sign-up. `client` is the client
/// address (only its salted hash is kept); `form` is whether it came from the HTML form,
/// which carries a signed fill-time stamp.
///
/// Form and JSON posts pass the same spam rules: a signed stamp from `GET /api/members/new`
/// (as HTML or JSON) that is old enough and used once, and an empty honeypot.
pub async fn submit_profile(
    services: &Services,
    fields: &FormFields,
    photo: Option<&[u8]>,
    client: &str,
) -> Result<Accepted, SignupError> {
    let now = services.clock.now();
    let fields = normalize(fields);
    let stamp_expires = check_stamp(services, &fields, now)?;
    let (profile, email, errors) = split_and_check(&fields, now);
    if !errors.is_empty() {
        return Err(SignupError::Invalid(invalid_with_photo(
            errors,
            photo.is_some(),
        )));
    }
    let ip_hash = services.signer.hash_ip(client);
    if crate::limits::check(services, Action::ProfileSignup, client, Some(&email))
        .await?
        .is_err()
    {
        return Err(SignupError::RateLimited);
    }
    let photo = process_photo(photo).await?;
    // Spent only by a submission that is otherwise taken, so a form sent back with errors
    // (which comes with a fresh stamp) costs nothing.
    spend_stamp(services, &fields, stamp_expires, now).await?;

    let base = proposed_slug(&profile);
    let id = random_id();
    let mut submission = Submission::pending(
        id.clone(),
        SubmissionKind::Profile,
        String::new(),
        email,
        ip_hash,
        now,
        services.config.confirm_valid_seconds,
    );
    submission.fields = profile;
    submission.photo = photo;
    for attempt in 1..=100 {
        let slug = if attempt == 1 {
            base.clone()
        } else {
            format!("{base}-{attempt}")
        };
        if services.catalog().member_slugs.contains(&slug)
            || services.store.slug_reserved(&slug, now).await?
        {
            continue;
        }
        submission.slug = slug;
        match services.store.create_submission(&submission).await {
            Ok(()) => break,
            // Someone took it between the check and the write: try the next one.
            Err(StoreError::SlugTaken(_)) => submission.slug.clear(),
            Err(other) => return Err(other.into()),
        }
    }
    if submission.slug.is_empty() {
        return Err(StoreError::Unavailable("no free slug found".into()).into());
    }
    let name = submission.fields.get("name").cloned().unwrap_or_default();
    send_confirmation(
        services,
        &submission,
        &services.catalog().subject("メールアドレスの確認"),
        &format!(
            "{}\n\n{}への登録を受け付けました。",
            crate::mail::greeting(&name),
            services.catalog().site_title
        ),
        "確認のあと、運営が内容を確認してからプロフィールを公開します。",
    )
    .await?;
    tracing::info!(event = "signup_stored", slug = %submission.slug);
    Ok(Accepted {
        id,
        slug: submission.slug,
    })
}

/// Separates the private fields (e-mail, consent) from the profile and checks both.
fn split_and_check(fields: &FormFields, now: Timestamp) -> (FormFields, String, FieldErrors) {
    let (mut profile, email, mut errors) =
        split_contact(fields, "プロフィールの公開への同意が必要です");
    // The server sets the joining date: today in Japan.
    let mut with_date = profile.clone();
    with_date.insert("joined".into(), tokyo().to_datetime(now).date().to_string());
    if profile.contains_key("joined") {
        errors
            .entry("joined".into())
            .or_default()
            .push("unknown field `joined`".into());
    }
    if let Err(found) = check_submitted_profile(&with_date, "submission", &crate::words::japanese) {
        for (field, messages) in found {
            errors.entry(field).or_default().extend(messages);
        }
    }
    profile.insert("joined".into(), with_date["joined"].clone());
    (profile, email, errors)
}

/// A readable slug: the romaji of the reading, else the Latin letters of the name, else `member`.
pub fn proposed_slug(profile: &BTreeMap<String, String>) -> String {
    let from_kana = profile
        .get("kana")
        .map(|k| model::kana::romanize(k))
        .and_then(|r| model::slug::suggest_slug(&r));
    let from_name = || {
        profile
            .get("name")
            .and_then(|n| model::slug::suggest_slug(n))
    };
    let slug = from_kana
        .or_else(from_name)
        .unwrap_or_else(|| "member".into());
    slug.chars()
        .take(60)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
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
    fn slugs_come_from_the_reading() {
        assert_eq!(
            proposed_slug(&fields(&[("name", "山田 花子"), ("kana", "やまだ はなこ")])),
            "yamada-hanako"
        );
        assert_eq!(
            proposed_slug(&fields(&[("name", "Emily Clark")])),
            "emily-clark"
        );
        assert_eq!(proposed_slug(&fields(&[("name", "山田")])), "member");
    }
}
