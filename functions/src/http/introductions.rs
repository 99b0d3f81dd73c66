//! Introductions by consent over HTTP: the request form a profile posts, and the pages the
//! mailed links open (send, answer, report). A link's page only shows; its button acts.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::page::{ShortField, ShortForm, escape, notice_page, page_with};
use super::refusal::{Refusal, Refusals, Refused};
use super::{ApiError, FormPost, Format, SharedServices, TokenQuery, json_response};
use crate::form::EMAIL;
use crate::introductions::{
    ANSWER, FROM, IntroductionError, NOTE, NOTE_MAX_CHARS, PublicProfile, REASON, REASON_MAX_CHARS,
    TOKEN, answer_request, held_request, public_profile, report_request, request_for_recipient,
    request_introduction, send_request, shared_interests,
};
use crate::store::{Answer, Introduction, IntroductionState};
use model::profile::FieldErrors;

pub fn routes() -> Router<SharedServices> {
    Router::new()
        .route("/api/members/{slug}/introduce", post(request))
        .route("/api/introductions/send", get(send_page).post(send))
        .route("/api/introductions/answer", get(answer_page).post(answer))
        .route("/api/introductions/report", get(report_page).post(report))
}

const LINK_SENT: &str = "入力したプロフィールとメールアドレスが一致すれば、依頼を送るためのリンクをそのアドレスに送ります（届くまで1分ほどかかることがあります）。リンクを開いて「依頼を送る」を押すまで、依頼は届きません。";

const UNAVAILABLE: &str = "ただいま受け付けられません。依頼は送られていません。少し時間をおいて、もう一度お試しください。";

impl Refusal for IntroductionError {
    fn refused(self) -> Refused {
        let said = |status, message: &str| Refused::Said(status, message.to_owned());
        match self {
            IntroductionError::Invalid(errors) => Refused::Invalid(errors),
            IntroductionError::Spam(reason) => Refused::Spam(reason),
            IntroductionError::Unstamped => Refused::Unstamped,
            IntroductionError::RateLimited => Refused::RateLimited,
            IntroductionError::NotTaking => said(
                StatusCode::NOT_FOUND,
                "この会員は、いまは紹介の依頼を受け付けていません。",
            ),
            IntroductionError::Unreachable => said(
                StatusCode::NOT_FOUND,
                "この会員には、ポータルから連絡できません（運営が登録したプロフィールです）。",
            ),
            IntroductionError::TooManyOpen => said(
                StatusCode::TOO_MANY_REQUESTS,
                "返事を待っている依頼が3件あります。どれかが承諾されるか、14日の期限が過ぎてから、もう一度送ってください。このリンクは、それまで使えます。",
            ),
            IntroductionError::TooManyThisWeek => said(
                StatusCode::TOO_MANY_REQUESTS,
                "この7日間に10件の依頼を送りました。数日おいてから、もう一度送ってください。",
            ),
            IntroductionError::PairOpen => said(
                StatusCode::CONFLICT,
                "この方への依頼は、すでに返事を待っています。14日の期限が過ぎるまで、同じ方には送れません。",
            ),
            IntroductionError::Suspended => said(
                StatusCode::FORBIDDEN,
                "このプロフィールからの紹介の依頼は、運営により止められています。",
            ),
            IntroductionError::LinkSpent => Refused::LinkSpent,
            IntroductionError::Answered(_) => said(
                StatusCode::CONFLICT,
                "この依頼には、すでにお返事をいただいています。",
            ),
            IntroductionError::Store(_) | IntroductionError::Mail(_) => Refused::Unavailable,
        }
    }
}

fn link_refused(services: &SharedServices, format: Format) -> Response {
    let message = "リンクの有効期限が切れているか、すでに使われたか、正しくありません。";
    match format {
        Format::Json => json_response(StatusCode::GONE, &serde_json::json!({ "error": message })),
        Format::Form => notice_page(
            StatusCode::GONE,
            &services.site(),
            "このリンクは使えません",
            message,
        ),
    }
}

fn notice(
    services: &SharedServices,
    format: Format,
    status: StatusCode,
    message: &str,
) -> Response {
    match format {
        Format::Json => json_response(status, &serde_json::json!({ "error": message })),
        Format::Form => notice_page(status, &services.site(), "紹介の依頼", message),
    }
}

