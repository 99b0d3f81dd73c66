//! A member editing their published profile: the request for a link, the form it opens,
//! and the update it sends.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::page::{JoinForm, notice_page};
use super::refusal::Refusals;
use super::{ApiError, FormPost, Format, ProfilePost, SharedServices, TokenQuery, json_response};
use crate::form::EMAIL;
use crate::profile_edit::{EDIT_TOKEN, member_of_link, request_edit_link, submit_update};
use model::profile::{FieldErrors, FormFields};

pub fn routes() -> Router<SharedServices> {
    Router::new()
        .route("/api/members/{slug}/edit", post(request_link))
        .route("/api/introductions/blocks/lift", post(lift_block))
        .route(
            "/api/members/edit",
            get(form)
                .post(update)
                .layer(axum::extract::DefaultBodyLimit::max(
                    super::MAX_BODY_WITH_PHOTO,
                )),
        )
}

const LINK_SENT: &str = "入力されたアドレスがこのプロフィールのものなら、更新のためのリンクをそのアドレスに送ります（届くまで1分ほどかかることがあります）。届かない場合は、登録したときのアドレスをお確かめください。";

/// The same answer whether or not the address is the member's.
async fn request_link(
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
            "リンクを送りました",
            LINK_SENT,
        ),
    };
    let Err(error) = request_edit_link(&services, &slug, &fields, &client.rate_key()).await else {
        return sent();
    };
    let action = format!("/api/members/{slug}/edit");
    // A page without script posted unstamped: the same form, filled and stamped.
    let form = |_, _: &FieldErrors, _: Option<&str>| {
        super::page::ShortForm {
            title: "プロフィールの更新",
            action: &action,
            fields: &[super::page::ShortField {
                name: EMAIL,
                label: "登録したときのメールアドレス",
                kind: "email",
                required: true,
                max_chars: 254,
            }],
            sent: &fields,
            button: "リンクを送る",
        }
        .render(&services)
    };
    Refusals {
        format,
        spam_event: "edit_link_spam",
        unavailable_event: "edit_link_unavailable",
        // The same answer as any request, so that a bot learns nothing.
        accepted: &sent,
        form: &form,
        notice: &|status, message| ApiError::new(status, message, format).into_response(),
        check_again: "",
        rate_limited: "短い時間に多くの依頼がありました。1時間ほどおいてから、もう一度お試しください。",
        unavailable: "ただいま受け付けられません。少し時間をおいて、もう一度お試しください。",
        link_spent: None,
    }
    .answer(error, &FieldErrors::new())
}

