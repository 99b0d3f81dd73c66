//! The rules of moderation, without HTTP: who is an editor, decisions with their mails,
//! removal requests, and the attendee list as a spreadsheet-safe CSV.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::email::EmailAddress;
use crate::form::{check_stamp, spend_stamp};
use crate::limits::Action;
use crate::mail::{MailError, Message};
use crate::services::Services;
use crate::store::{Registration, Status, StoreError, Submission, SubmissionKind};
use crate::tokens::{Purpose, random_id};

/// The editor a bearer token belongs to. Every configured hash is compared, in constant
/// time, so the answer takes as long whichever editor (or none) matches.
pub fn editor_for<'c>(services: &'c Services, token: &str) -> Option<&'c str> {
    let presented: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    let mut found = None;
    for editor in &services.config.editors {
        if bool::from(editor.token_sha256.ct_eq(&presented)) {
            found = Some(editor.name.as_str());
        }
    }
    found
}

/// A submission as editors see it: what they decide on, and on what proof it stands, but
/// never the submitter's address or IP hash, nor the photo's bytes (it has its own URL).
#[derive(Debug, Clone, serde::Serialize)]
pub struct EditorItem {
    pub id: String,
    pub kind: SubmissionKind,
    pub slug: String,
    pub fields: std::collections::BTreeMap<String, String>,
    pub status: Status,
    pub proof: crate::proof::Proof,
    pub confirmed_at: Option<jiff::Timestamp>,
    pub created_at: jiff::Timestamp,
    pub decided_by: Option<String>,
    pub decided_at: Option<jiff::Timestamp>,
    pub reason: Option<String>,
    pub has_photo: bool,
    /// Where editors (with their token) and the export fetch the photo.
    pub photo_url: Option<String>,
    /// An announced event: the published member who announced it, if any (found by the
    /// address, which is not shown).
    pub organizer_member: Option<String>,
    /// A profile update: the profile as it is published, to compare field by field.
    pub current: Option<model::profile::FormFields>,
}

