//! Rate limits on everything that mails someone or stores something, counted per client
//! and per recipient address, so that the portal cannot be used to mail arbitrary
//! addresses in bulk. Keys are salted hashes: no address or IP is stored in a limit.

use crate::signup::Services;
use crate::store::StoreError;

/// Event sign-ups from one client per hour.
pub const EVENT_SIGNUPS_PER_CLIENT_HOUR: u32 = 20;

/// What is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A member sign-up (stores a submission, mails a confirmation link).
    ProfileSignup,
    /// A removal request (stores it, mails a confirmation link).
    RemovalRequest,
    /// An event sign-up (stores a seat or waiting place, mails the outcome).
    EventSignup,
    /// An event announcement (stores a submission, mails a confirmation link).
    EventAnnouncement,
    /// A request for a profile's edit link, or the edit itself (mails, stores).
    ProfileEdit,
}

impl Action {
    /// The action's name in limit keys and logs.
    pub fn name(self) -> &'static str {
        match self {
            Action::ProfileSignup => "signup",
            Action::RemovalRequest => "removal",
            Action::EventSignup => "event",
            Action::EventAnnouncement => "announce",
            Action::ProfileEdit => "edit",
        }
    }

    fn per_client_per_hour(self, services: &Services) -> u32 {
        match self {
            Action::ProfileSignup
            | Action::RemovalRequest
            | Action::EventAnnouncement
            | Action::ProfileEdit => services.config.signups_per_hour,
            // A desk of colleagues signing up for one meetup shares an address.
            Action::EventSignup => EVENT_SIGNUPS_PER_CLIENT_HOUR,
        }
    }

    /// Mails one address may receive per day for this action, whoever asks.
    fn per_recipient_per_day(self) -> u32 {
        match self {
            Action::ProfileSignup
            | Action::RemovalRequest
            | Action::EventAnnouncement
            | Action::ProfileEdit => 3,
            Action::EventSignup => 10,
        }
    }
}

/// Which limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Client,
    Recipient,
}

/// Counts one `action` by `client` (its rate key) for `recipient` (a normalized address);
/// `Err(Limited)` once either limit is reached. The client is counted first, so a client
/// over its limit does not use up the recipient's.
pub async fn check(
    services: &Services,
    action: Action,
    client: &str,
    recipient: &str,
) -> Result<Result<(), Limited>, StoreError> {
    let now = services.clock.now();
    let client_key = format!("{}:ip:{}", action.name(), services.signer.hash_ip(client));
    if !services
        .store
        .allow(&client_key, action.per_client_per_hour(services), 3600, now)
        .await?
    {
        return Ok(Err(Limited::Client));
    }
    let recipient_key = format!(
        "{}:to:{}",
        action.name(),
        services.signer.hash_email(recipient)
    );
    if !services
        .store
        .allow(&recipient_key, action.per_recipient_per_day(), 86_400, now)
        .await?
    {
        return Ok(Err(Limited::Recipient));
    }
    Ok(Ok(()))
}