/// The profile's form: the same answer whether or not the address is the member's.
async fn request(
    State(services): State<SharedServices>,
    Path(slug): Path<String>,
    FormPost {
        format,
        fields,
        client,
    }: FormPost,
) -> Response {
    let sent = || match format {
        Format::Json => json_response(
            StatusCode::ACCEPTED,
            &serde_json::json!({ "status": "received", "next": LINK_SENT }),
        ),
        Format::Form => notice_page(
            StatusCode::OK,
            &services.site(),
            "確認のリンクを送りました",
            LINK_SENT,
        ),
    };
    let client = client.rate_key();
    let Err(error) = request_introduction(&services, &slug, &fields, &client).await else {
        return sent();
    };
    let action = format!("/api/members/{slug}/introduce");
    let name = public_profile(&services, &slug).map_or_else(String::new, |p| p.name);
    let title = format!("{name}さんへの紹介の依頼");
    let form = |status, errors: &FieldErrors, notice: Option<&str>| {
        let form = ShortForm {
            title: &title,
            action: &action,
            fields: &[
                ShortField {
                    name: FROM,
                    label: "あなたのプロフィールのID、またはURL",
                    kind: "text",
                    required: true,
                    max_chars: 200,
                },
                ShortField {
                    name: EMAIL,
                    label: "プロフィールを登録したときのメールアドレス",
                    kind: "email",
                    required: true,
                    max_chars: 254,
                },
                ShortField {
                    name: NOTE,
                    label: "ひとこと（400字まで）",
                    kind: "textarea",
                    required: true,
                    max_chars: NOTE_MAX_CHARS,
                },
            ],
            sent: &fields,
            button: "確認のリンクを受け取る",
        };
        match notice {
            Some(notice) => form.render_with(&services, status, errors, notice),
            None if errors.is_empty() => form.render(&services),
            None => form.render_with(&services, status, errors, "直してほしい項目があります。"),
        }
    };
    Refusals {
        format,
        spam_event: "introduction_spam",
        unavailable_event: "introduction_unavailable",
        accepted: &sent,
        form: &form,
        notice: &|status, message| notice(&services, format, status, message),
        check_again: "送信の前に、内容をもう一度確認してください。よければ「確認のリンクを受け取る」を押すと送信されます。",
        rate_limited: "短い時間に多くの依頼がありました。1時間ほどおいてから、もう一度お試しください。",
        unavailable: UNAVAILABLE,
        link_spent: None,
    }
    .answer(error, &FieldErrors::new())
}

/// A form of one or more buttons that post the link's token (and a choice) to `action`.
fn buttons(action: &str, token: &str, choices: &[(&str, &str, &str)]) -> String {
    let mut html = format!(
        "<form method=\"post\" action=\"{}\" class=\"answer-buttons\"><input type=\"hidden\" name=\"{TOKEN}\" value=\"{}\">",
        escape(action),
        escape(token)
    );
    for (value, label, class) in choices {
        html.push_str(&format!(
            " <button class=\"{}\" type=\"submit\" name=\"{ANSWER}\" value=\"{}\">{}</button>",
            escape(class),
            escape(value),
            escape(label)
        ));
    }
    html.push_str("</form>");
    html
}

fn profile_html(profile: &PublicProfile, shared: &[String], site_url: &str) -> String {
    let mut html = format!(
        "<dl class=\"facts\"><dt>名前</dt><dd><a href=\"{}/members/{}/\">{}</a></dd>",
        escape(site_url.trim_end_matches('/')),
        escape(&profile.slug),
        escape(&profile.name)
    );
    if let Some(organization) = &profile.organization {
        html.push_str(&format!("<dt>所属</dt><dd>{}</dd>", escape(organization)));
    }
    html.push_str(&format!(
        "<dt>区分</dt><dd>{}</dd>",
        escape(&profile.sector)
    ));
    if !shared.is_empty() {
        html.push_str(&format!(
            "<dt>共通の関心</dt><dd>{}</dd>",
            escape(&shared.join("、"))
        ));
    }
    html.push_str("</dl>");
    html
}

fn note_html(note: &str) -> String {
    format!(
        "<blockquote class=\"note-text\"><p>{}</p></blockquote>",
        escape(note).replace('\n', "<br>")
    )
}

/// The requester's link: what will be sent, and one button that sends it.
async fn send_page(
    State(services): State<SharedServices>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    let Ok(held) = held_request(&services, &token).await else {
        return link_refused(&services, Format::Form);
    };
    let Some(recipient) = public_profile(&services, &held.recipient) else {
        return link_refused(&services, Format::Form);
    };
    let title = format!("{}さんに紹介の依頼を送る", recipient.name);
    let main = format!(
        "<p>次の内容で依頼を送ります。{}さんが「会ってみる」を選ぶと、おふたりに、それぞれの名前・所属・メールアドレスをお知らせします。</p>\n{}\n<h2>ひとこと</h2>\n{}\n{}",
        escape(&recipient.name),
        profile_html(&recipient, &[], &services.config.site_url),
        note_html(&held.note),
        buttons(
            "/api/introductions/send",
            &token,
            &[("send", "依頼を送る", "button")]
        )
    );
    page_with(StatusCode::OK, &services.site(), &title, &main)
}