impl EditorItem {
    /// `submission` for editors, with the lookups an item of its kind needs.
    pub async fn of(
        services: &Services,
        submission: &Submission,
    ) -> Result<EditorItem, StoreError> {
        let organizer_member = if submission.kind == SubmissionKind::Event {
            services
                .store
                .member_by_email(&submission.email)
                .await?
                .filter(|slug| services.catalog().member_slugs.contains(slug))
        } else {
            None
        };
        let current = (submission.kind == SubmissionKind::Update)
            .then(|| services.catalog().member_fields(&submission.slug))
            .flatten();
        let proof = match submission.kind {
            SubmissionKind::Profile | SubmissionKind::Event => {
                crate::proof::Proof::AddressConfirmed
            }
            SubmissionKind::Update | SubmissionKind::Removal => crate::proof::Proof::MembersMailbox,
            SubmissionKind::Report => crate::proof::Proof::None,
        };
        Ok(EditorItem {
            id: submission.id.clone(),
            kind: submission.kind,
            slug: submission.slug.clone(),
            fields: submission.fields.clone(),
            status: submission.status,
            proof,
            confirmed_at: submission.confirmed_at,
            created_at: submission.created_at,
            decided_by: submission.decided_by.clone(),
            decided_at: submission.decided_at,
            reason: submission.reason.clone(),
            has_photo: submission.photo.is_some(),
            photo_url: submission
                .photo
                .is_some()
                .then(|| format!("/api/moderation/submissions/{}/photo", submission.id)),
            organizer_member,
            current,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    #[error("no such submission, or it is not waiting for a decision")]
    NotPending,
    #[error("a rejection needs a reason, which is mailed to the submitter")]
    ReasonRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// Approves or rejects a confirmed submission, records the editor and the time, and tells
/// the submitter (with the reason, for a rejection).
pub async fn decide(
    services: &Services,
    id: &str,
    decision: Status,
    editor: &str,
    reason: Option<&str>,
) -> Result<Submission, ModerationError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if decision == Status::Rejected && reason.is_none() {
        return Err(ModerationError::ReasonRequired);
    }
    let now = services.clock.now();
    let decided = match services
        .store
        .decide(id, decision, editor, reason, now)
        .await?
    {
        // A report has nobody to mail and nothing to export: handled is done.
        Some(decided) if decided.kind == SubmissionKind::Report => {
            if decision == Status::Approved {
                services.store.mark_exported(&decided.id, now).await?;
            }
            tracing::info!(event = "moderation", id = %decided.id, decision = decision.as_str(), editor);
            return Ok(decided);
        }
        Some(decided) => decided,
        // The same decision again: a retry after its mail failed, so the mail goes again
        // (and a removal's data is forgotten, if that did not happen). A removal already
        // forgotten has no address left to mail.
        None => match services.store.submission(id).await? {
            Some(earlier) if earlier.status == decision && !earlier.email.is_empty() => earlier,
            _ => return Err(ModerationError::NotPending),
        },
    };
    let reason = decided.reason.as_deref().or(reason);
    let what = match decided.kind {
        SubmissionKind::Profile => "メンバー登録",
        SubmissionKind::Removal => "プロフィールの削除依頼",
        SubmissionKind::Event => "イベントの掲載",
        SubmissionKind::Update => "プロフィールの更新",
        SubmissionKind::Report => "プロフィールの報告",
    };
    let body = match decision {
        Status::Rejected => format!(
            "{what}について、運営で確認した結果、今回はお受けできませんでした。\n\n理由:\n{}\n\nご不明な点は、このメールに返信してお問い合わせください。\n",
            reason.unwrap_or_default()
        ),
        _ => format!("{what}を承認しました。数日のうちにポータルに反映されます。\n"),
    };
    services
        .mailer
        .send(&Message {
            to: decided.email.clone(),
            subject: services.catalog().subject(&format!("{what}について")),
            body,
        })
        .await?;
    tracing::info!(event = "moderation", id = %decided.id, decision = decision.as_str(), editor);
    if decided.kind == SubmissionKind::Removal
        && decision == Status::Approved
        && !decided.email.is_empty()
    {
        forget_person(services, &decided).await?;
    }
    Ok(decided)
}

/// A confirmed, approved removal: the person's event sign-ups are withdrawn (freed seats go
/// to the waitlist) and everything the store holds about them is deleted, but for the
/// removal's slug and decision, which the export needs to delete the member's file.
async fn forget_person(services: &Services, removal: &Submission) -> Result<(), ModerationError> {
    for signup in services.store.registrations_of(&removal.email).await? {
        crate::events::withdraw(services, &signup.event, &removal.email)
            .await
            .map_err(|error| match error {
                crate::events::EventError::Mail(mail) => ModerationError::Mail(mail),
                other => ModerationError::Store(StoreError::Unavailable(other.to_string())),
            })?;
    }
    let deleted = services
        .store
        .forget_submissions(&removal.email, &removal.slug, &removal.id)
        .await?;
    let introductions = services.store.forget_introductions(&removal.slug).await?;
    tracing::info!(event = "person_forgotten", slug = %removal.slug, submissions = deleted, introductions);
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum RemovalError {
    #[error("{0}")]
    InvalidEmail(String),
    /// Looks automated: answered as any request is.
    #[error("rejected as spam: {0}")]
    Spam(&'static str),
    #[error("the form carries no valid stamp")]
    Unstamped,
    #[error("too many removal requests; try again later")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

crate::form::stamp_refusal!(RemovalError);

impl From<crate::proof::ProofError> for RemovalError {
    fn from(error: crate::proof::ProofError) -> RemovalError {
        match error {
            crate::proof::ProofError::RateLimited => RemovalError::RateLimited,
            crate::proof::ProofError::Store(store) => RemovalError::Store(store),
        }
    }
}

/// A member asks for their profile to be removed. The confirmation goes only to the address
/// their profile was submitted with (`proof.rs`), never to the typed one, so that only the
/// member can have it removed. The requester is answered the same whether or not the
/// address matched, and whether or not the slug is a published member, and the request
/// does the same work either way: one queued mail, real or blank, sent by the next run of
/// the mail job (`QueueingMailer::send_later`). The removal reaches the editors' queue when
/// the member confirms ([`confirm_removal`]).
pub async fn request_removal(
    services: &Services,
    slug: &str,
    fields: &model::profile::FormFields,
    client: &str,
) -> Result<(), RemovalError> {
    let now = services.clock.now();
    let stamp_expires = check_stamp(services, fields, now)?;
    let typed = fields
        .get(crate::form::EMAIL)
        .map(String::as_str)
        .unwrap_or("");
    let typed = EmailAddress::parse(typed).map_err(RemovalError::InvalidEmail)?;
    let owner =
        crate::proof::member_address(services, Action::RemovalRequest, slug, &typed, client)
            .await?;
    spend_stamp(services, fields, stamp_expires, now).await?;
    let message = owner.map(|email| {
        let valid = services.config.confirm_valid_seconds;
        let token = services.signer.sign(
            Purpose::Removal,
            &format!("{slug}\n{}", random_id()),
            now,
            valid,
        );
        Message {
            to: email,
            subject: services.catalog().subject("プロフィール削除の確認"),
            body: format!(
                "プロフィール（{slug}）の削除依頼を受け付けました。\n次のリンクを開き、表示されるページの「確認する」ボタンを押してください（{}時間有効）。確認のあと、運営が削除します。\n\n{}/api/confirm?token={token}\n\nお心当たりのない場合は、このメールを破棄してください。プロフィールはそのまま残ります。\n",
                valid / 3600,
                services.config.api_url
            ),
        }
    });
    services.mail_queue.send_later(message.as_ref()).await?;
    tracing::info!(event = "removal_requested", slug);
    Ok(())
}

/// The member confirmed their removal with the mailed link: the request reaches the
/// editors' queue, once per link, as long as the store still knows the member's address.
/// `Ok(false)` when the link was used already or the member is no longer known.
pub async fn confirm_removal(services: &Services, token: &str) -> Result<bool, ModerationError> {
    let now = services.clock.now();
    let Ok(verified) = services.signer.verify(token, Purpose::Removal, now) else {
        return Ok(false);
    };
    let Some((slug, _)) = verified.subject.split_once('\n') else {
        return Ok(false);
    };
    let key = format!("removal:{}", services.signer.hash("removal", token.trim()));
    if !services
        .store
        .use_once(&key, verified.expires_at, now)
        .await?
    {
        return Ok(false);
    }
    let Some(email) = services.store.member_email(slug).await? else {
        return Ok(false);
    };
    let mut removal = Submission::pending(
        random_id(),
        SubmissionKind::Removal,
        slug.to_owned(),
        email,
        String::new(),
        now,
        services.config.confirm_valid_seconds,
    );
    removal.confirmed_at = Some(now);
    removal.expires_at = None;
    services.store.create_submission(&removal).await?;
    tracing::info!(event = "removal_confirmed", slug);
    Ok(true)
}

/// The longest reason a report may give.
pub const MAX_REPORT_CHARS: usize = 1000;

/// A visitor reports member `slug`'s profile as fake or abusive. It reaches the editors'
/// queue with the reason and nothing else (no address is asked, nobody is mailed) and
/// changes nothing by itself; editors decide what to do. The answer is the same for any
/// slug, published or not. `Err(Invalid)` carries the reason's problem.
pub async fn report_profile(
    services: &Services,
    slug: &str,
    fields: &model::profile::FormFields,
    client: &str,
) -> Result<(), ReportError> {
    let now = services.clock.now();
    let fields = crate::form::normalize(fields);
    let stamp_expires = check_stamp(services, &fields, now)?;
    let reason = fields.get("reason").map(|r| r.trim()).unwrap_or("");
    let problem = if reason.is_empty() {
        Some("報告の理由を書いてください".to_owned())
    } else if reason.chars().count() > MAX_REPORT_CHARS {
        Some(format!("理由は{MAX_REPORT_CHARS}文字以内で書いてください"))
    } else if reason.chars().any(|c| c.is_control() && c != '\n') {
        Some("理由に制御文字が含まれています".to_owned())
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(ReportError::Invalid(problem));
    }
    if crate::limits::check(
        services,
        Action::Report,
        client,
        Some(&format!("member:{slug}")),
    )
    .await?
    .is_err()
    {
        return Err(ReportError::RateLimited);
    }
    spend_stamp(services, &fields, stamp_expires, now).await?;
    if !services.catalog().member_slugs.contains(slug) {
        return Ok(());
    }
    let mut report = Submission::pending(
        random_id(),
        SubmissionKind::Report,
        slug.to_owned(),
        String::new(),
        String::new(),
        now,
        0,
    );
    // Nothing to confirm: it mails nobody. It waits for the editors until they decide.
    report.confirmed_at = Some(now);
    report.expires_at = None;
    report.fields.insert("reason".into(), reason.to_owned());
    services.store.create_submission(&report).await?;
    tracing::info!(event = "profile_reported", slug);
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Invalid(String),
    #[error("rejected as spam: {0}")]
    Spam(&'static str),
    #[error("the form carries no valid stamp")]
    Unstamped,
    #[error("too many reports; try again later")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::form::stamp_refusal!(ReportError);

/// The attendee list of an event as CSV (RFC 4180, UTF-8 with a BOM so spreadsheet programs
/// read Japanese correctly). Cells that a spreadsheet would run as a formula are prefixed
/// with a quote.
pub fn registrations_csv(signups: &[Registration]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str("順番,状態,名前,メールアドレス,メッセージ,申込日時\r\n");
    for s in signups {
        let state = match s.state {
            crate::store::SeatState::Confirmed => "参加",
            crate::store::SeatState::Waitlisted => "キャンセル待ち",
        };
        let when = model::time::tokyo()
            .to_datetime(s.created_at)
            .strftime("%Y-%m-%d %H:%M")
            .to_string();
        let cells = [
            s.sequence.to_string(),
            state.into(),
            s.name.clone(),
            s.email.clone(),
            s.message.clone().unwrap_or_default(),
            when,
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

/// One CSV cell, quoted, with formula triggers (= + - @, tab, CR) neutralised.
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_become_formulas() {
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_cell("+81"), "\"'+81\"");
        assert_eq!(csv_cell("-1"), "\"'-1\"");
        assert_eq!(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_cell("山田, 花子"), "\"山田, 花子\"");
    }
}
