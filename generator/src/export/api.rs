//! The export's first step: the moderation API, read with an editor's token (the approved
//! queue, each item's photo, the acknowledgement).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::ExportError;

/// One approved item as the moderation API lists it. Only what a content file needs is
/// read: the submitter's e-mail address is never deserialized, so it cannot reach a file.
#[derive(Debug, Clone, Deserialize)]
pub struct ApprovedItem {
    pub id: String,
    pub kind: String,
    pub slug: String,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    pub decided_by: Option<String>,
    /// The submission carries a photo, fetched on its own (see [`ModerationApi::photo`]).
    #[serde(default)]
    pub has_photo: bool,
    /// For an announced event: the published member who announced it, if any (the API
    /// matched the address; the address itself is not read).
    #[serde(default)]
    pub organizer_member: Option<String>,
}

/// The moderation API, seen by an editor.
pub struct ModerationApi {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl ModerationApi {
    pub fn new(base: &str, token: &str) -> Result<ModerationApi, ExportError> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ExportError::Usage(format!(
                "--api `{base}` must be an http(s) address, e.g. https://portal.example.org"
            )));
        }
        if token.trim().is_empty() {
            return Err(ExportError::Usage(
                "no editor token: set PORTAL_EDITOR_TOKEN".into(),
            ));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(ModerationApi {
            base,
            token: token.trim().to_owned(),
            agent,
        })
    }

    pub(super) fn error(&self, path: &str, message: impl Into<String>) -> ExportError {
        ExportError::Api {
            url: format!("{}{path}", self.base),
            message: message.into(),
        }
    }

    pub(super) fn answer(
        &self,
        path: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<serde_json::Value, ExportError> {
        let mut response = result.map_err(|e| self.error(path, format!("unreachable: {e}")))?;
        let status = response.status();
        let body: serde_json::Value = response
            .body_mut()
            .read_json()
            .unwrap_or(serde_json::Value::Null);
        if status == 401 {
            return Err(self.error(
                path,
                "the editor token was refused; check PORTAL_EDITOR_TOKEN",
            ));
        }
        if !status.is_success() {
            let detail = body["error"].as_str().unwrap_or("no explanation");
            return Err(self.error(path, format!("answered {status}: {detail}")));
        }
        Ok(body)
    }

    /// `GET path` with the editor's token, as JSON (see [`ModerationApi::answer`]).
    fn get_json(&self, path: &str) -> Result<serde_json::Value, ExportError> {
        let result = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Accept", "application/json")
            .call();
        self.answer(path, result)
    }

    /// Every approved item, page by page (the API gives 50 at a time, newest first),
    /// returned oldest first, so that commits follow the order of submission.
    pub fn approved(&self) -> Result<Vec<ApprovedItem>, ExportError> {
        let mut all: Vec<ApprovedItem> = Vec::new();
        let mut cursor: Option<String> = None;
        // A queue of 10,000 approved items is 200 pages; anything past that is a loop.
        for _ in 0..10_000 {
            let path = match &cursor {
                Some(cursor) => {
                    format!("/api/moderation/submissions?status=approved&cursor={cursor}")
                }
                None => "/api/moderation/submissions?status=approved".to_owned(),
            };
            let body = self.get_json(&path)?;
            let items = body
                .get("submissions")
                .cloned()
                .ok_or_else(|| self.error(&path, "the answer has no `submissions`"))?;
            let page: Vec<ApprovedItem> = serde_json::from_value(items).map_err(|e| {
                self.error(
                    &path,
                    format!("the answer is not a list of submissions: {e}"),
                )
            })?;
            all.extend(page);
            match body.get("next").and_then(|n| n.as_str()) {
                // A cursor is digits, a dot and an id: nothing to escape in a URL.
                Some(next)
                    if next
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) =>
                {
                    cursor = Some(next.to_owned());
                }
                Some(_) => return Err(self.error(&path, "the answer's `next` is not a cursor")),
                None => {
                    all.reverse();
                    return Ok(all);
                }
            }
        }
        Err(self.error(
            "/api/moderation/submissions",
            "the queue did not end after 10,000 pages",
        ))
    }

    /// For each event that is over, the members who were there (had a seat and chose the
    /// attendee list), by slug.
    pub fn attendance(&self) -> Result<Vec<(String, Vec<String>)>, ExportError> {
        let path = "/api/moderation/attendance";
        let body = self.get_json(path)?;
        #[derive(serde::Deserialize)]
        struct Attended {
            slug: String,
            members: Vec<String>,
        }
        let events: Vec<Attended> = body
            .get("events")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| self.error(path, format!("the answer is not a list of events: {e}")))?
            .ok_or_else(|| self.error(path, "the answer has no `events`"))?;
        events
            .into_iter()
            .map(|e| {
                if model::slug::is_valid_slug(&e.slug) {
                    Ok((e.slug, e.members))
                } else {
                    Err(self.error(path, "the answer names an event that is no slug"))
                }
            })
            .collect()
    }

    /// The photo of submission `id` (a JPEG the functions made, at most a few hundred KB).
    pub fn photo(&self, id: &str) -> Result<Vec<u8>, ExportError> {
        let path = format!("/api/moderation/submissions/{id}/photo");
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .call()
            .map_err(|e| self.error(&path, format!("unreachable: {e}")))?;
        let status = response.status();
        if status == 401 {
            return Err(self.error(
                &path,
                "the editor token was refused; check PORTAL_EDITOR_TOKEN",
            ));
        }
        if !status.is_success() {
            return Err(self.error(&path, format!("answered {status}")));
        }
        response
            .body_mut()
            .with_config()
            .limit(6 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| self.error(&path, format!("reading the photo: {e}")))
    }

    /// Tells the API that the item's change is made; harmless to repeat.
    pub fn acknowledge(&self, id: &str) -> Result<(), ExportError> {
        let path = format!("/api/moderation/submissions/{id}/exported");
        let result = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Accept", "application/json")
            .send_empty();
        self.answer(&path, result).map(|_| ())
    }
}

/// A submission id as the functions make them (URL-safe base64); anything else is refused
/// before it reaches a URL or a commit message.
pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