fn edit_page(
    services: &SharedServices,
    status: StatusCode,
    token: &str,
    values: &FormFields,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Response {
    edit_page_with(services, status, token, values, errors, notice, "")
}

fn edit_page_with(
    services: &SharedServices,
    status: StatusCode,
    token: &str,
    values: &FormFields,
    errors: &FieldErrors,
    notice: Option<&str>,
    after_html: &str,
) -> Response {
    JoinForm {
        site: &services.site(),
        values,
        errors,
        notice,
        form_token: "",
        edit_token: Some(token),
    }
    .render_with(status, after_html)
}

/// The members whose introduction requests member `slug` does not take, each with a
/// button that lifts it (posting the edit link's token: the link proved the mailbox).
async fn blocks_section(services: &SharedServices, slug: &str, token: &str) -> String {
    let Ok(blocked) = services.store.blocked_requesters(slug).await else {
        return String::new();
    };
    if blocked.is_empty() {
        return String::new();
    }
    let items: String = (blocked.iter())
        .map(|requester| {
            let name = crate::introductions::public_profile(services, requester)
                .map_or_else(|| requester.clone(), |p| p.name);
            format!(
                "<li>{} <form method=\"post\" action=\"/api/introductions/blocks/lift\" class=\"inline-form\"><input type=\"hidden\" name=\"token\" value=\"{}\"><input type=\"hidden\" name=\"requester\" value=\"{}\"><button class=\"button secondary\" type=\"submit\">また受け取る</button></form></li>",
                super::page::escape(&name),
                super::page::escape(token),
                super::page::escape(requester)
            )
        })
        .collect();
    format!(
        "<section aria-labelledby=\"blocks-heading\"><h2 id=\"blocks-heading\">紹介の依頼を受け取らない人</h2><p>この人たちからの紹介の依頼は届きません（相手には伝わっていません）。</p><ul class=\"blocks\">{items}</ul></section>"
    )
}

fn link_refused(services: &SharedServices) -> Response {
    notice_page(
        StatusCode::GONE,
        &services.site(),
        "このリンクは使えません",
        "リンクの有効期限が切れているか、すでに使われたか、正しくありません。プロフィールのページから、もう一度リンクを送ってください。",
    )
}

/// The link's page: the form, filled with the profile as it is published.
async fn form(State(services): State<SharedServices>, Query(query): Query<TokenQuery>) -> Response {
    let token = query.token.unwrap_or_default();
    let Some(slug) = member_of_link(&services, &token) else {
        return link_refused(&services);
    };
    let mut current = services.catalog().member_fields(&slug).unwrap_or_default();
    current.remove("joined");
    let blocks = blocks_section(&services, &slug, &token).await;
    edit_page_with(
        &services,
        StatusCode::OK,
        &token,
        &current,
        &FieldErrors::new(),
        None,
        &blocks,
    )
}

/// Lifts a block from the member's edit link (the link proved their mailbox); the page
/// again, saying so.
async fn lift_block(
    State(services): State<SharedServices>,
    FormPost { format, fields, .. }: FormPost,
) -> Response {
    let token = fields.get(EDIT_TOKEN).cloned().unwrap_or_default();
    let Some(slug) = member_of_link(&services, &token) else {
        return link_refused(&services);
    };
    let requester = fields.get("requester").map(|r| r.trim()).unwrap_or("");
    let lifted = match services.store.lift_block(&slug, requester).await {
        Ok(lifted) => lifted,
        Err(error) => {
            tracing::error!(event = "lift_block_unavailable", error = %error);
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ただいま受け付けられません。少し時間をおいて、もう一度お試しください。",
                format,
            )
            .into_response();
        }
    };
    if format == Format::Json {
        return json_response(StatusCode::OK, &serde_json::json!({ "lifted": lifted }));
    }
    let mut current = services.catalog().member_fields(&slug).unwrap_or_default();
    current.remove("joined");
    let blocks = blocks_section(&services, &slug, &token).await;
    let notice = if lifted {
        "この人からの紹介の依頼を、また受け取ります。"
    } else {
        "この人からの依頼は、すでに受け取る設定です。"
    };
    edit_page_with(
        &services,
        StatusCode::OK,
        &token,
        &current,
        &FieldErrors::new(),
        Some(notice),
        &blocks,
    )
}

async fn update(
    State(services): State<SharedServices>,
    ProfilePost {
        format,
        fields,
        photo,
        client,
    }: ProfilePost,
) -> Response {
    let token = fields.get(EDIT_TOKEN).cloned().unwrap_or_default();
    let Some(slug) = member_of_link(&services, &token) else {
        return match format {
            Format::Json => json_response(
                StatusCode::GONE,
                &serde_json::json!({ "error": "the edit link expired or is not valid; ask for a new one on the profile page" }),
            ),
            Format::Form => link_refused(&services),
        };
    };
    let mut kept = crate::form::normalize(&fields);
    kept.remove(EDIT_TOKEN);
    let received = || match format {
        Format::Json => json_response(
            StatusCode::ACCEPTED,
            &serde_json::json!({ "status": "received", "next": "editors review the change" }),
        ),
        Format::Form => notice_page(
            StatusCode::OK,
            &services.site(),
            "更新を受け付けました",
            "ありがとうございます。運営が確認したあと、プロフィールに反映します。",
        ),
    };
    let client = client.rate_key();
    let update = submit_update(&services, &slug, &token, &fields, photo.as_deref(), &client);
    let Err(error) = update.await else {
        return received();
    };
    let form = |status, errors: &FieldErrors, notice: Option<&str>| {
        edit_page(&services, status, &token, &kept, errors, notice)
    };
    let link_spent = || match format {
        Format::Json => json_response(
            StatusCode::GONE,
            &serde_json::json!({ "error": "the edit link was used already; ask for a new one on the profile page" }),
        ),
        Format::Form => link_refused(&services),
    };
    Refusals {
        format,
        spam_event: "update_spam",
        unavailable_event: "update_unavailable",
        accepted: &received,
        form: &form,
        notice: &|status, message| ApiError::new(status, message, format).into_response(),
        check_again: "",
        rate_limited: "短い時間に多くの更新がありました。1時間ほどおいてから、もう一度お試しください。",
        unavailable: "ただいま受け付けられません。入力内容は送られていません。少し時間をおいて、もう一度お試しください。",
        link_spent: Some(&link_spent),
    }
    .answer(error, &FieldErrors::new())
}
