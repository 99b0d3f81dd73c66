//! Settings of the functions, and the clock (injected so tests pass a fixed "now").

use std::sync::Mutex;

use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// An editor allowed to moderate, known by the SHA-256 of their bearer token.
#[derive(Debug, Clone)]
pub struct Editor {
    pub name: String,
    pub token_sha256: [u8; 32],
}

/// The default of `Config::mails_per_hour`: a burst of fake sign-ups costs at most this many
/// mails an hour (SES's sandbox sends at most 1 a second; see docs/deploy.md for its daily
/// quota).
pub const DEFAULT_MAILS_PER_HOUR: u32 = 50;

#[derive(Debug, Clone)]
pub struct Config {
    /// Signs tokens and salts IP hashes. Keep it secret; changing it invalidates open links.
    pub secret: Vec<u8>,
    /// The portal, e.g. `https://portal.example.org` (thanks pages, links in mails).
    pub site_url: String,
    /// Where these functions answer, e.g. `https://api.example.org` (links in mails).
    pub api_url: String,
    /// Origins allowed to post from a browser (the portal's own).
    pub allowed_origins: Vec<String>,
    pub editors: Vec<Editor>,
    /// A form sent sooner than this after it was served is taken for a bot.
    pub min_fill_seconds: i64,
    /// Sign-ups per client address and hour.
    pub signups_per_hour: u32,
    /// The portal's ceiling on mails the public forms may cause in an hour, whoever asks
    /// (`PORTAL_MAILS_PER_HOUR`): past it they answer 429 until the hour turns, before the
    /// mail service would throttle or suspend the sender (docs/deploy.md).
    pub mails_per_hour: u32,
    /// How long a confirmation link stays valid.
    pub confirm_valid_seconds: i64,
    /// The site's proxy (Netlify's signed rewrite of `/api/*`), when there is one: requests
    /// it signs name the client; see [`crate::proxy`].
    pub proxy: Option<crate::proxy::ProxySettings>,
}

impl Config {
    /// A configuration for tests and local runs.
    pub fn local(secret: &[u8]) -> Config {
        Config {
            secret: secret.to_vec(),
            site_url: "http://127.0.0.1:8000".into(),
            api_url: "http://127.0.0.1:8787".into(),
            allowed_origins: vec![
                "http://127.0.0.1:8000".into(),
                "http://127.0.0.1:8787".into(),
            ],
            editors: Vec::new(),
            min_fill_seconds: 3,
            signups_per_hour: 5,
            mails_per_hour: DEFAULT_MAILS_PER_HOUR,
            confirm_valid_seconds: 48 * 3600,
            proxy: None,
        }
    }

    /// Trusts the proxy that signs with `secret`; `required` refuses requests it did not
    /// sign (the production setting).
    pub fn behind_proxy(mut self, secret: &[u8], required: bool) -> Config {
        self.proxy = Some(crate::proxy::ProxySettings {
            secret: secret.to_vec(),
            required,
        });
        self
    }

    /// Adds an editor by their token (only its hash is kept).
    pub fn with_editor(mut self, name: &str, token: &str) -> Config {
        self.editors.push(Editor {
            name: name.into(),
            token_sha256: Sha256::digest(token.as_bytes()).into(),
        });
        self
    }
}

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until moved: tests never depend on today's date.
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    pub fn new(at: Timestamp) -> FixedClock {
        FixedClock(Mutex::new(at))
    }

    pub fn advance(&self, seconds: i64) {
        if let Ok(mut now) = self.0.lock() {
            *now = now
                .checked_add(jiff::SignedDuration::from_secs(seconds))
                .unwrap_or(*now);
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0.lock().map(|t| *t).unwrap_or_default()
    }
}
