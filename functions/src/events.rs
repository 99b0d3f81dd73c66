//! The rules of event sign-ups, without HTTP: who may sign up, seats and waitlist (kept
//! atomic by the store), and the mails with signed cancellation links.

use crate::catalog::EventInfo;
use crate::email::EmailAddress;
use crate::limits::Action;
use crate::mail::{MailError, Message};
use crate::signup::{Services, normalize};
use crate::store::{Cancellation, NewSignup, SeatState, SignupOutcome, StoreError};
use crate::tokens::{Purpose, TokenError};
use model::profile::{FieldErrors, FormFields};

pub const MAX_MESSAGE_CHARS: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("no such event")]
    UnknownEvent,
    #[error("sign-ups for this event are not taken on the portal")]
    NoSignups,
    #[error("the event is over")]
    Over,
    #[error("some fields need fixing")]
    Invalid(FieldErrors),
    #[error("too many sign-ups from this address; try again later")]
    RateLimited,
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// The event, if sign-ups for it are open now.
pub fn open_event<'s>(
    services: &'s Services,
    slug: &str,
) -> Result<(&'s EventInfo, u32), EventError> {
    let event = services
        .catalog
        .events
        .get(slug)
        .ok_or(EventError::UnknownEvent)?;
    let capacity = event.capacity.ok_or(EventError::NoSignups)?;
    if event.ends <= services.clock.now() {
        return Err(EventError::Over);
    }
    Ok((event, capacity))
}

fn text_field(
    fields: &FormFields,
    name: &str,
    label: &str,
    required: bool,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    let value = fields
        .get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default();
    let problem = if value.is_empty() {
        required.then(|| format!("{label}を入力してください"))
    } else if value.chars().count() > max {
        Some(format!("{label}は{max}文字以内で書いてください"))
    } else if value
        .chars()
        .any(|c| c.is_control() && !(name == "message" && matches!(c, '\n' | '\t')))
    {
        Some(format!("{label}に制御文字が含まれています"))
    } else {
        None
    };
    if let Some(problem) = problem {
        errors.entry(name.into()).or_default().push(problem);
        return None;
    }
    (!value.is_empty()).then_some(value)
}

/// Signs a person up for an event and mails them the outcome with a cancellation link.
pub async fn sign_up(
    services: &Services,
    slug: &str,
    fields: &FormFields,
    client: &str,
) -> Result<SignupOutcome, EventError> {
    let (event, capacity) = open_event(services, slug)?;
    let fields = normalize(fields);
    let mut errors = FieldErrors::new();
    for name in fields.keys() {
        if !["name", "email", "message", "form_token"].contains(&name.as_str()) {
            errors
                .entry(name.clone())
                .or_default()
                .push(format!("unknown field `{name}`"));
        }
    }
    let name = text_field(&fields, "name", "名前", true, 100, &mut errors);
    let message = text_field(
        &fields,
        "message",
        "メッセージ",
        false,
        MAX_MESSAGE_CHARS,
        &mut errors,
    );
    let typed = fields.get("email").map(String::as_str).unwrap_or("");
    let email = match EmailAddress::parse(typed) {
        Ok(address) => address.into_string(),
        Err(problem) => {
            errors.entry("email".into()).or_default().push(problem);
            String::new()
        }
    };
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(EventError::Invalid(errors));
    };
    let now = services.clock.now();
    if crate::limits::check(services, Action::EventSignup, client, &email)
        .await?
        .is_err()
    {
        return Err(EventError::RateLimited);
    }
    let outcome = services
        .store
        .sign_up(
            NewSignup {
                event: slug.into(),
                email: email.clone(),
                name: name.clone(),
                message,
                at: now,
            },
            capacity,
        )
        .await?;
    let cancel = cancel_link(services, slug, &email, event);
    let (subject, text) = match &outcome {
        SignupOutcome::Confirmed(_) => (
            "参加が確定しました",
            "参加の申し込みを受け付けました。お席を確保しています。".to_owned(),
        ),
        SignupOutcome::Waitlisted { position, .. } => (
            "キャンセル待ちで受け付けました",
            format!(
                "定員に達しているため、キャンセル待ちの{position}番目で受け付けました。お席が空いたらお知らせします。"
            ),
        ),
        // The same address again: nothing changes, but the mail is sent again, so that a
        // person whose first mail was lost (or failed) gets their cancellation link. The
        // per-recipient limit keeps this from becoming a way to flood an address.
        SignupOutcome::AlreadySignedUp(existing) => (
            "お申し込みの内容（再送）",
            match existing.state {
                SeatState::Confirmed => {
                    "すでに参加のお申し込みを受け付けています。お席を確保しています。".to_owned()
                }
                SeatState::Waitlisted => {
                    "すでにキャンセル待ちで受け付けています。お席が空いたらお知らせします。"
                        .to_owned()
                }
            },
        ),
    };
    services
        .mailer
        .send(&Message {
            to: email,
            subject: format!("【まじわる】{subject}: {}", event.title),
            body: format!("{name} 様\n\n「{}」について、{text}\n\n参加をやめる場合は、次のリンクから取り消してください。\n{cancel}\n", event.title),
        })
        .await?;
    let state = match &outcome {
        SignupOutcome::Confirmed(_) => "confirmed",
        SignupOutcome::Waitlisted { .. } => "waitlisted",
        SignupOutcome::AlreadySignedUp(_) => "already",
    };
    tracing::info!(event = "event_signup", slug, state);
    Ok(outcome)
}

