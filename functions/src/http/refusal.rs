//! How every public form answers a refusal, whatever its rule: each rule's own error says
//! what it means to the sender ([`Refusal`]), and [`Refusals::answer`] answers it the form's
//! way: the form again with what was written and why, a notice, or JSON for an API client.
//! Spam and a missing stamp from an API client get the form's usual answer, so bots learn
//! nothing.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use model::profile::FieldErrors;

use super::{Format, json_response};
use crate::announce::AnnounceError;
use crate::events::EventError;
use crate::moderation::{RemovalError, ReportError};
use crate::profile_edit::UpdateError;
use crate::signup::SignupError;

/// What a refusal means to the person who sent the form.
pub enum Refused {
    /// Fields to fix, each with its problems.
    Invalid(FieldErrors),
    /// Looks automated (the reason is logged); answered as if taken.
    Spam(&'static str),
    /// No valid stamp: a person gets the form again, stamped; an API client the usual answer.
    Unstamped,
    RateLimited,
    /// A mailed link was used already or is no longer valid.
    LinkSpent,
    /// The rule's own answer, in words (a spent link, an event that is over).
    Said(StatusCode, String),
    /// The store or the mail service failed; nothing was taken.
    Unavailable,
}

/// A rule's error, as the sender of a form sees it.
pub trait Refusal: std::fmt::Display {
    fn refused(self) -> Refused;
}

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
    /// A refusal in words (a limit, an outage, a spent link), in the answer's format.
    pub notice: &'a dyn Fn(StatusCode, &str) -> Response,
    /// The notice of a form sent without a valid stamp: look once more, then send.
    pub check_again: &'a str,
    pub rate_limited: &'a str,
    pub unavailable: &'a str,
    /// The answer to a spent link, for the forms a mailed link opens (else a notice).
    pub link_spent: Option<&'a dyn Fn() -> Response>,
}

impl Refusals<'_> {
    /// The answer to `error`; `unstamped_errors` go beside the fields of a form shown again
    /// for want of a stamp (a file that must be chosen again).
    pub fn answer(&self, error: impl Refusal, unstamped_errors: &FieldErrors) -> Response {
        let text = error.to_string();
        match error.refused() {
            Refused::Unstamped => match self.format {
                // An API client must fetch a stamp first; it learns nothing more than a bot.
                Format::Json => {
                    tracing::warn!(event = self.spam_event, reason = "no valid form stamp");
                    (self.accepted)()
                }
                Format::Form => {
                    (self.form)(StatusCode::OK, unstamped_errors, Some(self.check_again))
                }
            },
            Refused::Spam(reason) => {
                // Counted, never stored.
                tracing::warn!(event = self.spam_event, reason);
                (self.accepted)()
            }
            Refused::Invalid(errors) => match self.format {
                Format::Json => json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &serde_json::json!({ "errors": errors }),
                ),
                Format::Form => (self.form)(StatusCode::UNPROCESSABLE_ENTITY, &errors, None),
            },
            Refused::RateLimited => (self.notice)(StatusCode::TOO_MANY_REQUESTS, self.rate_limited),
            Refused::LinkSpent => match self.link_spent {
                Some(answer) => answer(),
                None => (self.notice)(StatusCode::GONE, LINK_SPENT),
            },
            Refused::Said(status, message) => (self.notice)(status, &message),
            Refused::Unavailable => {
                tracing::error!(event = self.unavailable_event, error = %text);
                (self.notice)(StatusCode::SERVICE_UNAVAILABLE, self.unavailable)
            }
        }
    }
}

