//! Who may act on a published member's data: only the person who reads the mailbox their
//! profile was submitted with. Every action that changes or removes a member's data (an
//! edit, a removal) asks here for the address to mail its link to, and never mails an
//! address the requester typed. The requester's answer is the same whether the address
//! matched, did not, or the slug is a draft or no member at all.

use crate::email::EmailAddress;
use crate::limits::{Action, Limited};
use crate::services::Services;
use crate::store::StoreError;

/// On what an item in the moderation queue stands, as the editors' page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Proof {
    /// The submitter opened a link mailed to the address they gave (a new profile, an
    /// announced event): the address is theirs, nothing more.
    AddressConfirmed,
    /// The member opened a link mailed to the address their published profile was
    /// submitted with: the member themself asks (an edit, a removal).
    MembersMailbox,
    /// Nobody proved anything (a visitor's report): it changes nothing by itself.
    None,
}

#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error("too many requests for this member or from this client; try again later")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The address to mail `action`'s link to for member `slug`, if `typed` is the address
/// their profile was submitted with; `None` otherwise (an address that does not match, a
/// draft, a slug with no published member). Callers answer both the same.
///
/// The limits count the client always, and the member's mailbox only when a link will
/// really be mailed: a stranger typing other addresses cannot use up the member's own
/// requests. A miss makes the same counts on keys of its own (`limits::check` with no
/// recipient), so the work is the same either way; and a limit only a match can reach (the
/// member's mailbox, the portal's hourly mail) is answered as a miss, with no mail.
pub async fn member_address(
    services: &Services,
    action: Action,
    slug: &str,
    typed: &EmailAddress,
    client: &str,
) -> Result<Option<String>, ProofError> {
    let owner = services.store.member_email(slug).await?;
    let published = services.catalog().member_slugs.contains(slug);
    let matched = owner.filter(|owner| published && owner == typed.as_str());
    match crate::limits::check(services, action, client, matched.as_deref()).await? {
        Ok(()) => {}
        // The client's own limit is the same for a match and a miss: said.
        Err(Limited::Client) => return Err(ProofError::RateLimited),
        // A limit of the member's mailbox or of the portal's mail is reached only when the
        // address matched: saying so would tell a stranger whose address it is (found by
        // an outside attack). Answered as any request; nothing is mailed.
        Err(Limited::Recipient | Limited::Portal) => {
            tracing::warn!(event = "member_proof_limited", slug, action = action.name());
            return Ok(None);
        }
    }
    if matched.is_none() {
        tracing::info!(event = "member_proof_refused", slug, action = action.name());
    }
    Ok(matched)
}