fn cancel_link(services: &Services, slug: &str, email: &str, event: &EventInfo) -> String {
    let now = services.clock.now();
    let valid = (event.ends.as_second() - now.as_second()).max(3600);
    let token = services
        .signer
        .sign(Purpose::Cancel, &format!("{slug}\n{email}"), now, valid);
    format!(
        "{}/api/events/{slug}/cancel?token={token}",
        services.config.api_url
    )
}

/// Checks a cancellation token for `slug`; returns the e-mail it was made for.
pub fn cancellation_email(
    services: &Services,
    slug: &str,
    token: &str,
) -> Result<String, EventError> {
    let verified = services
        .signer
        .verify(token, Purpose::Cancel, services.clock.now())?;
    match verified.subject.split_once('\n') {
        Some((event, email)) if event == slug => Ok(email.to_owned()),
        _ => Err(EventError::Token(TokenError::Invalid)),
    }
}

/// Cancels with a signed link; the first person waiting gets the seat and is told by mail.
pub async fn cancel(
    services: &Services,
    slug: &str,
    token: &str,
) -> Result<Option<Cancellation>, EventError> {
    let email = cancellation_email(services, slug, token)?;
    withdraw(services, slug, &email).await
}

/// Takes `email` off an event (a cancellation, or a removal of the person); the first
/// person waiting gets the freed seat and is told by mail. An event that is no longer in
/// the content is withdrawn from all the same, with no mail.
pub async fn withdraw(
    services: &Services,
    slug: &str,
    email: &str,
) -> Result<Option<Cancellation>, EventError> {
    let cancellation = services.store.cancel_signup(slug, email).await?;
    let event = services.catalog.events.get(slug);
    if let Some((promoted, event)) = cancellation
        .as_ref()
        .and_then(|c| c.promoted.as_ref())
        .zip(event)
    {
        let link = cancel_link(services, slug, &promoted.email, event);
        services
            .mailer
            .send(&Message {
                to: promoted.email.clone(),
                subject: format!("【まじわる】お席が空きました: {}", event.title),
                body: format!(
                    "{} 様\n\nキャンセルが出たため、「{}」への参加が確定しました。\n\n参加をやめる場合は、次のリンクから取り消してください。\n{link}\n",
                    promoted.name, event.title
                ),
            })
            .await?;
    }
    tracing::info!(event = "event_cancel", slug, found = cancellation.is_some());
    Ok(cancellation)
}
