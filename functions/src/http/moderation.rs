//! The moderation function (editors only, bearer tokens) and the public removal request.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::page::notice_page;
use super::refusal::Refusals;
use super::{ApiError, Editor, FormPost, Format, SharedServices, json_response, read_fields};
use crate::moderation::{EditorItem, ModerationError, decide, registrations_csv, request_removal};
use crate::store::{Cursor, Status};
use model::profile::FieldErrors;

pub fn routes() -> Router<SharedServices> {
    Router::new()
        .route("/api/moderation/submissions", get(list))
        .route("/api/moderation/submissions/{id}/photo", get(photo))
        .route("/api/moderation/submissions/{id}/approve", post(approve))
        .route("/api/moderation/submissions/{id}/reject", post(reject))
        .route("/api/moderation/submissions/{id}/exported", post(exported))
        .route("/api/moderation/events/{slug}/signups.csv", get(attendees))
        .route("/api/moderation/introductions", get(introductions))
        .route("/api/moderation/attendance", get(attendance))
        .route("/api/moderation/requesters/{slug}/suspend", post(suspend))
        .route("/api/moderation/requesters/{slug}/lift", post(lift))
        .route("/api/members/{slug}/removal", post(removal))
        .route("/api/members/{slug}/report", post(report))
}

fn unavailable(error: impl std::fmt::Display) -> Response {
    tracing::error!(event = "moderation_unavailable", error = %error);
    json_response(
        StatusCode::SERVICE_UNAVAILABLE,
        &serde_json::json!({ "error": "the store or the mail service is unavailable; try again" }),
    )
}

#[derive(serde::Deserialize)]
struct StatusQuery {
    status: Option<String>,
    /// The `next` of the page before.
    cursor: Option<String>,
    limit: Option<usize>,
}

/// The most items a page of the queue holds.
pub const PAGE_SIZE: usize = 50;

async fn list(
    State(services): State<SharedServices>,
    _: Editor,
    Query(query): Query<StatusQuery>,
) -> Response {
    // Editors (and the daily export) look at the queue: the moment to send again what a
    // mail outage held back. A failure here does not stop the listing.
    if let Err(error) = services.mail_queue.retry(50).await {
        tracing::warn!(event = "mail_retry_unavailable", error = %error);
    }
    let wanted = query.status.as_deref().unwrap_or("pending");
    let Some(status) = Status::parse(wanted) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            &serde_json::json!({ "error": "status must be pending, approved, rejected or exported" }),
        );
    };
    let cursor = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => match Cursor::parse(text) {
            Some(cursor) => Some(cursor),
            None => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &serde_json::json!({ "error": "the cursor is not one this API gave; start again without it" }),
                );
            }
        },
    };
    let limit = query.limit.unwrap_or(PAGE_SIZE).clamp(1, PAGE_SIZE);
    let page = match services
        .store
        .submissions_page(status, limit, cursor.as_ref())
        .await
    {
        Ok(page) => page,
        Err(error) => return unavailable(error),
    };
    let mut listed = Vec::with_capacity(page.submissions.len());
    for submission in &page.submissions {
        match EditorItem::of(&services, submission).await {
            Ok(item) => listed.push(item),
            Err(error) => return unavailable(error),
        }
    }
    json_response(
        StatusCode::OK,
        &serde_json::json!({ "submissions": listed, "next": page.next.map(|c| c.wire()) }),
    )
}

/// A submission's photo, for the editors' preview and the export. Never cached: it is
/// personal data until it is published.
async fn photo(
    State(services): State<SharedServices>,
    _: Editor,
    Path(id): Path<String>,
) -> Response {
    match services.store.submission(&id).await {
        Ok(Some(submission)) => match submission.photo {
            Some(jpeg) => {
                let mut response = (StatusCode::OK, jpeg).into_response();
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            None => json_response(
                StatusCode::NOT_FOUND,
                &serde_json::json!({ "error": "the submission has no photo" }),
            ),
        },
        Ok(None) => json_response(
            StatusCode::NOT_FOUND,
            &serde_json::json!({ "error": "no such submission" }),
        ),
        Err(error) => unavailable(error),
    }
}

async fn decision(
    services: SharedServices,
    Editor(editor): Editor,
    id: String,
    status: Status,
    reason: Option<String>,
) -> Response {
    match decide(&services, &id, status, &editor, reason.as_deref()).await {
        Ok(decided) => match EditorItem::of(&services, &decided).await {
            Ok(item) => json_response(StatusCode::OK, &serde_json::json!({ "submission": item })),
            Err(error) => unavailable(error),
        },
        Err(ModerationError::NotPending) => json_response(
            StatusCode::CONFLICT,
            &serde_json::json!({ "error": ModerationError::NotPending.to_string() }),
        ),
        Err(ModerationError::ReasonRequired) => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &serde_json::json!({ "errors": { "reason": [ModerationError::ReasonRequired.to_string()] } }),
        ),
        Err(error) => unavailable(error),
    }
}

