//! The member sign-up function: the join form, its submission, and e-mail confirmation.

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::page::{JoinForm, button_page, notice_page};
use super::refusal::{Refusals, notice_in_form, received};
use super::{
    Format, ProfilePost, SharedServices, TokenQuery, format_of, json_response, read_token,
};
use crate::form::{FORM_TOKEN, FORM_VALID_SECONDS, PHOTO, new_stamp, normalize};
use crate::signup::submit_profile;
use crate::store::StoreError;
use crate::tokens::{Purpose, TokenError};
use model::profile::{FieldErrors, FormFields};

pub fn routes() -> Router<SharedServices> {
    Router::new()
        .route(
            "/api/members",
            axum::routing::post(submit)
                // A sign-up may carry a photo; every other post stays within 64 KiB.
                .layer(axum::extract::DefaultBodyLimit::max(
                    super::MAX_BODY_WITH_PHOTO,
                )),
        )
        .route("/api/members/new", get(form))
        .route("/api/confirm", get(confirm_page).post(confirm))
}

fn form_page(
    services: &SharedServices,
    status: StatusCode,
    values: &FormFields,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Response {
    let token = new_stamp(services);
    JoinForm {
        site: &services.site(),
        values,
        errors,
        notice,
        form_token: &token,
        edit_token: None,
    }
    .render(status)
}

/// The join form; an API client asking for JSON gets the stamp its post must carry.
async fn form(State(services): State<SharedServices>, headers: axum::http::HeaderMap) -> Response {
    if format_of(&headers) == Format::Json {
        return json_response(
            StatusCode::OK,
            &serde_json::json!({
                "form_token": new_stamp(&services),
                "valid_seconds": FORM_VALID_SECONDS,
                "min_fill_seconds": services.config.min_fill_seconds,
                "note": "send form_token with the sign-up, no sooner than min_fill_seconds after this answer; each is good for one sign-up",
            }),
        );
    }
    form_page(
        &services,
        StatusCode::OK,
        &FormFields::new(),
        &FieldErrors::new(),
        None,
    )
}

async fn submit(
    State(services): State<SharedServices>,
    ProfilePost {
        format,
        fields,
        photo,
        client,
    }: ProfilePost,
) -> Response {
    let client = client.rate_key();
    // Shown again as it would be stored, without the spent stamp.
    let mut kept = normalize(&fields);
    kept.remove(FORM_TOKEN);
    let result = submit_profile(&services, &fields, photo.as_deref(), &client).await;
    let Err(error) = result else {
        return accepted(&services, format);
    };
    // A file input cannot be filled in again: say so beside it.
    let mut photo_again = FieldErrors::new();
    if photo.is_some() {
        photo_again.insert(
            PHOTO.into(),
            vec!["写真はまだ受け取っていません。もう一度選んでください".into()],
        );
    }
    let form = |status, errors: &FieldErrors, notice: Option<&str>| {
        form_page(&services, status, &kept, errors, notice)
    };
    Refusals {
        format,
        spam_event: "signup_spam",
        unavailable_event: "signup_unavailable",
        accepted: &|| accepted(&services, format),
        form: &form,
        notice: &notice_in_form(format, &form),
        check_again: "送信の前に、内容をもう一度確認してください。よければ「登録する」を押すと送信されます。",
        rate_limited: "短い時間に多くの登録がありました。1時間ほどおいてから、もう一度お試しください。",
        unavailable: "ただいま登録を受け付けられません。入力内容はそのままです。少し時間をおいて、もう一度送信してください。",
        link_spent: None,
    }
    .answer(error, &photo_again)
}

fn accepted(services: &SharedServices, format: Format) -> Response {
    received(&services.config.site_url, format, "/join-thanks/")
}

/// The link in the mail opens a page with a button: mail scanners and link previews fetch
/// links, and a GET changes nothing. An expired or broken link says so at once.
async fn confirm_page(
    State(services): State<SharedServices>,
    Query(query): Query<TokenQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let format = format_of(&headers);
    let token = query.token.unwrap_or_default();
    let now = services.clock.now();
    if let Err(error) = services.signer.verify(&token, Purpose::Confirm, now) {
        // A member's removal link opens the same page.
        if services
            .signer
            .verify(&token, Purpose::Removal, now)
            .is_err()
        {
            return refuse_link(&services, format, error);
        }
    }
    match format {
        Format::Json => json_response(
            StatusCode::OK,
            &serde_json::json!({ "status": "not yet confirmed", "next": "POST the token to /api/confirm" }),
        ),
        Format::Form => button_page(
            &services.site(),
            "メールアドレスの確認",
            "下のボタンを押すと確認が完了します。",
            "/api/confirm",
            &token,
            "確認する",
        ),
    }
}

fn confirm_answer(
    services: &SharedServices,
    format: Format,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    match format {
        Format::Json => json_response(
            status,
            &serde_json::json!({ "status": title, "message": message }),
        ),
        Format::Form => notice_page(status, &services.site(), title, message),
    }
}

/// The page that says why a confirmation link cannot be used.
fn refuse_link(services: &SharedServices, format: Format, error: TokenError) -> Response {
    match error {
        TokenError::Expired => confirm_answer(
            services,
            format,
            StatusCode::GONE,
            "リンクの有効期限が切れています",
            "お手数ですが、もう一度登録してください。",
        ),
        TokenError::Invalid => confirm_answer(
            services,
            format,
            StatusCode::BAD_REQUEST,
            "リンクが正しくありません",
            "メールにあるリンクを、途中で切れないように開いてください。",
        ),
    }
}

/// The button's post: confirms the address of a sign-up or a removal request.
async fn confirm(State(services): State<SharedServices>, request: Request<Body>) -> Response {
    let (format, token) = match read_token(request).await {
        Ok(read) => read,
        Err(error) => return error.into_response(),
    };
    let now = services.clock.now();
    let answer = |status, title: &str, message: &str| {
        confirm_answer(&services, format, status, title, message)
    };
    let id = match services.signer.verify(&token, Purpose::Confirm, now) {
        Ok(verified) => verified.subject,
        // A member confirms their removal: it reaches the editors now.
        Err(error)
            if services
                .signer
                .verify(&token, Purpose::Removal, now)
                .is_ok() =>
        {
            let _ = error;
            return match crate::moderation::confirm_removal(&services, &token).await {
                Ok(true) => answer(
                    StatusCode::OK,
                    "確認できました",
                    "ありがとうございます。運営が確認したあと、プロフィールを削除します。",
                ),
                Ok(false) => answer(
                    StatusCode::NOT_FOUND,
                    "依頼が見つかりません",
                    "このリンクはすでに使われたか、プロフィールの情報がもうありません。",
                ),
                Err(error) => {
                    tracing::error!(event = "confirm_unavailable", error = %error);
                    answer(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "ただいま確認できません",
                        "少し時間をおいて、もう一度リンクを開いてください。",
                    )
                }
            };
        }
        Err(error) => return refuse_link(&services, format, error),
    };
    // What happens next depends on what was confirmed.
    let kind = match services.store.submission(&id).await {
        Ok(found) => found.map(|s| s.kind),
        Err(_) => None,
    };
    match services.store.confirm_submission(&id, now).await {
        Ok(true) => {
            tracing::info!(event = "signup_confirmed");
            let next = match kind {
                Some(crate::store::SubmissionKind::Event) => {
                    "ありがとうございます。運営が内容を確認したあと、イベントを掲載します。"
                }
                Some(crate::store::SubmissionKind::Removal) => {
                    "ありがとうございます。運営が確認したあと、プロフィールを削除します。"
                }
                _ => "ありがとうございます。運営が内容を確認したあと、プロフィールを公開します。",
            };
            answer(StatusCode::OK, "確認できました", next)
        }
        Ok(false) => answer(
            StatusCode::NOT_FOUND,
            "登録が見つかりません",
            "すでに処理が済んでいるか、登録が取り消されています。",
        ),
        Err(
            StoreError::Unavailable(error)
            | StoreError::SlugTaken(error)
            | StoreError::Corrupt(error),
        ) => {
            tracing::error!(event = "confirm_unavailable", error = %error);
            answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "ただいま確認できません",
                "少し時間をおいて、もう一度リンクを開いてください。",
            )
        }
    }
}
