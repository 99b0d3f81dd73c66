//! The event sign-up function: sign up, remaining seats, cancel with a signed link.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::page::{ShortField, ShortForm, button_page, escape, notice_page, page_with};
use super::refusal::Refusals;
use super::{ApiError, FormPost, Format, SharedServices, TokenQuery, json_response, read_token};
use crate::events::{
    EventError, RegistrationRequest, cancel, check_cancellation, confirm_registration,
    held_registration_id, open_event, request_registration,
};
use crate::store::{RegistrationOutcome, SeatState};
use model::profile::FieldErrors;

pub fn routes() -> Router<SharedServices> {
    Router::new()
        .route("/api/events/{slug}/signups", post(request_seat))
        .route("/api/events/{slug}/seats", get(seats))
        .route("/api/events/{slug}/attendees", get(attendees))
        .route(
            "/api/events/{slug}/confirm",
            get(confirm_page).post(confirm_now),
        )
        .route(
            "/api/events/{slug}/cancel",
            get(cancel_page).post(cancel_now),
        )
}

/// The page (or JSON) of fields to fix in an event sign-up.
fn invalid_page(services: &SharedServices, format: Format, errors: &FieldErrors) -> Response {
    match format {
        Format::Json => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &serde_json::json!({ "errors": errors }),
        ),
        Format::Form => {
            let list: String = (errors.values().flatten())
                .map(|m| format!("<li>{}</li>", escape(m)))
                .collect();
            page_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &services.site(),
                "入力内容を確認してください",
                &format!(
                    "<ul class=\"error\">{list}</ul><p>前のページに戻って直してください。</p>"
                ),
            )
        }
    }
}

/// The words of an event's refusals; `form` shows the sign-up form again (or the fields to
/// fix), `accepted` what a taken request sees.
fn refusals<'a>(
    format: Format,
    accepted: &'a dyn Fn() -> Response,
    form: &'a dyn Fn(StatusCode, &FieldErrors, Option<&str>) -> Response,
) -> Refusals<'a> {
    Refusals {
        format,
        spam_event: "event_signup_spam",
        unavailable_event: "event_unavailable",
        accepted,
        form,
        notice: match format {
            Format::Json => {
                &|status, message| ApiError::new(status, message, Format::Json).into_response()
            }
            Format::Form => {
                &|status, message| ApiError::new(status, message, Format::Form).into_response()
            }
        },
        check_again: "",
        rate_limited: "短い時間に多くの申し込みがありました。しばらくおいてからお試しください。",
        unavailable: "ただいま受け付けられません。少し時間をおいて、もう一度お試しください。",
        link_spent: None,
    }
}

/// A refusal of a confirmation, a cancellation or a count of seats.
fn error_response(services: &SharedServices, error: EventError, format: Format) -> Response {
    let held = || ApiError::new(StatusCode::ACCEPTED, HELD, format).into_response();
    let invalid = |_, errors: &FieldErrors, _: Option<&str>| invalid_page(services, format, errors);
    refusals(format, &held, &invalid).answer(error, &FieldErrors::new())
}

const HELD: &str = "メールのリンクを開き、「申し込みを確定する」を押すと申し込みが確定します。確定した順にお席を用意します。";

fn held() -> (StatusCode, &'static str, &'static str, &'static str) {
    (
        StatusCode::ACCEPTED,
        "held",
        "確認のメールを送りました",
        HELD,
    )
}

