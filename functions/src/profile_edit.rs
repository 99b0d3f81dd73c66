//! A published member changes their profile: a link mailed to the address the profile was
//! submitted with opens the form filled with the public fields; the change goes to the
//! moderation queue as an update, which editors see field by field.

use model::profile::{FieldErrors, FormFields, check_submitted_profile};

use crate::email::EmailAddress;
use crate::form::{
    Accepted, EMAIL, PhotoError, check_stamp, invalid_with_photo, normalize, process_photo,
    spend_stamp,
};
use crate::limits::Action;
use crate::mail::MailError;
use crate::mail::Message;
use crate::services::Services;
use crate::store::StoreError;
use crate::store::{Submission, SubmissionKind};
use crate::tokens::{Purpose, random_id};

/// Why an edit link or an update was not taken.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("some fields need fixing")]
    Invalid(FieldErrors),
    /// Looks automated: counted in logs; the sender sees the usual answer.
    #[error("rejected as spam: {0}")]
    Spam(&'static str),
    /// No valid stamp on the link request: the form is shown again, stamped.
    #[error("the form carries no valid stamp")]
    Unstamped,
    #[error("too many requests for this profile; try again later")]
    RateLimited,
    /// The edit link was used already or is no longer valid.
    #[error("the link was used already or has expired")]
    LinkSpent,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

crate::form::stamp_refusal!(UpdateError);

impl From<PhotoError> for UpdateError {
    fn from(error: PhotoError) -> UpdateError {
        match error {
            PhotoError::Invalid(errors) => UpdateError::Invalid(errors),
            PhotoError::Store(store) => UpdateError::Store(store),
        }
    }
}

impl From<crate::proof::ProofError> for UpdateError {
    fn from(error: crate::proof::ProofError) -> UpdateError {
        match error {
            crate::proof::ProofError::RateLimited => UpdateError::RateLimited,
            crate::proof::ProofError::Store(store) => UpdateError::Store(store),
        }
    }
}

/// The form field that carries the mailed link's token back.
pub const EDIT_TOKEN: &str = "token";

/// Mails member `slug` a link that opens their profile for editing, if `typed` is the
/// address their profile was submitted with (see `proof.rs`). The caller answers the same
/// either way, so that nobody learns a member's address, or who is a member, by trying.
pub async fn request_edit_link(
    services: &Services,
    slug: &str,
    fields: &FormFields,
    client: &str,
) -> Result<(), UpdateError> {
    let now = services.clock.now();
    let stamp_expires = check_stamp(services, fields, now)?;
    let typed = fields.get(EMAIL).map(String::as_str).unwrap_or("");
    let Ok(address) = EmailAddress::parse(typed) else {
        return Ok(());
    };
    let owner =
        crate::proof::member_address(services, Action::ProfileEdit, slug, &address, client).await?;
    // Spent whether or not the address matched: the same work either way.
    spend_stamp(services, fields, stamp_expires, now).await?;
    // The same work whether or not the address matched: one queued mail, real or blank,
    // sent by the next run of the mail job; the answer waits for no mail service.
    let message = owner.map(|email| {
        // A random part makes each link one of a kind, so that it can be spent (see
        // `submit_update`) without spending the member's other links.
        let token = services.signer.sign(
            Purpose::Edit,
            &format!("{slug}\n{}", random_id()),
            now,
            services.config.confirm_valid_seconds,
        );
        let link = format!("{}/api/members/edit?token={token}", services.config.api_url);
        Message {
            to: email,
            subject: services.catalog().subject("プロフィールの更新"),
            body: format!(
                "プロフィールを更新するためのリンクです（{}時間有効、1回かぎり）。\n\n{link}\n\n送られた内容は、運営が確認したあとに反映します。\nお心当たりのない場合は、このメールを破棄してください。\n",
                services.config.confirm_valid_seconds / 3600
            ),
        }
    });
    services.mail_queue.send_later(message.as_ref()).await?;
    tracing::info!(event = "edit_link_requested", slug);
    Ok(())
}

/// The member a still-valid edit link is for, if it is one and they are still published.
pub fn member_of_link(services: &Services, token: &str) -> Option<String> {
    let verified = services
        .signer
        .verify(token, Purpose::Edit, services.clock.now())
        .ok()?;
    let (slug, _) = verified.subject.split_once('\n')?;
    services
        .catalog()
        .member_slugs
        .contains(slug)
        .then(|| slug.to_owned())
}

/// Uses the edit link up: each is good for one update, like a form stamp.
async fn spend_link(services: &Services, token: &str) -> Result<(), UpdateError> {
    let verified = services
        .signer
        .verify(token, Purpose::Edit, services.clock.now())
        .map_err(|_| UpdateError::LinkSpent)?;
    let key = format!("edit:{}", services.signer.hash("edit", token.trim()));
    if services
        .store
        .use_once(&key, verified.expires_at, services.clock.now())
        .await?
    {
        Ok(())
    } else {
        Err(UpdateError::LinkSpent)
    }
}

/// Stores member `slug`'s changed profile (and new photo) in the moderation queue; the
/// mailed link proved the address, so it needs no confirmation.
pub async fn submit_update(
    services: &Services,
    slug: &str,
    token: &str,
    fields: &FormFields,
    photo: Option<&[u8]>,
    client: &str,
) -> Result<Accepted, UpdateError> {
    let now = services.clock.now();
    let mut profile: FormFields = normalize(fields)
        .into_iter()
        .filter(|(name, _)| name != EDIT_TOKEN)
        .map(|(name, value)| (name, value.trim().to_owned()))
        .collect();
    // The day they joined stays theirs.
    let current = services.catalog().member_fields(slug).unwrap_or_default();
    match current.get("joined") {
        Some(joined) => profile.insert("joined".into(), joined.clone()),
        None => profile.remove("joined"),
    };
    if let Err(errors) = check_submitted_profile(&profile, slug, &crate::words::japanese) {
        return Err(UpdateError::Invalid(invalid_with_photo(
            errors,
            photo.is_some(),
        )));
    }
    let email = services.store.member_email(slug).await?.unwrap_or_default();
    if crate::limits::check(services, Action::ProfileUpdate, client, Some(&email))
        .await?
        .is_err()
    {
        return Err(UpdateError::RateLimited);
    }
    // After the limits: a photo costs CPU and memory, which a client over its limit must
    // not be able to spend.
    let photo = process_photo(photo).await?;
    spend_link(services, token).await?;
    let id = random_id();
    let mut submission = Submission::pending(
        id.clone(),
        SubmissionKind::Update,
        slug.to_owned(),
        email,
        services.signer.hash_ip(client),
        now,
        services.config.confirm_valid_seconds,
    );
    submission.fields = profile;
    submission.photo = photo;
    services.store.create_submission(&submission).await?;
    services.store.confirm_submission(&id, now).await?;
    tracing::info!(event = "update_stored", slug);
    Ok(Accepted {
        id,
        slug: slug.to_owned(),
    })
}
