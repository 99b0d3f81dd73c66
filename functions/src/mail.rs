//! Outgoing mail: `trait Mailer`, with a local outbox folder (one `.eml` file per message)
//! for local runs and tests; Amazon SES in production.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use jiff::Timestamp;

/// A mail as the functions write it (its own module, so that the store can queue one
/// without depending on the mailers).
pub use crate::message::Message;

#[derive(Debug, thiserror::Error)]
#[error("mail could not be sent: {0}")]
pub struct MailError(pub String);

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &Message) -> Result<(), MailError>;
}

/// The most characters of text someone else chose (a name, a title) that a mail quotes: a
/// mail sent to an address anyone can type must not carry a message of theirs.
pub const QUOTED_CHARS: usize = 30;

/// Text someone chose, as a mail to an address they may not own quotes it: at most
/// [`QUOTED_CHARS`] characters, and nothing at all if it looks like a link or an address
/// (`://`, `www.`, `example.com`, `a@b`, also in full-width letters), which a mail client
/// would make clickable. `None` then: the mail says it without the text.
pub fn quoted(untrusted: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = untrusted.nfkc().collect::<String>().to_lowercase();
    let folded = folded.replace(['。', '｡', '．'], ".");
    let bytes = folded.as_bytes();
    let domain_like = bytes.windows(3).enumerate().any(|(i, w)| {
        w[0].is_ascii_alphanumeric()
            && w[1] == b'.'
            && w[2].is_ascii_alphabetic()
            && bytes.get(i + 3).is_some_and(u8::is_ascii_alphabetic)
    });
    if folded.contains("://") || folded.contains("www.") || folded.contains('@') || domain_like {
        return None;
    }
    let text = untrusted.trim();
    let mut short: String = text.chars().take(QUOTED_CHARS).collect();
    if text.chars().count() > QUOTED_CHARS {
        short.push('…');
    }
    Some(short)
}

/// The first line of a mail to a person by the name they gave: "山田 花子 様", or a
/// greeting without it when the name is not one a mail may quote (see [`quoted`]).
pub fn greeting(name: &str) -> String {
    match quoted(name) {
        Some(name) => format!("{name} 様"),
        None => "お申し込みいただいた方へ".to_owned(),
    }
}

/// Sends through another mailer; a message that fails is kept in the store's mail queue
/// and sent again by `retry`, so that a person whose request was already stored (a
/// decision, a promotion from the waitlist) is not stranded by a passing mail outage.
/// A queued message is deleted once sent.
pub struct QueueingMailer {
    inner: Arc<dyn Mailer>,
    store: Arc<dyn crate::store::Store>,
    clock: Arc<dyn crate::config::Clock>,
}

impl QueueingMailer {
    pub fn new(
        inner: Arc<dyn Mailer>,
        store: Arc<dyn crate::store::Store>,
        clock: Arc<dyn crate::config::Clock>,
    ) -> QueueingMailer {
        QueueingMailer {
            inner,
            store,
            clock,
        }
    }

    /// Puts `message` in the store's queue, to be sent by the next [`QueueingMailer::retry`]
    /// (a job run every minute, or a local timer), not now. `None` queues a blank in its
    /// place, dropped unsent: a request whose answer must not tell whether a mail went out
    /// (an edit or removal link for an address that is not the member's) does the same
    /// work either way, one write, and waits for no mail service.
    pub async fn send_later(
        &self,
        message: Option<&Message>,
    ) -> Result<(), crate::store::StoreError> {
        let blank = Message {
            to: String::new(),
            subject: String::new(),
            body: String::new(),
        };
        let id = crate::tokens::random_id();
        self.store
            .queue_mail(&id, message.unwrap_or(&blank), self.clock.now())
            .await
    }

