//! The moderation function (editors only, bearer tokens) and the public removal request.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::page::notice_page;
use super::{
    ApiError, Format, Post, Shared, client_address, json_response, read_fields, read_post,
};
use crate::moderation::{
    ModerationError, RemovalError, decide, editor_for, request_removal, signups_csv,
};
use crate::store::Status;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/moderation/submissions", get(list))
        .route("/api/moderation/submissions/{id}/approve", post(approve))
        .route("/api/moderation/submissions/{id}/reject", post(reject))
        .route("/api/moderation/submissions/{id}/exported", post(exported))
        .route("/api/moderation/events/{slug}/signups.csv", get(attendees))
        .route("/api/members/{slug}/removal", post(removal))
}

/// A request without a valid editor token.
struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let mut response = json_response(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({ "error": "send an editor token: Authorization: Bearer <token>" }),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"moderation\""),
        );
        response
    }
}

/// The editor behind the request's bearer token.
fn editor(services: &Shared, headers: &HeaderMap) -> Result<String, Unauthorized> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    match editor_for(services, token) {
        Some(name) if !token.is_empty() => Ok(name.to_owned()),
        _ => Err(Unauthorized),
    }
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
}

async fn list(
    State(services): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<StatusQuery>,
) -> Response {
    if let Err(denied) = editor(&services, &headers) {
        return denied.into_response();
    }
    let wanted = query.status.as_deref().unwrap_or("pending");
    let Some(status) = Status::parse(wanted) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            &serde_json::json!({ "error": "status must be pending, approved, rejected or exported" }),
        );
    };
    match services.store.list_submissions(status).await {
        Ok(submissions) => json_response(
            StatusCode::OK,
            &serde_json::json!({ "submissions": submissions }),
        ),
        Err(error) => unavailable(error),
    }
}

async fn decision(
    services: Shared,
    headers: HeaderMap,
    id: String,
    status: Status,
    reason: Option<String>,
) -> Response {
    let editor = match editor(&services, &headers) {
        Ok(editor) => editor,
        Err(denied) => return denied.into_response(),
    };
    match decide(&services, &id, status, &editor, reason.as_deref()).await {
        Ok(decided) => json_response(
            StatusCode::OK,
            &serde_json::json!({ "submission": decided }),
        ),
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

async fn approve(
    State(services): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    decision(services, headers, id, Status::Approved, None).await
}

async fn reject(
    State(services): State<Shared>,
    Path(id): Path<String>,
    request: Request<Body>,
) -> Response {
    let headers = request.headers().clone();
    if let Err(denied) = editor(&services, &headers) {
        return denied.into_response();
    }
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
    decision(services, headers, id, Status::Rejected, reason).await
}

/// The editorial export acknowledges an approved submission once its content file is
/// written (and committed). Acknowledging twice is harmless, so an export that lost the
/// first answer can retry; a submission that is not approved cannot be acknowledged.
async fn exported(
    State(services): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(denied) = editor(&services, &headers) {
        return denied.into_response();
    }
    let now = services.clock.now();
    let marked = match services.store.mark_exported(&id, now).await {
        Ok(marked) => marked,
        Err(error) => return unavailable(error),
    };
    match services.store.submission(&id).await {
        Ok(Some(submission)) if marked || submission.status == Status::Exported => json_response(
            StatusCode::OK,
            &serde_json::json!({ "submission": submission, "newly_exported": marked }),
        ),
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
    State(services): State<Shared>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Response {
    if let Err(denied) = editor(&services, &headers) {
        return denied.into_response();
    }
    if !services.catalog.events.contains_key(&slug) {
        return json_response(
            StatusCode::NOT_FOUND,
            &serde_json::json!({ "error": "no such event" }),
        );
    }
    match services.store.signups(&slug).await {
        Ok(signups) => {
            let mut response = (StatusCode::OK, signups_csv(&signups)).into_response();
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

async fn removal(
    State(services): State<Shared>,
    Path(slug): Path<String>,
    request: Request<Body>,
) -> Response {
    let Post {
        format,
        fields,
        headers,
    } = match read_post(request, &services).await {
        Ok(post) => post,
        Err(error) => return error.into_response(),
    };
    let email = fields.get("email").cloned().unwrap_or_default();
    let (status, message) =
        match request_removal(&services, &slug, &email, &client_address(&headers)).await {
            Ok(()) => (
                StatusCode::ACCEPTED,
                "確認のメールを送りました。メールのリンクを開くと、削除の依頼が運営に届きます。"
                    .to_owned(),
            ),
            Err(RemovalError::UnknownMember) => (
                StatusCode::NOT_FOUND,
                "このメンバーは見つかりません。".to_owned(),
            ),
            Err(RemovalError::InvalidEmail(problem)) => (StatusCode::UNPROCESSABLE_ENTITY, problem),
            Err(error @ (RemovalError::Store(_) | RemovalError::Mail(_))) => {
                return unavailable(error);
            }
        };
    match format {
        Format::Json => json_response(status, &serde_json::json!({ "message": message })),
        Format::Form => notice_page(
            status,
            &services.config.site_url,
            "プロフィールの削除",
            &message,
        ),
    }
}
