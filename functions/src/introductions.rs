//! Introductions by consent: a published member asks to be introduced to another member.
//! A link mailed to the address the requester's profile was submitted with proves them (and
//! only the button of the page it opens sends the request); the recipient answers from a
//! link in their mail; only an acceptance mails both each other's name, organization and
//! address. A decline, a block and silence all look the same to the requester: after 14
//! days they are told the request was not accepted.

use jiff::Timestamp;
use model::profile::{FieldErrors, FormFields};

use crate::email::EmailAddress;
use crate::form::{EMAIL, check_stamp, normalize, spend_stamp};
use crate::limits::Action;
use crate::mail::{MailError, Message};
use crate::services::Services;
use crate::store::{
    Answer, INTRODUCTION_RULES, Introduction, IntroductionState, SendOutcome, StoreError,
};
use crate::tokens::{Purpose, random_id};

/// The form's fields: the requester's own profile and a short note.
pub const FROM: &str = "from";
pub const NOTE: &str = "note";
pub const NOTE_MAX_CHARS: usize = 400;
/// The mailed links' token, and the recipient's choice.
pub const TOKEN: &str = "token";
pub const ANSWER: &str = "answer";
pub const REASON: &str = "reason";
pub const REASON_MAX_CHARS: usize = 1000;

/// Why a request, an answer or a report was not taken.
#[derive(Debug, thiserror::Error)]
pub enum IntroductionError {
    #[error("some fields need fixing")]
    Invalid(FieldErrors),
    #[error("rejected as spam: {0}")]
    Spam(&'static str),
    #[error("the form carries no valid stamp")]
    Unstamped,
    #[error("too many requests; try again later")]
    RateLimited,
    /// The member asked is no published member who takes requests.
    #[error("this member does not take introduction requests")]
    NotTaking,
    /// The portal has no address for the member asked (their profile came from an editor).
    #[error("this member cannot be reached through the portal")]
    Unreachable,
    #[error("the requester has 3 open requests")]
    TooManyOpen,
    #[error("the requester sent 10 requests in 7 days")]
    TooManyThisWeek,
    #[error("the requester has an open request to this member")]
    PairOpen,
    #[error("the editors suspended the requester")]
    Suspended,
    /// The link was used already, has expired or is not one of ours.
    #[error("the link was used already or has expired")]
    LinkSpent,
    /// The answer does not apply to the request as it stands (answered already, closed).
    #[error("the request was answered already or has closed")]
    Answered(Box<Introduction>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

crate::form::stamp_refusal!(IntroductionError);

impl From<crate::proof::ProofError> for IntroductionError {
    fn from(error: crate::proof::ProofError) -> IntroductionError {
        match error {
            crate::proof::ProofError::RateLimited => IntroductionError::RateLimited,
            crate::proof::ProofError::Store(store) => IntroductionError::Store(store),
        }
    }
}

/// What a request or an answer mail says of a member: their public profile, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicProfile {
    pub slug: String,
    pub name: String,
    pub organization: Option<String>,
    pub sector: String,
    pub interests: Vec<String>,
}

/// Member `slug`, if published and taking requests.
fn taking_requests(services: &Services, slug: &str) -> Option<PublicProfile> {
    let member = services.catalog().member(slug)?;
    (member.introductions == model::Introductions::Open).then(|| profile_of(&member))
}

fn profile_of(member: &model::Member) -> PublicProfile {
    PublicProfile {
        slug: member.slug.clone(),
        name: member.name.clone(),
        organization: member.organization.clone(),
        sector: member.sector.name_ja().to_owned(),
        interests: member.interests.iter().map(|i| i.value.clone()).collect(),
    }
}

/// A published member's public profile (whether or not they take requests).
pub fn public_profile(services: &Services, slug: &str) -> Option<PublicProfile> {
    services.catalog().member(slug).map(|m| profile_of(&m))
}

/// The interests two members share, in the first one's order (compared as the site's
/// taxonomy compares them).
pub fn shared_interests(one: &PublicProfile, other: &PublicProfile) -> Vec<String> {
    let theirs: std::collections::HashSet<String> = (other.interests.iter())
        .map(|i| model::slug::term_slug(i))
        .collect();
    (one.interests.iter())
        .filter(|i| theirs.contains(&model::slug::term_slug(i)))
        .cloned()
        .collect()
}

/// The slug the requester typed: their profile's id, or its address on this site.
fn requester_slug(services: &Services, typed: &str) -> Option<String> {
    let typed = typed.trim();
    let site = services.config.site_url.trim_end_matches('/');
    let slug = match typed.strip_prefix(site) {
        Some(path) if !site.is_empty() => path.strip_prefix("/members/")?.trim_end_matches('/'),
        _ => typed,
    };
    model::slug::is_valid_slug(slug).then(|| slug.to_owned())
}

/// The note as it will be stored, or what is wrong with it.
pub fn check_note(note: &str) -> Result<String, String> {
    let note = note.replace("\r\n", "\n").trim().to_owned();
    let chars = note.chars().count();
    if chars == 0 {
        return Err("ひとことを書いてください（どんな話をしたいか、など）".into());
    }
    if chars > NOTE_MAX_CHARS {
        return Err(format!(
            "{NOTE_MAX_CHARS}字以内にしてください（いま{chars}字です）"
        ));
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
        || model::text::hidden_format_char(&note).is_some()
    {
        return Err("見えない文字や制御文字は使えません。ふつうの文章で書いてください".into());
    }
    Ok(note)
}

/// Member `to` is asked for by whoever sent `fields` (`from`, `email`, `note`). If `from`
/// is a published member and `email` the address their profile was submitted with, a link
/// that sends the request is mailed there. The answer is the same either way, so nobody
/// learns a member's address by trying.
pub async fn request_introduction(
    services: &Services,
    to: &str,
    fields: &FormFields,
    client: &str,
) -> Result<(), IntroductionError> {
    let now = services.clock.now();
    let stamp_expires = check_stamp(services, fields, now)?;
    let Some(recipient) = taking_requests(services, to) else {
        return Err(IntroductionError::NotTaking);
    };
    let typed = normalize(fields);
    let mut errors = FieldErrors::new();
    let from = requester_slug(services, typed.get(FROM).map_or("", String::as_str));
    match &from {
        None => {
            errors.insert(
                FROM.into(),
                vec!["あなたのプロフィールのID（プロフィールのURLの /members/ のあとの部分）か、プロフィールのURLを書いてください".into()],
            );
        }
        Some(from) if from == to => {
            errors.insert(FROM.into(), vec!["ご自身への依頼はできません".into()]);
        }
        Some(_) => {}
    }
    let address = EmailAddress::parse(typed.get(EMAIL).map_or("", String::as_str));
    if address.is_err() {
        errors.insert(
            EMAIL.into(),
            vec!["プロフィールを登録したときのメールアドレスを書いてください".into()],
        );
    }
    let note = check_note(typed.get(NOTE).map_or("", String::as_str));
    if let Err(problem) = &note {
        errors.insert(NOTE.into(), vec![problem.clone()]);
    }
    let (Some(from), Ok(address), Ok(note), true) = (from, address, note, errors.is_empty()) else {
        return Err(IntroductionError::Invalid(errors));
    };
    let owner =
        crate::proof::member_address(services, Action::Introduction, &from, &address, client)
            .await?;
    spend_stamp(services, fields, stamp_expires, now).await?;
    // The same work whether or not the address matched: the request is held (a held request
    // nobody was mailed a link for lapses unsent) and one mail is queued, real or blank.
    let id = random_id();
    let valid = services.config.confirm_valid_seconds;
    // The rules count the requester's mailbox, so that two profiles of one person share
    // them; a request nobody was mailed a link for gets a key of its own.
    let requester_key = match &owner {
        Some(email) => (services.signer).hash_email(&crate::email::mailbox_key(email)),
        None => format!("unproven:{}", random_id()),
    };
    let held = Introduction::held(
        id.clone(),
        from.clone(),
        requester_key,
        to.to_owned(),
        note,
        now,
        valid,
    );
    services.store.hold_introduction(&held).await?;
    let message = owner.map(|email| {
        let token = services.signer.sign(Purpose::IntroductionSend, &id, now, valid);
        let link = format!("{}/api/introductions/send?token={token}", services.config.api_url);
        Message {
            to: email,
            subject: services.catalog().subject("紹介の依頼の確認"),
            body: format!(
                "{}さんへの紹介の依頼を受け付けました。\n次のリンクを開き、内容を確かめて「依頼を送る」を押すと、依頼が{}さんに届きます（{}時間有効）。\n\n{link}\n\nお心当たりのない場合は、このメールを破棄してください。依頼は送られません。\n",
                recipient.name,
                recipient.name,
                valid / 3600
            ),
        }
    });
    services.mail_queue.send_later(message.as_ref()).await?;
    tracing::info!(event = "introduction_requested", to);
    Ok(())
}

/// The held request a requester's link sends, if the link is valid and it is still held.
pub async fn held_request(
    services: &Services,
    token: &str,
) -> Result<Introduction, IntroductionError> {
    let now = services.clock.now();
    let verified = services
        .signer
        .verify(token.trim(), Purpose::IntroductionSend, now)
        .map_err(|_| IntroductionError::LinkSpent)?;
    services
        .store
        .introduction(&verified.subject, now)
        .await?
        .filter(|i| i.state == IntroductionState::Held && now < i.hold_until)
        .ok_or(IntroductionError::LinkSpent)
}

/// Sends the held request of the requester's link: the store checks the limits in the
/// same step, and the recipient is mailed the requester's public profile and the note, with
/// a link to answer. A request to a recipient who blocks the requester is answered the
/// same, and mails nobody.
pub async fn send_request(
    services: &Services,
    token: &str,
    client: &str,
) -> Result<Introduction, IntroductionError> {
    let now = services.clock.now();
    let held = held_request(services, token).await?;
    let Some(recipient) = taking_requests(services, &held.recipient) else {
        return Err(IntroductionError::NotTaking);
    };
    let Some(requester) = public_profile(services, &held.requester) else {
        return Err(IntroductionError::LinkSpent);
    };
    let Some(recipient_email) = services.store.member_email(&held.recipient).await? else {
        return Err(IntroductionError::Unreachable);
    };
    // The sending client is counted; the recipient is not, per attempt: a requester
    // re-posting a link the rules refuse must not use up someone else's mail (found by an
    // outside attack). What one member receives is bounded by the rules themselves: one
    // open request per requester, each requester proven by their mailbox.
    if crate::limits::check(services, Action::IntroductionDelivery, client, None)
        .await?
        .is_err()
        || !crate::limits::count_portal_mail(services).await?
    {
        return Err(IntroductionError::RateLimited);
    }
    let sent = match services
        .store
        .send_introduction(&held.id, INTRODUCTION_RULES, now)
        .await?
    {
        SendOutcome::Sent(sent) => sent,
        SendOutcome::Dropped(dropped) => {
            // The same work as a real one: a blank mail.
            services.mail_queue.send_later(None).await?;
            tracing::info!(event = "introduction_sent");
            return Ok(dropped);
        }
        SendOutcome::TooManyOpen => return Err(IntroductionError::TooManyOpen),
        SendOutcome::TooManyThisWeek => return Err(IntroductionError::TooManyThisWeek),
        SendOutcome::PairOpen => return Err(IntroductionError::PairOpen),
        SendOutcome::Suspended => return Err(IntroductionError::Suspended),
        SendOutcome::NotHeld => return Err(IntroductionError::LinkSpent),
    };
    let answer_token = answer_token(services, &sent, now);
    let report_token = report_token(services, &sent, now);
    let api = &services.config.api_url;
    let shared = shared_interests(&requester, &recipient);
    let message = Message {
        to: recipient_email,
        subject: services
            .catalog()
            .subject(&format!("{}さんから紹介の依頼が届きました", requester.name)),
        body: format!(
            "{}さんから、あなたと会ってみたいという紹介の依頼が届きました。\n\n{}\n\nひとこと:\n{}\n\n会ってみるか、今回は見送るかを、次のページで選べます（{}日以内）。会ってみるを選ぶと、おふたりにそれぞれの名前・所属・メールアドレスをお知らせします。見送っても、相手には「期限内に承諾されなかった」とだけ伝わります。\n\n{api}/api/introductions/answer?token={answer_token}\n\nこの人からの依頼を受け取りたくない場合も、同じページで選べます。\nこの依頼を報告する（運営が確認します）:\n{api}/api/introductions/report?token={report_token}\n",
            requester.name,
            describe(&requester, &shared),
            indent(&sent.note),
            INTRODUCTION_RULES.open_seconds / 86_400,
        ),
    };
    services.mail_queue.send_later(Some(&message)).await?;
    tracing::info!(event = "introduction_sent");
    Ok(sent)
}

/// The recipient's link to a request: good while the store keeps it.
fn answer_token(services: &Services, request: &Introduction, now: Timestamp) -> String {
    let valid = (request.delete_at().as_second() - now.as_second()).max(60);
    services
        .signer
        .sign(Purpose::IntroductionAnswer, &request.id, now, valid)
}

/// The recipient's link to report a request: a token of its own, so that a report link
/// forwarded as evidence cannot answer the request.
pub fn report_token(services: &Services, request: &Introduction, now: Timestamp) -> String {
    let valid = (request.delete_at().as_second() - now.as_second()).max(60);
    services
        .signer
        .sign(Purpose::IntroductionReport, &request.id, now, valid)
}

/// A member's public profile as a mail shows it.
pub fn describe(profile: &PublicProfile, shared: &[String]) -> String {
    let mut lines = vec![format!("名前: {}", profile.name)];
    if let Some(organization) = &profile.organization {
        lines.push(format!("所属: {organization}"));
    }
    lines.push(format!("区分: {}", profile.sector));
    if !shared.is_empty() {
        lines.push(format!("共通の関心: {}", shared.join("、")));
    }
    lines.join("\n")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The request a recipient's answer link is for, while the store keeps it.
pub async fn request_for_recipient(
    services: &Services,
    token: &str,
) -> Result<Introduction, IntroductionError> {
    request_of(services, token, Purpose::IntroductionAnswer).await
}

/// The request a recipient's report link is for.
pub async fn request_to_report(
    services: &Services,
    token: &str,
) -> Result<Introduction, IntroductionError> {
    request_of(services, token, Purpose::IntroductionReport).await
}

async fn request_of(
    services: &Services,
    token: &str,
    purpose: Purpose,
) -> Result<Introduction, IntroductionError> {
    let now = services.clock.now();
    let verified = services
        .signer
        .verify(token.trim(), purpose, now)
        .map_err(|_| IntroductionError::LinkSpent)?;
    services
        .store
        .introduction(&verified.subject, now)
        .await?
        .filter(|i| i.state != IntroductionState::Held && i.state != IntroductionState::Dropped)
        .ok_or(IntroductionError::LinkSpent)
}

/// Applies the recipient's answer. An acceptance mails each of the two the other's name,
/// organization and address, once, however many times it is sent.
pub async fn answer_request(
    services: &Services,
    token: &str,
    answer: Answer,
) -> Result<Introduction, IntroductionError> {
    let now = services.clock.now();
    let request = request_for_recipient(services, token).await?;
    // Suspended by the editors after it was sent: nobody's address goes to them.
    if answer == Answer::Accept && is_suspended(services, &request.requester).await? {
        return Err(IntroductionError::Suspended);
    }
    let Some(changed) = services
        .store
        .answer_introduction(&request.id, answer, now)
        .await?
    else {
        let current = services
            .store
            .introduction(&request.id, now)
            .await?
            .ok_or(IntroductionError::LinkSpent)?;
        return Err(IntroductionError::Answered(Box::new(current)));
    };
    tracing::info!(event = "introduction_answered", answer = ?answer);
    if answer == Answer::Accept {
        introduce(services, &changed).await?;
    }
    Ok(changed)
}

/// Whether the editors suspended member `slug` from introductions.
pub async fn is_suspended(services: &Services, slug: &str) -> Result<bool, StoreError> {
    Ok(services
        .store
        .suspended_requesters()
        .await?
        .iter()
        .any(|s| s == slug))
}

/// The one mail to each of the two: the other's name, organization and address.
async fn introduce(services: &Services, request: &Introduction) -> Result<(), IntroductionError> {
    let people = [&request.requester, &request.recipient];
    let mut found = Vec::new();
    for slug in people {
        let profile = public_profile(services, slug);
        let email = services.store.member_email(slug).await?;
        found.push((profile, email));
    }
    let [
        (Some(requester), Some(requester_email)),
        (Some(recipient), Some(recipient_email)),
    ] = <[_; 2]>::try_from(found).map_err(|_| StoreError::Unavailable("two members".into()))?
    else {
        // One of them left the portal in between: nobody is mailed anybody's address.
        tracing::warn!(event = "introduction_member_gone");
        return Ok(());
    };
    // Both are sent whatever the hour's count: an acceptance is never lost.
    for _ in 0..2 {
        crate::limits::count_portal_mail(services).await?;
    }
    let mail = |to: &str, other: &PublicProfile, other_email: &str, opening: String| Message {
        to: to.to_owned(),
        subject: services
            .catalog()
            .subject(&format!("{}さんをご紹介します", other.name)),
        body: format!(
            "{opening}\n\n名前: {}\n所属: {}\nメールアドレス: {other_email}\n\nはじめの連絡は、どちらからでもどうぞ。お互いの都合と気持ちを大切に、気軽な一歩から。\n",
            other.name,
            other.organization.as_deref().unwrap_or("（記載なし）"),
        ),
    };
    services
        .mail_queue
        .send_later(Some(&mail(
            &requester_email,
            &recipient,
            &recipient_email,
            format!("{}さんが、紹介の依頼を承諾しました。", recipient.name),
        )))
        .await?;
    services
        .mail_queue
        .send_later(Some(&mail(
            &recipient_email,
            &requester,
            &requester_email,
            format!("{}さんからの紹介の依頼を承諾しました。", requester.name),
        )))
        .await?;
    Ok(())
}

/// The recipient reports a request to the editors.
pub async fn report_request(
    services: &Services,
    token: &str,
    reason: &str,
) -> Result<(), IntroductionError> {
    let now = services.clock.now();
    let request = request_to_report(services, token).await?;
    let reason = reason.replace("\r\n", "\n").trim().to_owned();
    let chars = reason.chars().count();
    if chars == 0
        || chars > REASON_MAX_CHARS
        || reason.chars().any(|c| c.is_control() && c != '\n')
        || model::text::hidden_format_char(&reason).is_some()
    {
        return Err(IntroductionError::Invalid(FieldErrors::from([(
            REASON.to_owned(),
            vec![format!(
                "理由を{REASON_MAX_CHARS}字以内で書いてください（制御文字は使えません）"
            )],
        )])));
    }
    if !services
        .store
        .report_introduction(&request.id, &reason, now)
        .await?
    {
        return Err(IntroductionError::Answered(Box::new(request)));
    }
    tracing::info!(event = "introduction_reported");
    Ok(())
}

/// Closes the requests whose 14 days ran out without an acceptance, and tells each
/// requester only that (the same words for a decline, a block and silence). Two runs at
/// once close each request once. Returns how many were closed.
pub async fn close_due(services: &Services, limit: usize) -> Result<usize, IntroductionError> {
    let now = services.clock.now();
    let mut closed = 0;
    for due in services.store.due_introductions(now, limit).await? {
        let Some(request) = services.store.close_introduction(&due.id, now).await? else {
            continue;
        };
        closed += 1;
        let Some(email) = services.store.member_email(&request.requester).await? else {
            continue;
        };
        crate::limits::count_portal_mail(services).await?;
        let name = public_profile(services, &request.recipient)
            .map_or_else(|| "お相手".to_owned(), |p| format!("{}さん", p.name));
        services
            .mail_queue
            .send_later(Some(&Message {
                to: email,
                subject: services.catalog().subject("紹介の依頼について"),
                body: format!(
                    "{name}への紹介の依頼は、{}日のあいだに承諾されませんでした。依頼はこれで終わります。\n\n忙しい時期だったのかもしれません。ほかのイベントや交流の場で、また出会えますように。\n",
                    INTRODUCTION_RULES.open_seconds / 86_400
                ),
            }))
            .await?;
    }
    if closed > 0 {
        tracing::info!(event = "introductions_closed", closed);
    }
    Ok(closed)
}

#[cfg(test)]
mod tests {
    use super::check_note;

    #[test]
    fn a_note_is_trimmed_and_refused_when_empty_long_or_hidden() {
        assert_eq!(
            check_note("  お話ししたいです\r\n").unwrap(),
            "お話ししたいです"
        );
        assert!(check_note(" ").is_err());
        assert!(check_note(&"あ".repeat(401)).unwrap_err().contains("401字"));
        assert!(check_note("a\u{202E}b").is_err());
    }
}
