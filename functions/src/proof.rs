//! Who may act on a published member's data: only the person who reads the mailbox their
//! profile was submitted with. Every action that changes or removes a member's data (an
//! edit, a removal) asks here for the address to mail its link to, and never mails an
//! address the requester typed. The requester's answer is the same whether the address
//! matched, did not, or the slug is a draft or no member at all.

use crate::email::EmailAddress;
use crate::limits::Action;
use crate::signup::Services;
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
/// The limits count the client and the member (every request for `slug` counts, matched or
/// not), so that nobody can make the portal mail a member more than a few times a day.
pub async fn member_address(
    services: &Services,
    action: Action,
    slug: &str,
    typed: &EmailAddress,
    client: &str,
) -> Result<Option<String>, ProofError> {
    if crate::limits::check(services, action, client, &member_key(slug))
        .await?
        .is_err()
    {
        return Err(ProofError::RateLimited);
    }
    // The store is asked in every case, so that an unknown slug costs what a known one does.
    let owner = services.store.member_email(slug).await?;
    let published = services.catalog().member_slugs.contains(slug);
    match owner {
        Some(owner) if published && owner == typed.as_str() => Ok(Some(owner)),
        _ => {
            tracing::info!(event = "member_proof_refused", slug, action = action.name());
            Ok(None)
        }
    }
}

/// What the per-recipient limit counts for actions on a member: the member, not whatever
/// address was typed.
fn member_key(slug: &str) -> String {
    format!("member:{slug}")
}