async fn send(
    State(services): State<SharedServices>,
    FormPost {
        format,
        fields,
        client,
    }: FormPost,
) -> Response {
    let token = fields.get(TOKEN).cloned().unwrap_or_default();
    match send_request(&services, &token, &client.rate_key()).await {
        Ok(_) => match format {
            Format::Json => json_response(StatusCode::OK, &serde_json::json!({ "status": "sent" })),
            Format::Form => notice_page(
                StatusCode::OK,
                &services.site(),
                "依頼を送りました",
                "お返事があれば、メールでお知らせします。14日のあいだに承諾されなければ、そのこともメールでお知らせします。",
            ),
        },
        Err(error) => refusal(&services, format, error),
    }
}

/// A refusal of a link's post, in words.
fn refusal(services: &SharedServices, format: Format, error: IntroductionError) -> Response {
    let link_spent = || link_refused(services, format);
    Refusals {
        format,
        spam_event: "introduction_spam",
        unavailable_event: "introduction_unavailable",
        accepted: &|| notice(services, format, StatusCode::OK, "受け付けました。"),
        form: &|status, _, message| notice(services, format, status, message.unwrap_or("")),
        notice: &|status, message| notice(services, format, status, message),
        check_again: "",
        rate_limited: "短い時間に多くの依頼がありました。明日以降に、もう一度お試しください。このリンクは、それまで使えます。",
        unavailable: UNAVAILABLE,
        link_spent: Some(&link_spent),
    }
    .answer(error, &FieldErrors::new())
}

/// What the recipient can still do with a request as it stands.
fn choices(
    request: &Introduction,
    now: jiff::Timestamp,
    suspended: bool,
) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut choices = Vec::new();
    if request.state == IntroductionState::Pending && request.open_at(now) {
        if !suspended {
            choices.push(("accept", "会ってみる", "button"));
        }
        choices.push(("decline", "今回は見送る", "button secondary"));
    }
    if request.blocked {
        choices.push((
            "unblock",
            "この人からの依頼をまた受け取る",
            "button secondary",
        ));
    } else {
        choices.push((
            "block",
            "この人からの依頼を受け取らない",
            "button secondary",
        ));
    }
    choices
}

fn state_text(request: &Introduction, now: jiff::Timestamp) -> &'static str {
    match request.state {
        IntroductionState::Pending if request.open_at(now) => "",
        IntroductionState::Accepted => {
            "この依頼は承諾済みです。おふたりにメールでお知らせしました。"
        }
        IntroductionState::Declined => {
            "この依頼は見送りました。相手には、期限内に承諾されなかったとだけ伝わります。"
        }
        _ => "この依頼は期限が過ぎました。",
    }
}

/// The recipient's link: who asks, their note, and the choices.
async fn answer_page(
    State(services): State<SharedServices>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    let Ok(request) = request_for_recipient(&services, &token).await else {
        return link_refused(&services, Format::Form);
    };
    answer_view(&services, &token, &request, None).await
}

async fn answer_view(
    services: &SharedServices,
    token: &str,
    request: &Introduction,
    done: Option<&str>,
) -> Response {
    let now = services.clock.now();
    // Unknown when the store does not answer: then the accept button is left out too.
    let suspended = crate::introductions::is_suspended(services, &request.requester)
        .await
        .unwrap_or(true);
    let requester = public_profile(services, &request.requester);
    let recipient = public_profile(services, &request.recipient);
    let (Some(requester), Some(recipient)) = (requester, recipient) else {
        return link_refused(services, Format::Form);
    };
    let shared = shared_interests(&requester, &recipient);
    let status = match done {
        Some(done) => done,
        None if suspended && request.state == IntroductionState::Pending => {
            "この依頼をした人は、運営により紹介の依頼を止められています。承諾はできません。"
        }
        None => state_text(request, now),
    };
    let status_html = if status.is_empty() {
        String::new()
    } else {
        format!(
            "<p class=\"status\" role=\"status\">{}</p>\n",
            escape(status)
        )
    };
    let report_link = if request.reportable() {
        let report = crate::introductions::report_token(services, request, now);
        format!(
            "<p><a href=\"/api/introductions/report?token={}\">この依頼を報告する</a>（運営が確認します。相手には伝わりません）</p>",
            escape(&report)
        )
    } else {
        String::new()
    };
    let main = format!(
        "{status_html}<p>{}さんから、あなたと会ってみたいという依頼です。「会ってみる」を選ぶと、おふたりに、それぞれの名前・所属・メールアドレスをお知らせします。見送っても、相手には「期限内に承諾されなかった」とだけ伝わります。</p>\n{}\n<h2>ひとこと</h2>\n{}\n{}\n{report_link}",
        escape(&requester.name),
        profile_html(&requester, &shared, &services.config.site_url),
        note_html(&request.note),
        buttons(
            "/api/introductions/answer",
            token,
            &choices(request, now, suspended)
        ),
    );
    let title = format!("{}さんからの紹介の依頼", requester.name);
    page_with(StatusCode::OK, &services.site(), &title, &main)
}

