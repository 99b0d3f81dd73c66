//! Signed, expiring tokens for links in e-mails and for the form's fill-time stamp:
//! `base64url(payload).base64url(HMAC-SHA256(secret, payload))`, checked in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// What a token allows; a token made for one purpose is refused for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// Confirms a submission's e-mail address (subject: submission id).
    Confirm,
    /// Cancels an event sign-up (subject: `event` + newline + e-mail).
    Cancel,
    /// Stamps when the join form was served (subject: a random id, used once).
    Form,
    /// Confirms the address of a held event sign-up (subject: the held sign-up's id).
    Seat,
    /// Opens a published member's profile for editing (subject: the member's slug and a
    /// random part, so that each link is spent on its own).
    Edit,
    /// Confirms that a member asks for their profile's removal (subject: the slug and a
    /// random part); the removal is queued for the editors when the member confirms.
    Removal,
    /// Sends a held introduction request: the requester's proof (subject: the request's id).
    IntroductionSend,
    /// Opens a request for its recipient's answer (subject: the request's id).
    IntroductionAnswer,
    /// Opens a request for its recipient's report to the editors (subject: the request's id).
    IntroductionReport,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    p: Purpose,
    s: String,
    /// Issued at, Unix seconds.
    i: i64,
    /// Expires at, Unix seconds.
    e: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link is damaged or was not made by this site")]
    Invalid,
    #[error("the link has expired")]
    Expired,
}

/// A verified token's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub subject: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub fn new(secret: &[u8]) -> Signer {
        Signer {
            key: secret.to_vec(),
        }
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length.
        Hmac::<Sha256>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    pub fn sign(
        &self,
        purpose: Purpose,
        subject: &str,
        now: Timestamp,
        valid_seconds: i64,
    ) -> String {
        let payload = Payload {
            p: purpose,
            s: subject.to_owned(),
            i: now.as_second(),
            e: now.as_second() + valid_seconds,
        };
        let json = serde_json::to_vec(&payload).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&json);
        let signature = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&json),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    pub fn verify(
        &self,
        token: &str,
        purpose: Purpose,
        now: Timestamp,
    ) -> Result<Verified, TokenError> {
        let (payload, signature) = token.trim().split_once('.').ok_or(TokenError::Invalid)?;
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Invalid)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Invalid)?;
        let mut mac = self.mac();
        mac.update(&json);
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::Invalid)?;
        let payload: Payload = serde_json::from_slice(&json).map_err(|_| TokenError::Invalid)?;
        if payload.p != purpose {
            return Err(TokenError::Invalid);
        }
        if now.as_second() >= payload.e {
            return Err(TokenError::Expired);
        }
        let issued_at = Timestamp::from_second(payload.i).map_err(|_| TokenError::Invalid)?;
        let expires_at = Timestamp::from_second(payload.e).map_err(|_| TokenError::Invalid)?;
        Ok(Verified {
            subject: payload.s,
            issued_at,
            expires_at,
        })
    }

    /// A salted, keyed hash of a client address: stable for rate limits, useless to recover the address.
    /// A salted, keyed hash of `value` in the namespace `kind` (`ip`, `email`, `stamp`):
    /// for counting or recognising a value without keeping it.
    pub fn hash(&self, kind: &str, value: &str) -> String {
        let mut mac = self.mac();
        mac.update(kind.as_bytes());
        mac.update(b"\n");
        mac.update(value.as_bytes());
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
    }

    pub fn hash_email(&self, email: &str) -> String {
        self.hash("email", email)
    }

    pub fn hash_ip(&self, ip: &str) -> String {
        self.hash("ip", ip)
    }
}

/// A random identifier (128 bits, URL-safe).
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // The OS random source only fails on broken systems; a time-derived fallback keeps ids unique.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = Timestamp::now().as_nanosecond().to_le_bytes();
        bytes.copy_from_slice(&nanos);
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-25T03:00:00Z".parse().unwrap()
    }

    #[test]
    fn round_trips_within_its_lifetime() {
        let signer = Signer::new(b"secret");
        let token = signer.sign(Purpose::Confirm, "abc", now(), 3600);
        let verified = signer.verify(&token, Purpose::Confirm, now()).unwrap();
        assert_eq!(
            (verified.subject.as_str(), verified.issued_at),
            ("abc", now())
        );
    }

    #[test]
    fn refuses_expired_tampered_foreign_and_misused_tokens() {
        let signer = Signer::new(b"secret");
        let token = signer.sign(Purpose::Confirm, "abc", now(), 3600);
        let later: Timestamp = "2026-11-25T04:00:00Z".parse().unwrap();
        assert_eq!(
            signer.verify(&token, Purpose::Confirm, later),
            Err(TokenError::Expired)
        );
        assert_eq!(
            signer.verify(&token, Purpose::Cancel, now()),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            Signer::new(b"other").verify(&token, Purpose::Confirm, now()),
            Err(TokenError::Invalid)
        );
        let forged = signer.sign(Purpose::Confirm, "xyz", now(), 3600);
        let spliced = format!(
            "{}.{}",
            forged.split('.').next().unwrap(),
            token.split('.').nth(1).unwrap()
        );
        assert_eq!(
            signer.verify(&spliced, Purpose::Confirm, now()),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            signer.verify("garbage", Purpose::Confirm, now()),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn ip_hashes_are_stable_and_keyed() {
        let signer = Signer::new(b"secret");
        assert_eq!(signer.hash_ip("203.0.113.7"), signer.hash_ip("203.0.113.7"));
        assert_ne!(
            signer.hash_ip("203.0.113.7"),
            Signer::new(b"other").hash_ip("203.0.113.7")
        );
        assert!(!signer.hash_ip("203.0.113.7").contains("203"));
    }
}
