//! The rules of event sign-ups, without HTTP: who may sign up, seats and waitlist (kept
//! atomic by the store), and the mails with signed cancellation links.

use crate::catalog::EventInfo;
use crate::email::EmailAddress;
use crate::form::{FORM_TOKEN, HONEYPOT, normalize};
use crate::limits::Action;
use crate::mail::{MailError, Message};
use crate::services::Services;
use crate::store::{
    Cancellation, Listing, NewRegistration, Registration, RegistrationOutcome, SeatState,
    StoreError,
};
use crate::tokens::{Purpose, TokenError, random_id};
use model::profile::{FieldErrors, FormFields};

pub const MAX_MESSAGE_CHARS: usize = 1000;
/// The sign-up's choice to appear on the attendee list (`yes`, or absent), and the
/// organization shown there.
pub const LISTED: &str = "listed";
pub const ORGANIZATION: &str = "organization";

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
    /// Looks automated (honeypot, filled too fast, stamp used twice): answered as if held.
    #[error("rejected as spam: {0}")]
    Spam(&'static str),
    /// No valid form stamp: a page without script, or a client that did not fetch one.
    #[error("the form carries no valid stamp")]
    Unstamped,
    #[error("the sign-up was confirmed already, or its link lapsed")]
    NotHeld,
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

crate::form::stamp_refusal!(EventError);

/// The event, if sign-ups for it are open now.
pub fn open_event(services: &Services, slug: &str) -> Result<(EventInfo, u32), EventError> {
    let event = services
        .catalog()
        .events
        .get(slug)
        .cloned()
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
    } else if name != "message" && model::text::hidden_format_char(&value).is_some() {
        Some(format!(
            "{label}に見えない書式の文字（方向の制御やゼロ幅の文字）が含まれています"
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        errors.entry(name.into()).or_default().push(problem);
        return None;
    }
    (!value.is_empty()).then_some(value)
}

/// Who is coming to an event: the confirmed seats, and those who chose to be listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendees {
    pub title: String,
    pub confirmed: usize,
    /// In the order they took their seats.
    pub listed: Vec<Attendee>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    pub name: String,
    pub organization: Option<String>,
    /// The member whose address the sign-up was made with, while they are published.
    pub member: Option<String>,
}

/// The attendee list of an event that takes sign-ups on the portal (past ones too): seats
/// only, never the waitlist, and of those only who chose to be listed. Never an address.
pub async fn attendees(services: &Services, slug: &str) -> Result<Attendees, EventError> {
    let catalog = services.catalog();
    let event = catalog.events.get(slug).ok_or(EventError::UnknownEvent)?;
    if event.capacity.is_none() {
        return Err(EventError::NoSignups);
    }
    let seated: Vec<Registration> = (services.store.registrations(slug).await?.into_iter())
        .filter(|r| r.state == SeatState::Confirmed)
        .collect();
    let listed = (seated.iter())
        .filter_map(|r| {
            let listing = r.listing.as_ref()?;
            Some(Attendee {
                name: r.name.clone(),
                organization: listing.organization.clone(),
                member: (listing.member.clone()).filter(|m| catalog.member_slugs.contains(m)),
            })
        })
        .collect();
    Ok(Attendees {
        title: event.title.clone(),
        confirmed: seated.len(),
        listed,
    })
}

/// For the export: each event that is over and took sign-ups on the portal, with the
/// members who had a seat and chose the attendee list, in the order they took it.
pub async fn attendance(services: &Services) -> Result<Vec<(String, Vec<String>)>, EventError> {
    let now = services.clock.now();
    let catalog = services.catalog();
    let mut over: Vec<(&String, &EventInfo)> = (catalog.events.iter())
        .filter(|(_, event)| event.capacity.is_some() && event.ends <= now)
        .collect();
    over.sort_by_key(|(slug, event)| (event.start, (*slug).clone()));
    let mut attendance = Vec::new();
    for (slug, _) in over {
        let members: Vec<String> = attendees(services, slug)
            .await?
            .listed
            .into_iter()
            .filter_map(|a| a.member)
            .collect();
        if !members.is_empty() {
            attendance.push((slug.clone(), members));
        }
    }
    Ok(attendance)
}

/// What a sign-up request did.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistrationRequest {
    /// Held until the address is confirmed; a confirmation link was mailed (whether or not
    /// the address has a seat already: see `request_registration`).
    Held,
}

