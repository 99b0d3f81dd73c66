//! How the stamped public forms (joining, announcing an event) answer: "received" for what
//! was taken, and for what their rule refused the form again with what was written and why, or JSON for an API client; spam
//! and a missing stamp from an API client get the usual "received", so bots learn nothing.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use model::profile::FieldErrors;

use super::{Format, json_response};
use crate::signup::SignupError;

/// One form's answers and words.
pub struct Refusals<'a> {
    pub format: Format,
    /// The log events of spam and of a store or mail service that failed.
    pub spam_event: &'static str,
    pub unavailable_event: &'static str,
    /// What a sender whose submission was taken sees.
    pub accepted: &'a dyn Fn() -> Response,
    /// The form again, with what was written, the field errors and a notice.
    pub form: &'a dyn Fn(StatusCode, &FieldErrors, Option<&str>) -> Response,
    /// The notice of a form sent without a valid stamp: look once more, then send.
    pub check_again: &'a str,
    pub rate_limited: &'a str,
    pub unavailable: &'a str,
}

impl Refusals<'_> {
    /// The answer to `error`; `unstamped_errors` go beside the fields of a form shown again
    /// for want of a stamp (a file that must be chosen again).
    pub fn answer(&self, error: SignupError, unstamped_errors: &FieldErrors) -> Response {
        let with_message = |status: StatusCode, message: &str| match self.format {
            Format::Json => json_response(status, &serde_json::json!({ "error": message })),
            Format::Form => (self.form)(status, &FieldErrors::new(), Some(message)),
        };
        match error {
            SignupError::Unstamped => match self.format {
                // An API client must fetch a stamp first; it learns nothing more than a bot.
                Format::Json => {
                    tracing::warn!(event = self.spam_event, reason = "no valid form stamp");
                    (self.accepted)()
                }
                Format::Form => {
                    (self.form)(StatusCode::OK, unstamped_errors, Some(self.check_again))
                }
            },
            SignupError::Spam(reason) => {
                // Counted, never stored.
                tracing::warn!(event = self.spam_event, reason);
                (self.accepted)()
            }
            SignupError::Invalid(errors) => match self.format {
                Format::Json => json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &serde_json::json!({ "errors": errors }),
                ),
                Format::Form => (self.form)(StatusCode::UNPROCESSABLE_ENTITY, &errors, None),
            },
            SignupError::RateLimited => {
                with_message(StatusCode::TOO_MANY_REQUESTS, self.rate_limited)
            }
            SignupError::LinkSpent => with_message(
                StatusCode::GONE,
                "このリンクはもう使えません。プロフィールのページから、もう一度リンクを送ってください。",
            ),
            error @ (SignupError::Store(_) | SignupError::Mail(_)) => {
                tracing::error!(event = self.unavailable_event, error = %error);
                with_message(StatusCode::SERVICE_UNAVAILABLE, self.unavailable)
            }
        }
    }
}

/// A submission was taken (or looks so to a bot): JSON says so; a browser goes to the
/// site's thanks page at `thanks` (`/join-thanks/`), which says to confirm the address.
pub fn received(site_url: &str, format: Format, thanks: &str) -> Response {
    match format {
        Format::Json => json_response(
            StatusCode::ACCEPTED,
            &serde_json::json!({ "status": "received", "next": "confirm your e-mail address with the link we sent" }),
        ),
        Format::Form => {
            let location = format!("{}{thanks}", site_url.trim_end_matches('/'));
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
    }
}