    /// Sends what is queued, oldest first, at most `limit`; returns how many went out.
    pub async fn retry(&self, limit: usize) -> Result<usize, crate::store::StoreError> {
        let mut sent = 0;
        for (id, message) in self.store.queued_mail(limit).await? {
            // Taken out before sending: a retry running at the same time skips it.
            if !self.store.unqueue_mail(&id).await? {
                continue;
            }
            // A blank (see `send_later`) only took a request's time; nobody gets it.
            if message.to.is_empty() {
                continue;
            }
            if let Err(error) = self.inner.send(&message).await {
                tracing::warn!(event = "mail_retry_failed", error = %error);
                self.store
                    .queue_mail(&id, &message, self.clock.now())
                    .await?;
                break;
            }
            sent += 1;
        }
        if sent > 0 {
            tracing::info!(event = "mail_retried", sent);
        }
        Ok(sent)
    }
}

#[async_trait]
impl Mailer for QueueingMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let Err(error) = self.inner.send(message).await else {
            return Ok(());
        };
        let id = crate::tokens::random_id();
        match self.store.queue_mail(&id, message, self.clock.now()).await {
            Ok(()) => {
                tracing::warn!(event = "mail_queued", error = %error);
                Ok(())
            }
            // Neither sent nor kept: the caller must say so.
            Err(_) => Err(error),
        }
    }
}

/// Writes each message as an RFC 5322 file into a folder, as a real mail would be.
pub struct OutboxMailer {
    dir: PathBuf,
    from: String,
}

impl OutboxMailer {
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> OutboxMailer {
        OutboxMailer {
            dir: dir.into(),
            from: from.into(),
        }
    }

    /// Every message in the outbox, oldest first, as file texts.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }
}

/// The message as an RFC 5322 text with a UTF-8 body.
pub fn render_eml(from: &str, message: &Message, date: Timestamp, id: &str) -> String {
    let date = date.strftime("%a, %d %b %Y %H:%M:%S +0000");
    let body = message.body.replace("\r\n", "\n").replace('\n', "\r\n");
    format!(
        "From: {from}\r\nTo: {}\r\nSubject: {}\r\nDate: {date}\r\nMessage-ID: <{id}@portal>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        message.to,
        crate::email::encode_header(&message.subject),
    )
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let now = Timestamp::now();
        let id = crate::tokens::random_id();
        let text = render_eml(&self.from, message, now, &id);
        let path = self.dir.join(format!("{}-{id}.eml", now.as_nanosecond()));
        // Mails hold addresses and links: owner-only folder and files.
        crate::private_files::private_dir(&self.dir)
            .map_err(|e| MailError(format!("{}: {e}", self.dir.display())))?;
        let written = path.clone();
        tokio::task::spawn_blocking(move || {
            crate::private_files::write_private(&written, text.as_bytes())
        })
        .await
        .map_err(|e| MailError(format!("writing {}: {e}", path.display())))?
        .map_err(|e| MailError(format!("{}: {e}", path.display())))
    }
}

/// Sends through Amazon SES (v2 API) from a verified address.
#[cfg(feature = "aws")]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    from: String,
}

#[cfg(feature = "aws")]
impl SesMailer {
    pub fn new(client: aws_sdk_sesv2::Client, from: impl Into<String>) -> SesMailer {
        SesMailer {
            client,
            from: from.into(),
        }
    }
}