async fn request_seat(
    State(services): State<SharedServices>,
    Path(slug): Path<String>,
    FormPost {
        format,
        fields,
        client,
    }: FormPost,
) -> Response {
    let held = || {
        let (status, state, title, text) = held();
        match format {
            Format::Json => json_response(status, &serde_json::json!({ "status": state })),
            Format::Form => notice_page(status, &services.site(), title, text),
        }
    };
    let request = request_registration(&services, &slug, &fields, &client.rate_key()).await;
    let Err(error) = request.map(|RegistrationRequest::Held| ()) else {
        return held();
    };
    let action = format!("/api/events/{slug}/signups");
    let title = format!("「{}」への申し込み", event_title(&services, &slug));
    // Fields to fix, or (a page without script) the same form, filled and stamped.
    let form = |_, errors: &FieldErrors, _: Option<&str>| {
        if !errors.is_empty() {
            return invalid_page(&services, format, errors);
        }
        ShortForm {
            title: &title,
            action: &action,
            fields: &[
                ShortField {
                    name: "name",
                    label: "名前",
                    kind: "text",
                    required: true,
                    max_chars: 100,
                },
                ShortField {
                    name: "email",
                    label: "メールアドレス",
                    kind: "email",
                    required: true,
                    max_chars: 254,
                },
                ShortField {
                    name: "message",
                    label: "運営へのメッセージ（任意）",
                    kind: "textarea",
                    required: false,
                    max_chars: crate::events::MAX_MESSAGE_CHARS,
                },
                ShortField {
                    name: crate::events::ORGANIZATION,
                    label: "所属（任意・参加者一覧に表示するとき）",
                    kind: "text",
                    required: false,
                    max_chars: 100,
                },
                ShortField {
                    name: crate::events::LISTED,
                    label: "参加者一覧に名前と所属を表示する",
                    kind: "checkbox",
                    required: false,
                    max_chars: 3,
                },
            ],
            sent: &fields,
            button: "申し込む",
        }
        .render(&services)
    };
    // Spam is counted and answered as a sign-up is, so that a bot learns nothing; an API
    // client without a stamp the same (it must fetch one first).
    refusals(format, &held, &form).answer(error, &FieldErrors::new())
}

/// The link in the mail shows a button: a GET changes nothing.
async fn confirm_page(
    State(services): State<SharedServices>,
    Path(slug): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    if let Err(error) = held_registration_id(&services, &slug, &token) {
        return error_response(&services, error, Format::Form);
    }
    button_page(
        &services.site(),
        "申し込みの確定",
        &format!(
            "「{}」への申し込みを確定しますか。",
            event_title(&services, &slug)
        ),
        &format!("/api/events/{slug}/confirm"),
        &token,
        "申し込みを確定する",
    )
}

fn event_title(services: &SharedServices, slug: &str) -> String {
    services
        .catalog()
        .events
        .get(slug)
        .map(|e| e.title.clone())
        .unwrap_or_default()
}

/// The button's post: the held sign-up takes a seat or a waiting place.
async fn confirm_now(
    State(services): State<SharedServices>,
    Path(slug): Path<String>,
    request: Request<Body>,
) -> Response {
    let (format, token) = match read_token(request).await {
        Ok(read) => read,
        Err(error) => return error.into_response(),
    };
    let outcome = match confirm_registration(&services, &slug, &token).await {
        Ok(outcome) => outcome,
        Err(error) => return error_response(&services, error, format),
    };
    let (state, position, title, text) = match &outcome {
        RegistrationOutcome::Confirmed(_) => (
            "confirmed",
            None,
            "参加が確定しました",
            "確認のメールを送りました。".to_owned(),
        ),
        RegistrationOutcome::Waitlisted { position, .. } => (
            "waitlisted",
            Some(*position),
            "キャンセル待ちで受け付けました",
            format!("キャンセル待ちの{position}番目です。お席が空いたらメールでお知らせします。"),
        ),
        RegistrationOutcome::AlreadySignedUp(_) => (
            "confirmed",
            None,
            "すでに受け付けています",
            "このメールアドレスでの申し込みは受け付け済みです。".to_owned(),
        ),
    };
    match format {
        Format::Json => json_response(
            StatusCode::CREATED,
            &serde_json::json!({ "status": state, "waitlist_position": position }),
        ),
        Format::Form => notice_page(StatusCode::CREATED, &services.site(), title, &text),
    }
}