/// A sign-up request: checked, counted against the limits, and held (taking no seat)
/// until the person confirms their address with the mailed link. Seats go to confirmed
/// addresses only, in the order they confirm.
pub async fn request_registration(
    services: &Services,
    slug: &str,
    fields: &FormFields,
    client: &str,
) -> Result<RegistrationRequest, EventError> {
    let (event, _) = open_event(services, slug)?;
    let fields = normalize(fields);
    let now = services.clock.now();
    // The same spam rules as every public form that mails someone: a signed, fresh stamp
    // and an empty honeypot.
    let stamp_expires = crate::form::check_stamp(services, &fields, now)?;
    let mut errors = FieldErrors::new();
    for name in fields.keys() {
        if ![
            "name",
            "email",
            "message",
            LISTED,
            ORGANIZATION,
            FORM_TOKEN,
            HONEYPOT,
        ]
        .contains(&name.as_str())
        {
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
    let organization = text_field(&fields, ORGANIZATION, "所属", false, 100, &mut errors);
    let listed = match fields.get(LISTED).map(|v| v.trim()) {
        None | Some("") => false,
        Some("yes") => true,
        Some(_) => {
            errors.entry(LISTED.into()).or_default().push(
                "参加者一覧に表示するときは yes を、表示しないときは何も送らないでください".into(),
            );
            false
        }
    };
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
    if crate::limits::check(services, Action::EventSignup, client, Some(&email))
        .await?
        .is_err()
    {
        return Err(EventError::RateLimited);
    }
    crate::form::spend_stamp(services, &fields, stamp_expires, now).await?;
    // One mailbox, one seat: a spelling of an address that holds a seat already
    // (`Bob+1@`, `b.o.b@gmail.com`) is that sign-up, and its link goes to that address.
    let mailbox = crate::email::mailbox_key(&email);
    let email = services
        .store
        .registrations(slug)
        .await?
        .into_iter()
        .find(|s| crate::email::mailbox_key(&s.email) == mailbox)
        .map_or(email, |existing| existing.email);
    // An address that holds a seat already is held and mailed a confirmation link like any
    // other: the answer, and the work, must not tell a stranger who is coming. Confirmed,
    // it finds the seat it has (`RegistrationOutcome::AlreadySignedUp`) and is told so with its
    // cancellation link.
    let id = random_id();
    let valid = services.config.confirm_valid_seconds;
    let lapses = now
        .checked_add(jiff::SignedDuration::from_secs(valid))
        .unwrap_or(now);
    // Listed by choice only; a member's name links to their profile (the address the
    // sign-up confirms is the one their profile was submitted with).
    let listing = if listed {
        Some(Listing {
            organization,
            member: services.store.member_by_email(&email).await?,
        })
    } else {
        None
    };
    let held = NewRegistration {
        event: slug.into(),
        email: email.clone(),
        name: name.clone(),
        message,
        listing,
        at: now,
    };
    services.store.hold_registration(&id, &held, lapses).await?;
    // The token names the event as well as the hold, so that a link posted to another
    // event's confirmation is refused before the store is touched.
    let token = services
        .signer
        .sign(Purpose::Seat, &format!("{slug}\n{id}"), now, valid);
    services
        .mailer
        .send(&Message {
            to: email,
            subject: (services.catalog()).subject(&format!("お申し込みの確認: {}", event.title)),
            body: format!(
                "{}\n\n「{}」へのお申し込みを受け付けました。\n次のリンクを開き、表示されるページの「申し込みを確定する」ボタンを押してください（{}時間有効）。確定した順にお席を用意し、満席の場合はキャンセル待ちになります。\n\n{}/api/events/{slug}/confirm?token={token}\n\nお心当たりのない場合は、このメールを破棄してください。\n",
                crate::mail::greeting(&name),
                event.title,
                valid / 3600,
                services.config.api_url
            ),
        })
        .await?;
    tracing::info!(event = "event_signup", slug, state = "held");
    Ok(RegistrationRequest::Held)
}

/// The held sign-up a confirmation token names for event `slug`, checked without taking
/// it (for the page the link opens). A token made for another event is refused.
pub fn held_registration_id(
    services: &Services,
    slug: &str,
    token: &str,
) -> Result<String, EventError> {
    let subject = services
        .signer
        .verify(token, Purpose::Seat, services.clock.now())?
        .subject;
    match subject.split_once('\n') {
        Some((event, id)) if event == slug => Ok(id.to_owned()),
        _ => Err(EventError::Token(TokenError::Invalid)),
    }
}

/// The confirmation: the held sign-up takes a seat, or a waiting place, in the order of
/// confirmation, and the person gets the outcome with a cancellation link. Taking the hold
/// and the seat is one step in the store: if it fails, the link still works.
pub async fn confirm_registration(
    services: &Services,
    slug: &str,
    token: &str,
) -> Result<RegistrationOutcome, EventError> {
    let id = held_registration_id(services, slug, token)?;
    let (event, capacity) = open_event(services, slug)?;
    // Seats added since the last sign-up go to those waiting first.
    for promoted in services.store.promote_waitlist(slug, capacity).await? {
        mail_promoted(services, &event, &promoted).await?;
    }
    let now = services.clock.now();
    let Some(outcome) = services
        .store
        .seat_held_registration(&id, slug, capacity, now)
        .await?
    else {
        return Err(EventError::NotHeld);
    };
    let seated = match &outcome {
        RegistrationOutcome::Confirmed(s)
        | RegistrationOutcome::Waitlisted { signup: s, .. }
        | RegistrationOutcome::AlreadySignedUp(s) => s.clone(),
    };
    let (subject, text) = match &outcome {
        RegistrationOutcome::Confirmed(_) => (
            "参加が確定しました",
            "参加の申し込みを受け付けました。お席を確保しています。".to_owned(),
        ),
        RegistrationOutcome::Waitlisted { position, .. } => (
            "キャンセル待ちで受け付けました",
            format!(
                "定員に達しているため、キャンセル待ちの{position}番目で受け付けました。お席が空いたらお知らせします。"
            ),
        ),
        RegistrationOutcome::AlreadySignedUp(existing) => (
            "お申し込みの内容",
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
    mail_state(services, &event, &seated, subject, &text).await?;
    let state = match &outcome {
        RegistrationOutcome::Confirmed(_) => "confirmed",
        RegistrationOutcome::Waitlisted { .. } => "waitlisted",
        RegistrationOutcome::AlreadySignedUp(_) => "already",
    };
    tracing::info!(event = "event_signup_confirmed", slug, state);
    Ok(outcome)
}

/// Mails a person where they stand, with their cancellation link.
async fn mail_state(
    services: &Services,
    event: &EventInfo,
    signup: &Registration,
    subject: &str,
    text: &str,
) -> Result<(), EventError> {
    let cancel = cancel_link(services, signup, event);
    services
        .mailer
        .send(&Message {
            to: signup.email.clone(),
            subject: (services.catalog()).subject(&format!("{subject}: {}", event.title)),
            body: format!(
                "{}\n\n「{}」について、{text}\n\n参加をやめる場合は、次のリンクから取り消してください。\n{cancel}\n",
                crate::mail::greeting(&signup.name),
                event.title
            ),
        })
        .await?;
    Ok(())
}

/// The link that cancels `signup`, and only it: the token names the event, the sign-up's
/// place in line (a later sign-up with the same address has another) and a keyed hash of
/// the address, so it carries no readable address.
fn cancel_link(services: &Services, signup: &Registration, event: &EventInfo) -> String {
    let now = services.clock.now();
    let valid = (event.ends.as_second() - now.as_second()).max(3600);
    let subject = format!(
        "{}\n{}\n{}",
        signup.event,
        signup.sequence,
        services.signer.hash("cancel", &signup.email)
    );
    let token = services.signer.sign(Purpose::Cancel, &subject, now, valid);
    format!(
        "{}/api/events/{}/cancel?token={token}",
        services.config.api_url, signup.event
    )
}

/// What a cancellation token for `slug` names: the sign-up's place in line and the keyed
/// hash of its address. A token for another event is refused.
fn cancellation_subject(
    services: &Services,
    slug: &str,
    token: &str,
) -> Result<(u64, String), EventError> {
    let verified = services
        .signer
        .verify(token, Purpose::Cancel, services.clock.now())?;
    let mut parts = verified.subject.splitn(3, '\n');
    match (
        parts.next(),
        parts.next().map(str::parse::<u64>),
        parts.next(),
    ) {
        (Some(event), Some(Ok(sequence)), Some(hash)) if event == slug => {
            Ok((sequence, hash.to_owned()))
        }
        _ => Err(EventError::Token(TokenError::Invalid)),
    }
}

/// Checks a cancellation token for `slug` (for the page the link opens).
pub fn check_cancellation(services: &Services, slug: &str, token: &str) -> Result<(), EventError> {
    cancellation_subject(services, slug, token).map(|_| ())
}

/// The sign-up a cancellation token names, if it still stands: the same place in line and
/// the same address. An old link finds nothing once its sign-up was cancelled, even if the
/// person signed up again.
async fn signup_of_link(
    services: &Services,
    slug: &str,
    token: &str,
) -> Result<Option<Registration>, EventError> {
    let (sequence, hash) = cancellation_subject(services, slug, token)?;
    Ok(services
        .store
        .registrations(slug)
        .await?
        .into_iter()
        .find(|s| s.sequence == sequence && services.signer.hash("cancel", &s.email) == hash))
}

/// Cancels with a signed link; the first person waiting gets the seat and is told by mail.
pub async fn cancel(
    services: &Services,
    slug: &str,
    token: &str,
) -> Result<Option<Cancellation>, EventError> {
    match signup_of_link(services, slug, token).await? {
        Some(signup) => withdraw(services, slug, &signup.email).await,
        None => Ok(None),
    }
}

/// Takes `email` off an event (a cancellation, or a removal of the person); the first
/// person waiting gets the freed seat and is told by mail. An event that is no longer in
/// the content is withdrawn from all the same, with no mail.
pub async fn withdraw(
    services: &Services,
    slug: &str,
    email: &str,
) -> Result<Option<Cancellation>, EventError> {
    let cancellation = services.store.cancel_registration(slug, email).await?;
    let catalog = services.catalog();
    let event = catalog.events.get(slug);
    if let Some((promoted, event)) = cancellation
        .as_ref()
        .and_then(|c| c.promoted.as_ref())
        .zip(event)
    {
        mail_promoted(services, event, promoted).await?;
    }
    tracing::info!(event = "event_cancel", slug, found = cancellation.is_some());
    Ok(cancellation)
}

/// Tells a person who waited that a seat is theirs now, with their cancellation link.
async fn mail_promoted(
    services: &Services,
    event: &EventInfo,
    promoted: &Registration,
) -> Result<(), EventError> {
    let link = cancel_link(services, promoted, event);
    services
        .mailer
        .send(&Message {
            to: promoted.email.clone(),
            subject: (services.catalog()).subject(&format!("お席が空きました: {}", event.title)),
            body: format!(
                "{}\n\nお席が空いたため、「{}」への参加が確定しました。\n\n参加をやめる場合は、次のリンクから取り消してください。\n{link}\n",
                crate::mail::greeting(&promoted.name),
                event.title
            ),
        })
        .await?;
    Ok(())
}