/// For `portal export`: the members who were at each event that is over (those with a seat
/// who chose the attendee list), by slug only.
async fn attendance(State(services): State<SharedServices>, _: Editor) -> Response {
    match crate::events::attendance(&services).await {
        Ok(events) => json_response(
            StatusCode::OK,
            &serde_json::json!({
                "events": events.into_iter().map(|(slug, members)| serde_json::json!({ "slug": slug, "members": members })).collect::<Vec<_>>(),
            }),
        ),
        Err(error) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({ "error": error.to_string() }),
        ),
    }
}

/// Reported introduction requests (note and both slugs, never an address), newest report
/// first, and the members suspended from sending requests.
async fn introductions(State(services): State<SharedServices>, _: Editor) -> Response {
    let now = services.clock.now();
    let reported = match services.store.reported_introductions(100, now).await {
        Ok(reported) => reported,
        Err(error) => return unavailable(error),
    };
    match services.store.suspended_requesters().await {
        Ok(suspended) => json_response(
            StatusCode::OK,
            &serde_json::json!({ "reported": reported, "suspended": suspended }),
        ),
        Err(error) => unavailable(error),
    }
}

async fn suspension(
    services: SharedServices,
    editor: String,
    slug: String,
    suspended: bool,
) -> Response {
    if !model::slug::is_valid_slug(&slug) {
        return json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &serde_json::json!({ "error": "not a member slug" }),
        );
    }
    // A suspension is lifted whoever it names; one is made only for a published member.
    if suspended && !services.catalog().member_slugs.contains(&slug) {
        return json_response(
            StatusCode::NOT_FOUND,
            &serde_json::json!({ "error": "no published member has this slug" }),
        );
    }
    match services
        .store
        .suspend_requester(&slug, suspended, services.clock.now())
        .await
    {
        Ok(()) => {
            tracing::info!(event = "requester_suspension", slug, suspended, editor);
            json_response(
                StatusCode::OK,
                &serde_json::json!({ "slug": slug, "suspended": suspended }),
            )
        }
        Err(error) => unavailable(error),
    }
}

async fn suspend(
    State(services): State<SharedServices>,
    Editor(editor): Editor,
    Path(slug): Path<String>,
) -> Response {
    suspension(services, editor, slug, true).await
}

async fn lift(
    State(services): State<SharedServices>,
    Editor(editor): Editor,
    Path(slug): Path<String>,
) -> Response {
    suspension(services, editor, slug, false).await
}

async fn approve(
    State(services): State<SharedServices>,
    editor: Editor,
    Path(id): Path<String>,
) -> Response {
    decision(services, editor, id, Status::Approved, None).await
}

async fn reject(
    State(services): State<SharedServices>,
    editor: Editor,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let reason = match read_fields(request).await {
        Ok((_, fields)) => fields.get("reason").cloned(),
        Err(error) => {
            return ApiError {
                format: Format::Json,
                ..error
            }
            .into_response();
        }
    };
    decision(services, editor, id, Status::Rejected, reason).await
}

/// The editorial export acknowledges an approved submission once its content file is
/// written (and committed). Acknowledging twice is harmless, so an export that lost the
/// first answer can retry; a submission that is not approved cannot be acknowledged.
async fn exported(
    State(services): State<SharedServices>,
    _: Editor,
    Path(id): Path<String>,
) -> Response {
    let now = services.clock.now();
    let marked = match services.store.mark_exported(&id, now).await {
        Ok(marked) => marked,
        Err(error) => return unavailable(error),
    };
    match services.store.submission(&id).await {
        Ok(Some(submission)) if marked || submission.status == Status::Exported => {
            match EditorItem::of(&services, &submission).await {
                Ok(item) => json_response(
                    StatusCode::OK,
                    &serde_json::json!({ "submission": item, "newly_exported": marked }),
                ),
                Err(error) => unavailable(error),
            }
        }
        Ok(Some(submission)) => json_response(
            StatusCode::CONFLICT,
            &serde_json::json!({ "error": format!("the submission is {}, not approved", submission.status.as_str()) }),
        ),
        Ok(None) => json_response(
            StatusCode::NOT_FOUND,
            &serde_json::json!({ "error": "no such submission" }),
        ),
        Err(error) => unavailable(error),
    }
}

