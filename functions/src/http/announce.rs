//! Announcing an event: the form (the functions' own page, stamped) and its submission.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::page::AnnounceForm;
use super::refusal::{Refusals, notice_in_form, received};
use super::{ApiError, Format, MultipartPost, SharedServices};
use crate::announce::submit_event;
use crate::form::{FORM_TOKEN, new_stamp, normalize};
use model::profile::{FieldErrors, FormFields};

pub fn routes() -> Router<SharedServices> {
    Router::new()
        .route("/api/events", axum::routing::post(submit))
        .route("/api/events/new", get(form))
}

fn form_page(
    services: &SharedServices,
    status: StatusCode,
    values: &FormFields,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Response {
    let token = new_stamp(services);
    AnnounceForm {
        site: &services.site(),
        values,
        errors,
        notice,
        form_token: &token,
    }
    .render(status)
}

async fn form(State(services): State<SharedServices>) -> Response {
    form_page(
        &services,
        StatusCode::OK,
        &FormFields::new(),
        &FieldErrors::new(),
        None,
    )
}

/// Form, multipart (the site's form sent by its script) or JSON, within 64 KiB; no file is
/// taken here.
async fn submit(
    State(services): State<SharedServices>,
    MultipartPost {
        format,
        fields,
        file,
        client,
    }: MultipartPost,
) -> Response {
    if file.is_some() {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "an announcement takes no file",
            format,
        )
        .into_response();
    }
    let mut kept = normalize(&fields);
    kept.remove(FORM_TOKEN);
    let Err(error) = submit_event(&services, &fields, &client.rate_key()).await else {
        return accepted(&services, format);
    };
    let form = |status, errors: &FieldErrors, notice: Option<&str>| {
        form_page(&services, status, &kept, errors, notice)
    };
    Refusals {
        format,
        spam_event: "announcement_spam",
        unavailable_event: "announcement_unavailable",
        accepted: &|| accepted(&services, format),
        form: &form,
        notice: &notice_in_form(format, &form),
        check_again: "送信の前に、内容をもう一度確認してください。よければ「知らせる」を押すと送信されます。",
        rate_limited: "短い時間に多くの依頼がありました。1時間ほどおいてから、もう一度お試しください。",
        unavailable: "ただいま受け付けられません。入力内容はそのままです。少し時間をおいて、もう一度送信してください。",
        link_spent: None,
    }
    .answer(error, &FieldErrors::new())
}

fn accepted(services: &SharedServices, format: Format) -> Response {
    received(&services.config.site_url, format, "/event-thanks/")
}