async fn seats(State(services): State<SharedServices>, Path(slug): Path<String>) -> Response {
    let (_, capacity) = match open_event(&services, &slug) {
        Ok(open) => open,
        Err(error) => return error_response(&services, error, Format::Json),
    };
    match services.store.registrations(&slug).await {
        Ok(signups) => {
            let confirmed = signups
                .iter()
                .filter(|s| s.state == SeatState::Confirmed)
                .count() as u32;
            let waiting = signups.len() as u32 - confirmed;
            json_response(
                StatusCode::OK,
                &serde_json::json!({ "capacity": capacity, "confirmed": confirmed, "remaining": capacity.saturating_sub(confirmed), "waitlist": waiting }),
            )
        }
        Err(error) => error_response(&services, error.into(), Format::Json),
    }
}

/// Who is coming: the confirmed seats, and the name and organization of those who chose to
/// be listed (a member's name links to their profile). Public, so cacheable for a minute.
async fn attendees(
    State(services): State<SharedServices>,
    Path(slug): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let format = super::format_of(&headers);
    let list = match crate::events::attendees(&services, &slug).await {
        Ok(list) => list,
        Err(error) => return error_response(&services, error, format),
    };
    let site = services.config.site_url.trim_end_matches('/').to_owned();
    let profile = |member: &Option<String>| {
        member
            .as_ref()
            .map(|slug| format!("{site}/members/{slug}/"))
    };
    let mut response = match format {
        Format::Json => json_response(
            StatusCode::OK,
            &serde_json::json!({
                "confirmed": list.confirmed,
                "attendees": list.listed.iter().map(|a| serde_json::json!({
                    "name": a.name,
                    "organization": a.organization,
                    "profile": profile(&a.member),
                })).collect::<Vec<_>>(),
            }),
        ),
        Format::Form => {
            let items: String = (list.listed.iter())
                .map(|a| {
                    let name = match profile(&a.member) {
                        Some(url) => {
                            format!("<a href=\"{}\">{}</a>", escape(&url), escape(&a.name))
                        }
                        None => escape(&a.name),
                    };
                    let organization = (a.organization.as_deref())
                        .map(|o| format!(" <span class=\"meta\">{}</span>", escape(o)))
                        .unwrap_or_default();
                    format!("<li>{name}{organization}</li>")
                })
                .collect();
            let main = format!(
                "<p>確定した参加者は{}人です。申し込みのときに表示を選んだ方だけ、名前と所属を載せています。</p>\n{}<p><a href=\"{}/events/{}/\">イベントのページへ</a></p>",
                list.confirmed,
                if items.is_empty() {
                    String::new()
                } else {
                    format!("<ul class=\"attendee-list\">{items}</ul>\n")
                },
                escape(&site),
                escape(&slug)
            );
            page_with(
                StatusCode::OK,
                &services.site(),
                &format!("「{}」の参加者", list.title),
                &main,
            )
        }
    };
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=60"),
    );
    response
}

/// The link in the mail shows a button: mail scanners open links, and a GET changes nothing.
async fn cancel_page(
    State(services): State<SharedServices>,
    Path(slug): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let token = query.token.unwrap_or_default();
    if let Err(error) = check_cancellation(&services, &slug, &token) {
        return error_response(&services, error, Format::Form);
    }
    button_page(
        &services.site(),
        "申し込みの取り消し",
        &format!(
            "「{}」への申し込みを取り消しますか。",
            event_title(&services, &slug)
        ),
        &format!("/api/events/{slug}/cancel"),
        &token,
        "取り消す",
    )
}

async fn cancel_now(
    State(services): State<SharedServices>,
    Path(slug): Path<String>,
    request: Request<Body>,
) -> Response {
    let (format, token) = match read_token(request).await {
        Ok(read) => read,
        Err(error) => return error.into_response(),
    };
    match cancel(&services, &slug, &token).await {
        Ok(found) => {
            let message = if found.is_some() {
                "申し込みを取り消しました。"
            } else {
                "この申し込みはすでに取り消されています。"
            };
            match format {
                Format::Json => json_response(
                    StatusCode::OK,
                    &serde_json::json!({ "cancelled": found.is_some() }),
                ),
                Format::Form => {
                    notice_page(StatusCode::OK, &services.site(), "取り消しました", message)
                }
            }
        }
        Err(error) => error_response(&services, error, format),
    }
}