#[cfg(feature = "aws")]
#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        use aws_sdk_sesv2::types::{
            Body, Content, Destination, EmailContent, Message as SesMessage,
        };
        let text = |data: &str| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| MailError(e.to_string()))
        };
        let email = SesMessage::builder()
            .subject(text(&message.subject)?)
            .body(Body::builder().text(text(&message.body)?).build())
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&message.to).build())
            .content(EmailContent::builder().simple(email).build())
            .send()
            .await
            .map(|_| ())
            // SES's reason can name addresses (the identities it refused): taken out, since
            // the error is logged.
            .map_err(|e| {
                MailError(crate::redact::redact(
                    &aws_sdk_sesv2::error::DisplayErrorContext(e).to_string(),
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_others_chose_is_short_and_never_a_link_in_a_mail() {
        assert_eq!(quoted("山田 花子").as_deref(), Some("山田 花子"));
        assert_eq!(quoted("Emily Clark").as_deref(), Some("Emily Clark"));
        assert_eq!(
            quoted(&"長".repeat(40)),
            Some(format!("{}…", "長".repeat(30)))
        );
        for link in [
            "https://evil.example/login",
            "当選しました www.example.com",
            "evil.example で確認",
            "ｅｖｉｌ．ｅｘａｍｐｌｅ",
            "evil。com",
            "support@evil.example",
            "hxxp://x",
        ] {
            assert_eq!(quoted(link), None, "{link}");
        }
        assert_eq!(greeting("http://x.example"), "お申し込みいただいた方へ");
        assert_eq!(greeting("佐藤 健"), "佐藤 健 様");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_outbox_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox");
        let mailer = OutboxMailer::new(&outbox, "portal@example.org");
        let message = Message {
            to: "a@example.org".into(),
            subject: "s".into(),
            body: "b".into(),
        };
        mailer.send(&message).await.unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&outbox), 0o700);
        let file = std::fs::read_dir(&outbox)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn renders_utf8_mail_with_encoded_subject() {
        let message = Message {
            to: "a@example.org".into(),
            subject: "登録の確認".into(),
            body: "こんにちは\n確認してください".into(),
        };
        let eml = render_eml(
            "portal@example.org",
            &message,
            "2026-11-25T03:00:00Z".parse().unwrap(),
            "x1",
        );
        assert!(
            eml.contains("Subject: =?UTF-8?B?55m76Yyy44Gu56K66KqN?=\r\n"),
            "{eml}"
        );
        assert!(eml.contains("Date: Wed, 25 Nov 2026 03:00:00 +0000\r\n"));
        assert!(eml.ends_with("こんにちは\r\n確認してください\r\n"));
    }

    /// Amazon SES through the local AWS-protocol server that `scripts/test` starts.
    #[cfg(feature = "aws")]
    #[tokio::test]
    async fn ses_sends_from_a_verified_address_only() {
        use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
        let endpoint = std::env::var("PORTAL_TEST_AWS_ENDPOINT")
            .expect("PORTAL_TEST_AWS_ENDPOINT is not set: run scripts/test, which starts a local AWS-protocol server (moto)");
        let config = aws_sdk_sesv2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new("local", "local", None, None, "local"))
            .build();
        let client = aws_sdk_sesv2::Client::from_conf(config);
        let sender = format!(
            "portal-{}@example.org",
            crate::tokens::random_id().to_lowercase()
        );
        client
            .create_email_identity()
            .email_identity(&sender)
            .send()
            .await
            .expect("identity");
        let message = Message {
            to: "hanako@example.jp".into(),
            subject: "登録の確認".into(),
            body: "確認してください".into(),
        };
        SesMailer::new(client.clone(), &sender)
            .send(&message)
            .await
            .expect("sent");
        // With a Japanese display name, encoded for the header, as production sends it.
        SesMailer::new(
            client.clone(),
            crate::email::from_mailbox("まじわる", &sender),
        )
        .send(&message)
        .await
        .expect("sent with a display name");
        let unverified = SesMailer::new(client, "nobody@unverified.example")
            .send(&message)
            .await;
        let error = unverified.expect_err("an unverified sender is refused");
        assert!(
            !error.to_string().contains('@'),
            "errors carry no address, neither the recipient's nor the sender's: {error}"
        );
    }

    #[tokio::test]
    async fn the_outbox_keeps_one_file_per_message() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = OutboxMailer::new(dir.path().join("outbox"), "portal@example.org");
        for n in 0..2 {
            mailer
                .send(&Message {
                    to: "a@example.org".into(),
                    subject: format!("s{n}"),
                    body: "b".into(),
                })
                .await
                .unwrap();
        }
        let messages = mailer.messages();
        assert_eq!(messages.len(), 2);
        assert!(messages[0].contains("Subject: s0"));
    }
}