async fn attendees(
    State(services): State<SharedServices>,
    _: Editor,
    Path(slug): Path<String>,
) -> Response {
    if !services.catalog().events.contains_key(&slug) {
        return json_response(
            StatusCode::NOT_FOUND,
            &serde_json::json!({ "error": "no such event" }),
        );
    }
    match services.store.registrations(&slug).await {
        Ok(signups) => {
            let mut response = (StatusCode::OK, registrations_csv(&signups)).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(value) =
                HeaderValue::from_str(&format!("attachment; filename=\"{slug}-signups.csv\""))
            {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(error) => unavailable(error),
    }
}

const REPORT_RECEIVED: &str = "ご報告ありがとうございます。運営が内容を確かめ、必要な対応をします。報告だけでプロフィールが消えることはありません。";

/// A visitor reports a profile: the same answer for any slug; the reason reaches the
/// editors and nothing else happens.
async fn report(
    State(services): State<SharedServices>,
    Path(slug): Path<String>,
    FormPost {
        format,
        fields,
        client,
    }: FormPost,
) -> Response {
    // A page without script posted unstamped: the form again, filled and stamped.
    let form_again = || {
        let action = format!("/api/members/{slug}/report");
        super::page::ShortForm {
            title: "プロフィールの報告",
            action: &action,
            fields: &[super::page::ShortField {
                name: "reason",
                label: "理由（運営だけが読みます）",
                kind: "textarea",
                required: true,
                max_chars: crate::moderation::MAX_REPORT_CHARS,
            }],
            sent: &fields,
            button: "報告する",
        }
        .render(&services)
    };
    let notice = |status, message: &str| match format {
        Format::Json => json_response(status, &serde_json::json!({ "message": message })),
        Format::Form => notice_page(status, &services.site(), "プロフィールの報告", message),
    };
    let received = || notice(StatusCode::ACCEPTED, REPORT_RECEIVED);
    let report =
        crate::moderation::report_profile(&services, &slug, &fields, &client.rate_key()).await;
    let Err(error) = report else {
        return received();
    };
    let form = |status, errors: &FieldErrors, _: Option<&str>| match first_problem(errors) {
        Some(problem) => notice(status, problem),
        None => form_again(),
    };
    Refusals {
        format,
        spam_event: "report_spam",
        unavailable_event: "moderation_unavailable",
        accepted: &received,
        form: &form,
        notice: &notice,
        check_again: "",
        rate_limited: "短い時間に多くの報告がありました。しばらくおいてから、もう一度お試しください。",
        unavailable: UNAVAILABLE,
        link_spent: None,
    }
    .answer(error, &FieldErrors::new())
}

/// The same answer whether the address was the member's, another, or the slug no
/// published member's: nobody learns an address or a draft by trying.
const REMOVAL_SENT: &str = "入力されたアドレスがこのプロフィールを登録したときのものなら、確認のメールをそのアドレスに送ります（届くまで1分ほどかかることがあります）。メールのリンクを開くと、削除の依頼が運営に届きます。";

async fn removal(
    State(services): State<SharedServices>,
    Path(slug): Path<String>,
    FormPost {
        format,
        fields,
        client,
    }: FormPost,
) -> Response {
    let notice = |status, message: &str| match format {
        Format::Json => json_response(status, &serde_json::json!({ "message": message })),
        Format::Form => notice_page(status, &services.site(), "プロフィールの削除", message),
    };
    // The same answer whether the address was the member's, another, or the slug no
    // published member's: nobody learns an address or a draft by trying.
    let sent = || notice(StatusCode::ACCEPTED, REMOVAL_SENT);
    let Err(error) = request_removal(&services, &slug, &fields, &client.rate_key()).await else {
        return sent();
    };
    let action = format!("/api/members/{slug}/removal");
    // The address's problem, or (a page without script) the form again, filled and stamped.
    let form = |status, errors: &FieldErrors, _: Option<&str>| match first_problem(errors) {
        Some(problem) => notice(status, problem),
        None => super::page::ShortForm {
            title: "プロフィールの削除",
            action: &action,
            fields: &[super::page::ShortField {
                name: crate::form::EMAIL,
                label: "登録したときのメールアドレス",
                kind: "email",
                required: true,
                max_chars: 254,
            }],
            sent: &fields,
            button: "削除を依頼する",
        }
        .render(&services),
    };
    Refusals {
        format,
        spam_event: "removal_spam",
        unavailable_event: "moderation_unavailable",
        // Counted, and answered as any request, so that a bot learns nothing.
        accepted: &sent,
        form: &form,
        notice: &notice,
        check_again: "",
        rate_limited: "短い時間に多くの依頼がありました。しばらくおいてから、もう一度お試しください。",
        unavailable: UNAVAILABLE,
        link_spent: None,
    }
    .answer(error, &FieldErrors::new())
}

/// The first problem of a short form's fields (they have one field that can be wrong).
fn first_problem(errors: &FieldErrors) -> Option<&str> {
    errors.values().flatten().next().map(String::as_str)
}

/// What a sender reads when the store or the mail service failed.
const UNAVAILABLE: &str = "ただいま受け付けられません。少し時間をおいて、もう一度お試しください。";
