//! Rate limits on everything that mails someone or stores something, counted per client
//! and per recipient address, so that the portal cannot be used to mail arbitrary
//! addresses in bulk. Keys are salted hashes: no address or IP is stored in a limit.

use crate::services::Services;
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
    /// A request for a profile's edit link (mails the member).
    ProfileEdit,
    /// A member's update through their link (stores it for the editors; mails nobody).
    ProfileUpdate,
    /// A report of a profile (stores it for the editors; mails nobody).
    Report,
    /// An introduction request (holds it, mails the requester the link that sends it).
    Introduction,
    /// A sent introduction request (mails the member asked).
    IntroductionDelivery,
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
            Action::ProfileUpdate => "update",
            Action::Report => "report",
            Action::Introduction => "introduction",
            Action::IntroductionDelivery => "introduction-delivery",
        }
    }

    fn per_client_per_hour(self, services: &Services) -> u32 {
        match self {
            Action::ProfileSignup
            | Action::RemovalRequest
            | Action::EventAnnouncement
            | Action::ProfileEdit
            | Action::ProfileUpdate
            | Action::Report
            | Action::Introduction
            | Action::IntroductionDelivery => services.config.signups_per_hour,
            // A desk of colleagues signing up for one meetup shares an address.
            Action::EventSignup => EVENT_SIGNUPS_PER_CLIENT_HOUR,
        }
    }

    /// Whether the action mails someone, and so counts against the portal's hourly ceiling
    /// (a report mails nobody: a flood of them must not stop the mail of sign-ups).
    fn mails(self) -> bool {
        // A delivery's mail is counted by `count_portal_mail` once the rules let it go.
        !matches!(
            self,
            Action::Report | Action::ProfileUpdate | Action::IntroductionDelivery
        )
    }

    /// Mails one address may receive per day for this action, whoever asks.
    fn per_recipient_per_day(self) -> u32 {
        match self {
            Action::ProfileSignup
            | Action::RemovalRequest
            | Action::EventAnnouncement
            | Action::ProfileEdit
            | Action::ProfileUpdate => 3,
            // Reports of one member a day, from anyone: enough to be heard, too few to bury
            // the editors' queue.
            Action::Report => 10,
            Action::EventSignup => 10,
            // Links to send a request: a requester asks a few people a day at most.
            Action::Introduction => 5,
            // Never reached: a send is counted against its client only (a recipient counted
            // per attempt could be silenced by re-posting a refused link).
            Action::IntroductionDelivery => 5,
        }
    }
}

/// Which limit was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Client,
    Recipient,
    /// The portal's own ceiling on mails an hour (`Config::mails_per_hour`), reached before
    /// the mail service would throttle or suspend the sender.
    Portal,
}

/// An IPv6 /48 is one site (an office, a provider's customer): it may hold many /64s, so it
/// is counted too, with this many times a /64's limit.
pub const IPV6_48_FACTOR: u32 = 4;

/// The keys a client is counted under: its rate key (an IPv4 address or an IPv6 /64), and
/// for IPv6 also the /48 around it, so that rotating through a site's /64s gains little.
fn client_keys(client: &str) -> Vec<(String, u32)> {
    let mut keys = vec![(client.to_owned(), 1)];
    if let Some(network) = client
        .strip_suffix("/64")
        .and_then(|n| n.parse::<std::net::Ipv6Addr>().ok())
    {
        let s = network.segments();
        let site = std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
        keys.push((format!("{site}/48"), IPV6_48_FACTOR));
    }
    keys
}

/// Mails one mailbox may receive in a day from the portal, whatever the actions: each
/// action has its own limit too, and together they must not make a flood.
pub const MAILS_PER_MAILBOX_DAY: u32 = 12;

/// The share of the portal's hourly mail ceiling one client may use (at least 5): one
/// address cannot stop everyone else's mail.
fn client_share(services: &Services) -> u32 {
    (services.config.mails_per_hour / 5).max(5)
}