async fn answer(
    State(services): State<SharedServices>,
    FormPost { format, fields, .. }: FormPost,
) -> Response {
    let token = fields.get(TOKEN).cloned().unwrap_or_default();
    let Some(choice) = fields.get(ANSWER).and_then(|a| Answer::parse(a.trim())) else {
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "answer は accept、decline、block、unblock のどれかです。",
            format,
        )
        .into_response();
    };
    let (done, request) = match answer_request(&services, &token, choice).await {
        Ok(request) => (
            match choice {
                Answer::Accept => {
                    "承諾しました。おふたりに、それぞれの名前・所属・メールアドレスをメールでお知らせします。"
                }
                Answer::Decline => {
                    "見送りました。相手には、期限内に承諾されなかったとだけ伝わります。"
                }
                Answer::Block => "この人からの依頼は、今後届きません。相手には伝わりません。",
                Answer::Unblock => "この人からの依頼を、また受け取ります。",
            },
            request,
        ),
        Err(IntroductionError::Answered(current)) => {
            (state_text(&current, services.clock.now()), *current)
        }
        Err(error) => return refusal(&services, format, error),
    };
    match format {
        Format::Json => json_response(
            StatusCode::OK,
            &serde_json::json!({ "state": if request.state == IntroductionState::Accepted { "accepted" } else { "answered" }, "blocked": request.blocked }),
        ),
        Format::Form => answer_view(&services, &token, &request, Some(done)).await,
    }
}

fn report_form(services: &SharedServices, token: &str, errors: &FieldErrors) -> Response {
    let (aria, error) = match errors.get(REASON) {
        Some(problems) => (
            " aria-invalid=\"true\" aria-describedby=\"reason-error\"",
            format!(
                "<p class=\"error\" id=\"reason-error\">{}</p>",
                problems
                    .iter()
                    .map(|p| escape(p))
                    .collect::<Vec<_>>()
                    .join("<br>")
            ),
        ),
        None => ("", String::new()),
    };
    let main = format!(
        "<p>運営が依頼の内容と、依頼した人のプロフィールを確認します。報告したことは、相手には伝わりません。</p>\n<form method=\"post\" action=\"/api/introductions/report\" accept-charset=\"utf-8\"><input type=\"hidden\" name=\"{TOKEN}\" value=\"{}\">\n<p class=\"field\"><label for=\"reason\">報告の理由</label> <textarea id=\"reason\" name=\"{REASON}\" rows=\"4\" required maxlength=\"{REASON_MAX_CHARS}\"{aria}></textarea></p>\n{error}<p><button class=\"button\" type=\"submit\">報告する</button></p></form>",
        escape(token)
    );
    page_with(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &services.site(),
        "紹介の依頼を報告する",
        &main,
    )
}

async fn report_page(
    State(services): State<SharedServices>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    match crate::introductions::request_to_report(&services, &token).await {
        Ok(request) if request.reportable() => report_form(&services, &token, &FieldErrors::new()),
        Ok(_) => notice_page(
            StatusCode::OK,
            &services.site(),
            "報告を受け付けました",
            "この依頼は、すでに報告を受け付けています。運営が確認します。",
        ),
        Err(_) => link_refused(&services, Format::Form),
    }
}

async fn report(
    State(services): State<SharedServices>,
    FormPost { format, fields, .. }: FormPost,
) -> Response {
    let token = fields.get(TOKEN).cloned().unwrap_or_default();
    let reason = fields.get(REASON).cloned().unwrap_or_default();
    let received = || match format {
        Format::Json => json_response(
            StatusCode::ACCEPTED,
            &serde_json::json!({ "status": "received" }),
        ),
        Format::Form => notice_page(
            StatusCode::OK,
            &services.site(),
            "報告を受け付けました",
            "ありがとうございます。運営が確認します。報告したことは、相手には伝わりません。",
        ),
    };
    match report_request(&services, &token, &reason).await {
        Ok(()) | Err(IntroductionError::Answered(_)) => received(),
        Err(IntroductionError::Invalid(errors)) if format == Format::Form => {
            report_form(&services, &token, &errors)
        }
        Err(error) => refusal(&services, format, error),
    }
}
