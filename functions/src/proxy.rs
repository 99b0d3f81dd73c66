//! Requests that come through the site's proxy: Netlify rewrites `/api/*` on the portal's
//! own origin to these functions and signs each request (a JWS, HS256, in `x-nf-sign`) with
//! a secret both sides know. A verified request tells who the client is
//! (`x-nf-client-connection-ip`, the address Netlify saw); an unsigned one is refused when the
//! production setting asks for the proxy, and a badly signed one always.

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::Sha256;

/// The header Netlify signs proxied requests in.
pub const SIGNATURE_HEADER: &str = "x-nf-sign";
/// The header in which Netlify names the client's address.
pub const CLIENT_HEADER: &str = "x-nf-client-connection-ip";
/// Clock difference tolerated between Netlify and Lambda when checking `exp`.
const LEEWAY_SECONDS: i64 = 30;

/// How the functions treat the proxy: the shared secret, and whether a request must come
/// through it (production) or may also come directly (a migration, local runs).
#[derive(Clone, PartialEq, Eq)]
pub struct ProxySettings {
    pub secret: Vec<u8>,
    pub required: bool,
}

impl std::fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxySettings")
            .field("secret", &"<hidden>")
            .field("required", &self.required)
            .finish()
    }
}

/// What a valid signature says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ProxyClaims {
    pub iss: String,
    pub exp: i64,
    #[serde(default)]
    pub deploy_context: Option<String>,
    #[serde(default)]
    pub site_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature is not a JWS in compact form (three base64url parts)")]
    Malformed,
    #[error("the signature's algorithm is `{0}`, not HS256")]
    Algorithm(String),
    #[error("the signature does not match the shared secret")]
    Mismatch,
    #[error("the signature was issued by `{0}`, not netlify")]
    Issuer(String),
    #[error("the signature expired at {0}")]
    Expired(i64),
}

#[derive(serde::Deserialize)]
struct JwsHeader {
    alg: String,
}

/// Checks a JWS from `x-nf-sign` against `secret` at `now`.
pub fn verify(token: &str, secret: &[u8], now: Timestamp) -> Result<ProxyClaims, SignatureError> {
    let mut parts = token.trim().split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SignatureError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| SignatureError::Malformed)
    };
    let jws_header: JwsHeader =
        serde_json::from_slice(&decode(header)?).map_err(|_| SignatureError::Malformed)?;
    // Only the one algorithm: `none` or a public-key algorithm must never pass.
    if jws_header.alg != "HS256" {
        return Err(SignatureError::Algorithm(jws_header.alg));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SignatureError::Mismatch)?;
    mac.update(header.as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    mac.verify_slice(&decode(signature)?)
        .map_err(|_| SignatureError::Mismatch)?;
    let claims: ProxyClaims =
        serde_json::from_slice(&decode(payload)?).map_err(|_| SignatureError::Malformed)?;
    if claims.iss != "netlify" {
        return Err(SignatureError::Issuer(claims.iss));
    }
    if claims.exp + LEEWAY_SECONDS < now.as_second() {
        return Err(SignatureError::Expired(claims.exp));
    }
    Ok(claims)
}

/// The client's address as the verified proxy names it.
pub fn client_address(value: &str) -> Option<IpAddr> {
    value.trim().parse().ok()
}

/// A token as Netlify makes one (for tests and the local proxy of `portal serve`).
pub fn sign(claims: &serde_json::Value, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(header.as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{header}.{payload}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a shared secret of at least thirty-two bytes";

    fn now() -> Timestamp {
        "2026-11-25T03:00:00Z".parse().unwrap()
    }

    fn claims(exp: i64) -> serde_json::Value {
        serde_json::json!({
            "deploy_context": "production",
            "site_url": "https://portal.example.org",
            "netlify_id": "site-id",
            "iss": "netlify",
            "exp": exp,
        })
    }

    #[test]
    fn a_token_signed_with_the_secret_passes() {
        let token = sign(&claims(now().as_second() + 300), SECRET);
        let verified = verify(&token, SECRET, now()).unwrap();
        assert_eq!(verified.deploy_context.as_deref(), Some("production"));
    }

    #[test]
    fn other_secrets_algorithms_issuers_and_old_tokens_fail() {
        let exp = now().as_second() + 300;
        assert_eq!(
            verify(
                &sign(&claims(exp), b"another secret entirely, also long"),
                SECRET,
                now()
            ),
            Err(SignatureError::Mismatch)
        );
        let mut other = claims(exp);
        other["iss"] = "someone".into();
        assert_eq!(
            verify(&sign(&other, SECRET), SECRET, now()),
            Err(SignatureError::Issuer("someone".into()))
        );
        let old = now().as_second() - 60;
        assert_eq!(
            verify(&sign(&claims(old), SECRET), SECRET, now()),
            Err(SignatureError::Expired(old))
        );
        // alg none with the same payload and no signature.
        let token = sign(&claims(exp), SECRET);
        let payload = token.split('.').nth(1).unwrap();
        let none = format!(
            "{}.{payload}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#)
        );
        assert_eq!(
            verify(&none, SECRET, now()),
            Err(SignatureError::Algorithm("none".into()))
        );
        // A payload changed after signing.
        let forged = {
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            let mut changed = claims(exp);
            changed["deploy_context"] = "deploy-preview".into();
            parts[1] = URL_SAFE_NO_PAD.encode(changed.to_string());
            parts.join(".")
        };
        assert_eq!(
            verify(&forged, SECRET, now()),
            Err(SignatureError::Mismatch)
        );
        for malformed in ["", "a.b", "a.b.c.d", "!!.!!.!!"] {
            assert_eq!(
                verify(malformed, SECRET, now()),
                Err(SignatureError::Malformed),
                "{malformed}"
            );
        }
    }
}