/// Counts one `action` by `client` (its rate key) for `recipient`, the address it would
/// mail (counted by its mailbox: see `email::mailbox_key`), or for an action that mails
/// nobody, what it is about (`member:<slug>`). `Err(Limited)` once a limit is reached.
///
/// The client is counted first, so a client over its limit does not use up the
/// recipient's. Then, only for mail that will really be sent: the recipient for this
/// action and across all actions, the client's share of the portal's hourly ceiling, and
/// the ceiling itself. `recipient: None` is a request that mails nobody but must not show
/// it (an edit or removal link for an address that is not the member's): the same counts
/// are made on keys of their own, so the work is the same, and nobody's limit is used up.
pub async fn check(
    services: &Services,
    action: Action,
    client: &str,
    recipient: Option<&str>,
) -> Result<Result<(), Limited>, StoreError> {
    let now = services.clock.now();
    for (key, factor) in client_keys(client) {
        let client_key = format!("{}:ip:{}", action.name(), services.signer.hash_ip(&key));
        let limit = action.per_client_per_hour(services).saturating_mul(factor);
        if !services.store.allow(&client_key, limit, 3600, now).await? {
            return Ok(Err(Limited::Client));
        }
    }
    let decoy = || format!("decoy:{}", crate::tokens::random_id());
    let recipient_key = match recipient {
        Some(recipient) => format!(
            "{}:to:{}",
            action.name(),
            services
                .signer
                .hash_email(&crate::email::mailbox_key(recipient))
        ),
        None => decoy(),
    };
    if !services
        .store
        .allow(&recipient_key, action.per_recipient_per_day(), 86_400, now)
        .await?
    {
        return Ok(Err(Limited::Recipient));
    }
    if !action.mails() {
        return Ok(Ok(()));
    }
    let (mailbox_key, share_key, ceiling_key) = match recipient {
        Some(recipient) => (
            format!(
                "mailbox:{}",
                services
                    .signer
                    .hash_email(&crate::email::mailbox_key(recipient))
            ),
            format!("mail:ip:{}", services.signer.hash_ip(client)),
            "portal:mails".to_owned(),
        ),
        None => (decoy(), decoy(), decoy()),
    };
    if !services
        .store
        .allow(&mailbox_key, MAILS_PER_MAILBOX_DAY, 86_400, now)
        .await?
    {
        return Ok(Err(Limited::Recipient));
    }
    if !services
        .store
        .allow(&share_key, client_share(services), 3600, now)
        .await?
    {
        return Ok(Err(Limited::Client));
    }
    if !services
        .store
        .allow(&ceiling_key, services.config.mails_per_hour, 3600, now)
        .await?
    {
        tracing::warn!(event = "mail_ceiling_reached", action = action.name());
        return Ok(Err(Limited::Portal));
    }
    Ok(Ok(()))
}

/// Counts one mail against the portal's hourly ceiling for mail no form limit covers (an
/// introduction delivered, accepted or closed: bounded by the introduction rules instead).
/// `false` once the ceiling is reached; a caller that must send anyway (an acceptance)
/// still has it counted.
pub async fn count_portal_mail(services: &Services) -> Result<bool, StoreError> {
    let now = services.clock.now();
    let allowed = services
        .store
        .allow("portal:mails", services.config.mails_per_hour, 3600, now)
        .await?;
    if !allowed {
        tracing::warn!(event = "mail_ceiling_reached", action = "introduction");
    }
    Ok(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_their_48() {
        assert_eq!(
            client_keys("2001:db8:1:2::/64"),
            [
                ("2001:db8:1:2::/64".to_owned(), 1),
                ("2001:db8:1::/48".to_owned(), IPV6_48_FACTOR)
            ]
        );
        assert_eq!(client_keys("203.0.113.7"), [("203.0.113.7".to_owned(), 1)]);
    }
}