/// A notice for a long form: JSON `{"error": ...}`, or the form again with the notice above.
pub fn notice_in_form<'a>(
    format: Format,
    form: &'a dyn Fn(StatusCode, &FieldErrors, Option<&str>) -> Response,
) -> impl Fn(StatusCode, &str) -> Response + 'a {
    move |status, message| match format {
        Format::Json => json_response(status, &serde_json::json!({ "error": message })),
        Format::Form => form(status, &FieldErrors::new(), Some(message)),
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

/// The words of a spent or broken edit link.
pub const LINK_SPENT: &str =
    "このリンクはもう使えません。プロフィールのページから、もう一度リンクを送ってください。";

impl Refusal for SignupError {
    fn refused(self) -> Refused {
        match self {
            SignupError::Invalid(errors) => Refused::Invalid(errors),
            SignupError::Spam(reason) => Refused::Spam(reason),
            SignupError::Unstamped => Refused::Unstamped,
            SignupError::RateLimited => Refused::RateLimited,
            SignupError::Store(_) | SignupError::Mail(_) => Refused::Unavailable,
        }
    }
}

impl Refusal for AnnounceError {
    fn refused(self) -> Refused {
        match self {
            AnnounceError::Invalid(errors) => Refused::Invalid(errors),
            AnnounceError::Spam(reason) => Refused::Spam(reason),
            AnnounceError::Unstamped => Refused::Unstamped,
            AnnounceError::RateLimited => Refused::RateLimited,
            AnnounceError::Store(_) | AnnounceError::Mail(_) => Refused::Unavailable,
        }
    }
}

impl Refusal for UpdateError {
    fn refused(self) -> Refused {
        match self {
            UpdateError::Invalid(errors) => Refused::Invalid(errors),
            UpdateError::Spam(reason) => Refused::Spam(reason),
            UpdateError::Unstamped => Refused::Unstamped,
            UpdateError::RateLimited => Refused::RateLimited,
            UpdateError::LinkSpent => Refused::LinkSpent,
            UpdateError::Store(_) | UpdateError::Mail(_) => Refused::Unavailable,
        }
    }
}

impl Refusal for RemovalError {
    fn refused(self) -> Refused {
        match self {
            // Said in words, as every answer of this short form is (`{"message": ...}`).
            RemovalError::InvalidEmail(problem) => {
                Refused::Said(StatusCode::UNPROCESSABLE_ENTITY, problem)
            }
            RemovalError::Spam(reason) => Refused::Spam(reason),
            RemovalError::Unstamped => Refused::Unstamped,
            RemovalError::RateLimited => Refused::RateLimited,
            RemovalError::Store(_) | RemovalError::Mail(_) => Refused::Unavailable,
        }
    }
}

impl Refusal for ReportError {
    fn refused(self) -> Refused {
        match self {
            ReportError::Invalid(problem) => {
                Refused::Invalid(FieldErrors::from([("reason".to_owned(), vec![problem])]))
            }
            ReportError::Spam(reason) => Refused::Spam(reason),
            ReportError::Unstamped => Refused::Unstamped,
            ReportError::RateLimited => Refused::RateLimited,
            ReportError::Store(_) => Refused::Unavailable,
        }
    }
}

impl Refusal for EventError {
    fn refused(self) -> Refused {
        let said = |status, message: &str| Refused::Said(status, message.to_owned());
        match self {
            EventError::UnknownEvent => {
                said(StatusCode::NOT_FOUND, "このイベントは見つかりません。")
            }
            EventError::NoSignups => said(
                StatusCode::NOT_FOUND,
                "このイベントの申し込みはポータルでは受け付けていません。イベントのページをご覧ください。",
            ),
            EventError::Over => said(StatusCode::GONE, "このイベントは終了しました。"),
            EventError::RateLimited => Refused::RateLimited,
            EventError::NotHeld => said(
                StatusCode::GONE,
                "この申し込みは確定済みか、リンクの有効期限が切れています。必要ならもう一度お申し込みください。",
            ),
            EventError::Token(e) => Refused::Said(
                StatusCode::BAD_REQUEST,
                format!("取り消しのリンクが使えません（{e}）。"),
            ),
            EventError::Invalid(errors) => Refused::Invalid(errors),
            EventError::Spam(reason) => Refused::Spam(reason),
            EventError::Unstamped => Refused::Unstamped,
            EventError::Store(_) | EventError::Mail(_) => Refused::Unavailable,
        }
    }
}
