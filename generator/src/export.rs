//! `portal export`: approved sign-ups and removals, fetched from the moderation API, become
//! content files (and, with `--commit`, commits on a new branch); each item is acknowledged
//! to the API only once its change is on disk (committed, pushed), so none is lost or doubled.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::civil::Date;
use model::profile::check_profile;
use model::slug::is_valid_slug;
use serde::Deserialize;

use crate::git::{Git, Worktree};

#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The content folder (with `--commit`, the same folder inside a new worktree).
    pub content: PathBuf,
    /// The site or API origin that serves `/api/moderation/...`.
    pub api: String,
    /// An editor's bearer token.
    pub token: String,
    /// Commit each item on a new branch instead of writing into the working tree.
    pub commit: bool,
    /// The branch name; default `submissions/<today>-<n>`.
    pub branch: Option<String>,
    /// Push the branch to this remote before acknowledging (with `commit`).
    pub push: Option<String>,
    /// Today in Japan, for the default branch name.
    pub today: Date,
    /// With `commit`: run `portal check` on the branch's content before it is pushed and
    /// its items acknowledged, printing what it finds in this format; an error stops both.
    /// A pull request opened by a workflow's own token starts no checks of its own, so the
    /// export checks what it is about to push.
    pub check: Option<crate::report::Format>,
}

/// What an export did, item by item.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// Content files written (members and announced events), by slug.
    pub written: Vec<String>,
    /// Member files deleted, by slug.
    pub removed: Vec<String>,
    /// Items whose change was already made (a file as it should be, or a commit naming the
    /// submission): acknowledged without a new change.
    pub already_done: Vec<String>,
    /// The branch made, when `--commit` made any commit.
    pub branch: Option<String>,
    /// Items left in the queue, with why; the export exits 1 when there are any.
    pub failed: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the moderation API at {url}: {message}")]
    Api { url: String, message: String },
    #[error("git: {0}")]
    Git(String),
    #[error("{0}")]
    Usage(String),
    /// `--check` found errors in the branch's content: nothing was pushed or acknowledged.
    #[error(
        "the exported content has {errors} error(s) (printed above); nothing was pushed and every item stays in the queue: reject the items at fault on /admin/, then export again"
    )]
    Check { errors: usize },
}

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

/// The change an item makes to the content folder.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// `members/<slug>.md` with this text, and its photo at `static/members/<slug>.jpg`.
    Write {
        slug: String,
        text: String,
        photo: Option<Vec<u8>>,
    },
    /// Delete `members/<slug>.md` (and its photo under `static/members/`).
    Remove { slug: String },
    /// `events/<slug>.md` with this text.
    WriteEvent { slug: String, text: String },
    /// Nothing to write: a handled report of a profile (the functions mark it exported as
    /// it is decided; one listed here anyway is acknowledged as done).
    Nothing { slug: String },
    /// `members/<slug>.md` rewritten (it must exist), and a new photo if one came.
    Update {
        slug: String,
        member: Box<model::Member>,
        photo: Option<Vec<u8>>,
    },
}

impl Change {
    /// The change `item` makes; `photo` is its photo as the API gave it (a JPEG the
    /// functions made), if it has one.
    fn of(item: &ApprovedItem, photo: Option<Vec<u8>>) -> Result<Change, String> {
        if !is_valid_slug(&item.slug) {
            return Err(format!("`{}` is not a valid member slug", item.slug));
        }
        // A photo the API gave is a JPEG the functions made; anything else never becomes one.
        if photo
            .as_ref()
            .is_some_and(|bytes| !bytes.starts_with(&[0xff, 0xd8, 0xff]))
        {
            return Err(format!(
                "the photo the API gave is not a JPEG; reject the {} on /admin/ or try again",
                item.kind
            ));
        }
        match item.kind.as_str() {
            "profile" => {
                let mut member = check_profile(&item.fields, &item.slug)
                    .map_err(|errors| rules_failed("profile", "member", &errors))?;
                if photo.is_some() {
                    member.photo = Some(unplaced(photo_path(&item.slug), "photo"));
                }
                let text = member.to_file_text().map_err(|e| e.to_string())?;
                Ok(Change::Write {
                    slug: item.slug.clone(),
                    text,
                    photo,
                })
            }
            "removal" => Ok(Change::Remove {
                slug: item.slug.clone(),
            }),
            "update" => {
                let member = check_profile(&item.fields, &item.slug)
                    .map_err(|errors| rules_failed("update", "member", &errors))?;
                Ok(Change::Update {
                    slug: item.slug.clone(),
                    member: Box::new(member),
                    photo,
                })
            }
            "event" => {
                let mut event = model::event_form::check_event(&item.fields, &item.slug)
                    .map_err(|errors| rules_failed("event", "event", &errors))?;
                if let Some(member) = &item.organizer_member {
                    if !is_valid_slug(member) {
                        return Err(format!("`{member}` is not a valid member slug"));
                    }
                    event.organizers = vec![unplaced(member.clone(), "organizers")];
                }
                let text = event.to_file_text().map_err(|e| e.to_string())?;
                Ok(Change::WriteEvent {
                    slug: item.slug.clone(),
                    text,
                })
            }
            "report" => Ok(Change::Nothing {
                slug: item.slug.clone(),
            }),
            other => Err(format!("unknown submission kind `{other}`")),
        }
    }

    fn slug(&self) -> &str {
        match self {
            Change::Write { slug, .. }
            | Change::Remove { slug }
            | Change::WriteEvent { slug, .. }
            | Change::Nothing { slug }
            | Change::Update { slug, .. } => slug,
        }
    }

    fn commit_message(&self, item: &ApprovedItem) -> String {
        let title = match self {
            // The slug, never the person's name: git history outlives a removal.
            Change::Write { slug, .. } => format!("Add member {slug}"),
            Change::Remove { slug } => format!("Remove member {slug} at their request"),
            Change::WriteEvent { slug, .. } => {
                let title = item.fields.get("title").map(String::as_str).unwrap_or("");
                format!("Add event {slug} ({title})")
            }
            Change::Update { slug, .. } => format!("Update member {slug} at their request"),
            Change::Nothing { slug } => format!("Nothing to change for {slug}"),
        };
        let editor = item.decided_by.as_deref().unwrap_or("unknown");
        format!(
            "{title}\n\nSubmission: {}\nApproved-by: {editor}\n",
            item.id
        )
    }

    /// Makes the change under `content`; `Ok(false)` when it was already made.
    fn apply(&self, content: &Path) -> Result<bool, String> {
        let found = match self {
            Change::Nothing { .. } => return Ok(false),
            Change::WriteEvent { .. } => None,
            _ => member_file(content, self.slug())?,
        };
        let file = found
            .clone()
            .unwrap_or_else(|| content.join("members").join(format!("{}.md", self.slug())));
        let shown = file.display();
        match self {
            Change::Nothing { .. } => Ok(false),
            Change::Write { text, photo, slug } => {
                if found
                    .as_ref()
                    .is_some_and(|f| f.parent() != Some(&content.join("members")))
                {
                    return Err(format!(
                        "{shown} exists: a member already has this slug; edit the submission's slug or remove the old file first"
                    ));
                }
                // The photo first: a member file never names a photo that is not there.
                let photo_written = match photo {
                    Some(bytes) => {
                        write_new_or_same(&content.join("static").join(photo_path(slug)), bytes)?
                    }
                    None => false,
                };
                let file_written = write_new_or_same(&file, text.as_bytes()).map_err(|problem| {
                    if problem.contains("exists with other content") {
                        format!("{shown} exists with other content: a member already has this slug; edit the submission's slug or remove the old file first")
                    } else {
                        problem
                    }
                })?;
                Ok(photo_written || file_written)
            }
            Change::WriteEvent { slug, text } => {
                let file = content.join("events").join(format!("{slug}.md"));
                write_new_or_same(&file, text.as_bytes()).map_err(|problem| {
                    if problem.contains("exists with other content") {
                        format!("{} exists with other content: an event already has this slug; reject the announcement or move the old file", file.display())
                    } else {
                        problem
                    }
                })
            }
            Change::Update {
                slug,
                member,
                photo,
            } => {
                if found.is_none() {
                    return Err(format!(
                        "no file members/**/{slug}.md: the member was removed; reject the update"
                    ));
                }
                let existing =
                    std::fs::read_to_string(&file).map_err(|e| format!("reading {shown}: {e}"))?;
                let mut member = member.as_ref().clone();
                // What editors set and the member does not control stays as the file has it:
                // an update never republishes a member an editor hid.
                member.draft = draft_of(&existing);
                let mut photo_written = false;
                match photo {
                    Some(bytes) => {
                        let path = content.join("static").join(photo_path(slug));
                        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
                            write_atomically(&path, bytes)
                                .map_err(|e| format!("writing {}: {e}", path.display()))?;
                            photo_written = true;
                        }
                        member.photo = Some(unplaced(photo_path(slug), "photo"));
                    }
                    // No new photo: the one the file names stays.
                    None => {
                        member.photo = photo_of(&existing).map(|value| unplaced(value, "photo"));
                    }
                }
                let text = member.to_file_text().map_err(|e| e.to_string())?;
                if text == existing {
                    return Ok(photo_written);
                }
                write_atomically(&file, text.as_bytes())
                    .map_err(|e| format!("writing {shown}: {e}"))?;
                Ok(true)
            }
            Change::Remove { slug } => {
                // A file that cannot be found is not "already removed": it may have been
                // moved or renamed, and the person's data would stay published. (A removal
                // committed by an earlier run is recognised by its commit, not here.)
                if found.is_none() {
                    return Err(format!(
                        "no file members/**/{slug}.md: find the member's file (renamed or moved?) and delete it, or ask the member; the removal stays in the queue"
                    ));
                }
                let text =
                    std::fs::read_to_string(&file).map_err(|e| format!("reading {shown}: {e}"))?;
                // The photo the file names goes too, wherever it is under static/, unless
                // another content file shows the same image.
                let photo = match photo_of(&text) {
                    Some(photo) => {
                        let path = content.join("static").join(&photo);
                        if !path.is_file() {
                            return Err(format!(
                                "{shown} names the photo {}, which is not there; find the photo and delete it, then export again",
                                path.display()
                            ));
                        }
                        (!shown_elsewhere(content, &file, &photo)?).then_some(path)
                    }
                    None => None,
                };
                if let Some(photo) = &photo {
                    std::fs::remove_file(photo)
                        .map_err(|e| format!("deleting {}: {e}", photo.display()))?;
                }
                std::fs::remove_file(&file).map_err(|e| format!("deleting {shown}: {e}"))?;
                Ok(true)
            }
        }
    }
}

/// An item that no longer passes the model's rules (`what`: the profile, update or event),
/// with every problem, for the editor who must reject it.
fn rules_failed(what: &str, rules: &str, errors: &model::profile::FieldErrors) -> String {
    let list: Vec<String> = errors
        .iter()
        .map(|(field, messages)| format!("{field}: {}", messages.join("; ")))
        .collect();
    format!(
        "the {what} no longer passes the {rules} rules ({}); reject it on /admin/ with a reason",
        list.join(", ")
    )
}

/// A value the export sets, which no file position belongs to.
fn unplaced(value: String, field: &str) -> model::Located<String> {
    model::Located {
        value,
        position: model::locate::Position { line: 0, column: 0 },
        field: field.into(),
    }
}

/// Where an exported member's photo goes, relative to `content/static/`.
fn photo_path(slug: &str) -> String {
    format!("members/{slug}.jpg")
}

/// Writes `bytes` to `file` unless it holds them already (`Ok(false)`); a file with other
/// content is never overwritten.
fn write_new_or_same(file: &Path, bytes: &[u8]) -> Result<bool, String> {
    let shown = file.display();
    match std::fs::read(file) {
        Ok(existing) if existing == bytes => Ok(false),
        Ok(_) => Err(format!(
            "{shown} exists with other content; move it away or reject the submission"
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            write_atomically(file, bytes).map_err(|e| format!("writing {shown}: {e}"))?;
            Ok(true)
        }
        Err(e) => Err(format!("reading {shown}: {e}")),
    }
}

/// The `photo` of a member file, if it parses.
/// The file of member `slug`: `members/<slug>.md` or the one file of that name in a
/// subfolder of `members/` (docs/content.md allows them; the slug is the file name).
/// Two files of that name are an error, as `check` reports them.
fn member_file(content: &Path, slug: &str) -> Result<Option<PathBuf>, String> {
    let members = content.join("members");
    if !members.is_dir() {
        return Ok(None);
    }
    let name = format!("{slug}.md");
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(&members).follow_links(false) {
        let entry = entry.map_err(|e| format!("reading {}: {e}", members.display()))?;
        if entry.file_type().is_file() && entry.file_name() == name.as_str() {
            found.push(entry.into_path());
        }
    }
    match found.len() {
        0 | 1 => Ok(found.pop()),
        _ => Err(format!(
            "two member files are named {name} ({}); `portal check` refuses that: keep one",
            found
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Whether a content file other than `except` names the static file `photo` (an image
/// shared with a page, say), which a removal must then leave in place.
fn shown_elsewhere(content: &Path, except: &Path, photo: &str) -> Result<bool, String> {
    for folder in ["members", "events", "pages", "posts"] {
        let dir = content.join(folder);
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).follow_links(false) {
            let entry = entry.map_err(|e| format!("reading {}: {e}", dir.display()))?;
            if !entry.file_type().is_file() || entry.path() == except {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            if text.contains(photo) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Whether a member file says `draft: true` (an editor hid the member).
fn draft_of(text: &str) -> bool {
    model::Document::parse("member.md", text)
        .ok()
        .and_then(|doc| doc.front.get("draft").and_then(|v| v.as_bool()))
        .unwrap_or(false)
}

fn photo_of(text: &str) -> Option<String> {
    let doc = model::Document::parse("member.md", text).ok()?;
    let photo = doc.front.get("photo")?.as_str()?;
    let safe = !photo.starts_with('/') && !photo.split('/').any(|p| p == ".." || p.is_empty());
    safe.then(|| photo.to_owned())
}

/// Writes next to the target, then renames: a reader never sees half a file.
fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    let temporary = file.with_file_name(name);
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
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

    fn error(&self, path: &str, message: impl Into<String>) -> ExportError {
        ExportError::Api {
            url: format!("{}{path}", self.base),
            message: message.into(),
        }
    }

    fn answer(
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
            let result = self
                .agent
                .get(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {}", self.token))
                .header("Accept", "application/json")
                .call();
            let body = self.answer(&path, result)?;
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
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Runs the export.
pub fn export(options: &ExportOptions) -> Result<ExportReport, ExportError> {
    let api = ModerationApi::new(&options.api, &options.token)?;
    let mut report = ExportReport::default();
    let mut planned = Vec::new();
    for item in api.approved()? {
        if !valid_id(&item.id) {
            report
                .failed
                .push((item.id.clone(), "the submission id is malformed".into()));
            continue;
        }
        let photo = match item.has_photo.then(|| api.photo(&item.id)).transpose() {
            Ok(photo) => photo,
            Err(error) => {
                report.failed.push((item.id.clone(), error.to_string()));
                continue;
            }
        };
        match Change::of(&item, photo) {
            Ok(change) => planned.push((item, change)),
            Err(problem) => report.failed.push((item.id.clone(), problem)),
        }
    }
    let done = if options.commit {
        commit_changes(options, &planned, &mut report)?
    } else {
        write_changes(&options.content, &planned, &mut report)
    };
    for item in done {
        if let Err(error) = api.acknowledge(&item.id) {
            report.failed.push((
                item.id.clone(),
                format!("{error}; the change is made, and the next export acknowledges it"),
            ));
        }
    }
    Ok(report)
}

fn record(report: &mut ExportReport, change: &Change, changed: bool) {
    let slug = change.slug().to_owned();
    match (change, changed) {
        (_, false) => report.already_done.push(slug),
        (Change::Write { .. } | Change::WriteEvent { .. } | Change::Update { .. }, true) => {
            report.written.push(slug)
        }
        (Change::Remove { .. }, true) => report.removed.push(slug),
        (Change::Nothing { .. }, true) => report.already_done.push(slug),
    }
}

/// Without `--commit`: the changes go into the content folder as it is.
fn write_changes<'i>(
    content: &Path,
    planned: &'i [(ApprovedItem, Change)],
    report: &mut ExportReport,
) -> Vec<&'i ApprovedItem> {
    let mut done = Vec::new();
    for (item, change) in planned {
        match change.apply(content) {
            Ok(changed) => {
                record(report, change, changed);
                done.push(item);
            }
            Err(problem) => report.failed.push((item.id.clone(), problem)),
        }
    }
    done
}

/// With `--commit`: one commit per item on a new branch, made in a worktree of its own so
/// that the current branch and working tree are never touched.
fn commit_changes<'i>(
    options: &ExportOptions,
    planned: &'i [(ApprovedItem, Change)],
    report: &mut ExportReport,
) -> Result<Vec<&'i ApprovedItem>, ExportError> {
    let git = Git::discover(&options.content).map_err(ExportError::Git)?;
    let content_in_repo = git.relative(&options.content).map_err(ExportError::Git)?;
    let mut done = Vec::new();
    let mut to_commit = Vec::new();
    for (item, change) in planned {
        // An earlier run committed it but could not acknowledge it: acknowledge now.
        if git
            .any_commit_mentions(&format!("Submission: {}", item.id))
            .map_err(ExportError::Git)?
        {
            report.already_done.push(change.slug().to_owned());
            done.push(item);
        } else {
            to_commit.push((item, change));
        }
    }
    if to_commit.is_empty() {
        return Ok(done);
    }
    let branch = match &options.branch {
        Some(name) => {
            git.check_new_branch(name).map_err(ExportError::Git)?;
            name.clone()
        }
        None => git
            .free_branch(&format!("submissions/{}", options.today))
            .map_err(ExportError::Git)?,
    };
    let worktree = Worktree::add(&git, &branch).map_err(ExportError::Git)?;
    let content = worktree.path().join(&content_in_repo);
    let mut committed = Vec::new();
    for (item, change) in to_commit {
        match change.apply(&content) {
            Ok(changed) => {
                if changed {
                    worktree
                        .commit_all(&content_in_repo, &change.commit_message(item))
                        .map_err(ExportError::Git)?;
                }
                record(report, change, changed);
                committed.push(item);
            }
            Err(problem) => report.failed.push((item.id.clone(), problem)),
        }
    }
    let made_commits = worktree.has_commits().map_err(ExportError::Git)?;
    if made_commits && let Some(format) = options.check {
        let checked = check_branch(&worktree, &content, format, options.today);
        if let Err(error) = checked {
            worktree.remove().map_err(ExportError::Git)?;
            git.delete_branch(&branch).map_err(ExportError::Git)?;
            return Err(error);
        }
    }
    worktree.remove().map_err(ExportError::Git)?;
    if !made_commits {
        git.delete_branch(&branch).map_err(ExportError::Git)?;
        done.extend(committed);
        return Ok(done);
    }
    if let Some(remote) = &options.push {
        git.push(remote, &branch).map_err(ExportError::Git)?;
    }
    report.branch = Some(branch);
    done.extend(committed);
    Ok(done)
}

/// `portal check` on the content of the export's branch, with the theme the branch has (or
/// the built-in one); prints what it finds.
fn check_branch(
    worktree: &Worktree,
    content: &Path,
    format: crate::report::Format,
    today: Date,
) -> Result<(), ExportError> {
    let options = crate::build::BuildOptions {
        content: content.to_owned(),
        theme: crate::theme::ThemeSource::default_for(worktree.path()),
        out: PathBuf::new(),
        base_url: None,
        api_base: None,
        drafts: false,
        now: model::time::tokyo()
            .to_timestamp(today.to_datetime(jiff::civil::Time::midnight()))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
    };
    let report = crate::check::check(&options)
        .map_err(|e| ExportError::Usage(format!("checking the exported content: {e}")))?;
    // Paths as they are in the repository, so that annotations land on the pull request.
    let mut diagnostics = report.diagnostics.clone();
    for d in &mut diagnostics {
        if let Ok(relative) = d.file.strip_prefix(worktree.path()) {
            d.file = relative.to_owned();
        }
    }
    let printed = match format {
        crate::report::Format::Human => crate::report::human(&diagnostics, false),
        crate::report::Format::Github => crate::report::github(&diagnostics),
        crate::report::Format::Json => crate::report::json(&diagnostics),
    };
    if !printed.is_empty() {
        println!("{printed}");
    }
    match report.errors() {
        0 => Ok(()),
        errors => Err(ExportError::Check { errors }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, slug: &str, fields: &[(&str, &str)]) -> ApprovedItem {
        ApprovedItem {
            id: "abc".into(),
            kind: kind.into(),
            slug: slug.into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            decided_by: Some("sato".into()),
            has_photo: false,
            organizer_member: None,
        }
    }

    #[test]
    fn a_slug_that_leaves_the_folder_is_refused() {
        let err = Change::of(&item("removal", "../site", &[]), None).unwrap_err();
        assert!(err.contains("not a valid member slug"), "{err}");
    }

    #[test]
    fn a_profile_that_fails_the_rules_stays_in_the_queue() {
        let err = Change::of(&item("profile", "x", &[("name", "x")]), None).unwrap_err();
        assert!(err.contains("sector"), "{err}");
    }

    #[test]
    fn writing_refuses_to_replace_another_member() {
        let dir = tempfile::tempdir().unwrap();
        let change = Change::of(
            &item(
                "profile",
                "x",
                &[("name", "x"), ("sector", "other"), ("joined", "2026-11-25")],
            ),
            None,
        )
        .unwrap();
        assert_eq!(change.apply(dir.path()), Ok(true));
        assert_eq!(
            change.apply(dir.path()),
            Ok(false),
            "same text: already done"
        );
        std::fs::write(dir.path().join("members/x.md"), "other").unwrap();
        assert!(change.apply(dir.path()).unwrap_err().contains("exists"));
    }

    #[test]
    fn removal_deletes_the_file_and_the_members_photo() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("members")).unwrap();
        std::fs::create_dir_all(dir.path().join("static/members")).unwrap();
        std::fs::write(
            dir.path().join("members/x.md"),
            "---\nname: x\nphoto: members/x.jpg\n---\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("static/members/x.jpg"), "jpg").unwrap();
        let change = Change::of(&item("removal", "x", &[]), None).unwrap();
        assert_eq!(change.apply(dir.path()), Ok(true));
        assert!(!dir.path().join("members/x.md").exists());
        assert!(!dir.path().join("static/members/x.jpg").exists());
        // Gone, or never found: not "already done"; the item stays queued with why.
        let err = change.apply(dir.path()).unwrap_err();
        assert!(err.contains("members/**/x.md"), "{err}");
    }

    #[test]
    fn removal_finds_the_file_and_photo_in_subfolders() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path();
        std::fs::create_dir_all(content.join("members/tokyo")).unwrap();
        std::fs::create_dir_all(content.join("static/people")).unwrap();
        std::fs::create_dir_all(content.join("pages")).unwrap();
        std::fs::write(
            content.join("members/tokyo/x.md"),
            "---\nname: x\nphoto: people/x.jpg\n---\n",
        )
        .unwrap();
        std::fs::write(content.join("static/people/x.jpg"), "jpg").unwrap();
        let change = Change::of(&item("removal", "x", &[]), None).unwrap();
        assert_eq!(change.apply(content), Ok(true));
        assert!(!content.join("members/tokyo/x.md").exists());
        assert!(!content.join("static/people/x.jpg").exists());
        // A photo another page shows stays; a photo that is not there is an error.
        std::fs::write(
            content.join("members/tokyo/y.md"),
            "---\nname: y\nphoto: people/group.jpg\n---\n",
        )
        .unwrap();
        std::fs::write(content.join("static/people/group.jpg"), "jpg").unwrap();
        std::fs::write(content.join("pages/about.md"), "![](/people/group.jpg)").unwrap();
        let change = Change::of(&item("removal", "y", &[]), None).unwrap();
        assert_eq!(change.apply(content), Ok(true));
        assert!(content.join("static/people/group.jpg").exists());
        std::fs::write(
            content.join("members/z.md"),
            "---\nname: z\nphoto: people/z.jpg\n---\n",
        )
        .unwrap();
        let change = Change::of(&item("removal", "z", &[]), None).unwrap();
        let err = change.apply(content).unwrap_err();
        assert!(err.contains("not there"), "{err}");
        assert!(content.join("members/z.md").exists(), "nothing deleted");
    }

    #[test]
    fn an_update_keeps_the_editors_draft_flag_and_finds_subfolders() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path();
        std::fs::create_dir_all(content.join("members/a")).unwrap();
        std::fs::write(
            content.join("members/a/x.md"),
            "---\nname: x\nsector: other\njoined: 2026-11-25\ndraft: true\n---\n",
        )
        .unwrap();
        let fields = [
            ("name", "x2"),
            ("sector", "other"),
            ("joined", "2026-11-25"),
        ];
        let change = Change::of(&item("update", "x", &fields), None).unwrap();
        assert_eq!(change.apply(content), Ok(true));
        let text = std::fs::read_to_string(content.join("members/a/x.md")).unwrap();
        assert!(text.contains("name: x2"), "{text}");
        assert!(text.contains("draft: true"), "{text}");
        assert!(!content.join("members/x.md").exists());
        // A new member never takes a slug a file in a subfolder has.
        let change = Change::of(&item("profile", "x", &fields), None).unwrap();
        assert!(change.apply(content).unwrap_err().contains("exists"));
    }

    #[test]
    fn commit_messages_name_the_slug_not_the_person() {
        let fields = [
            ("name", "山田 花子"),
            ("sector", "other"),
            ("joined", "2026-11-25"),
        ];
        let it = item("profile", "yamada-hanako", &fields);
        let message = Change::of(&it, None).unwrap().commit_message(&it);
        assert!(
            message.starts_with("Add member yamada-hanako\n"),
            "{message}"
        );
        assert!(!message.contains("山田"), "{message}");
    }

    #[test]
    fn a_photo_is_written_beside_the_member_file_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let jpeg = b"\xff\xd8\xff\xe0 a photo \xff\xd9".to_vec();
        let fields = [("name", "x"), ("sector", "other"), ("joined", "2026-11-25")];
        let change = Change::of(&item("profile", "x", &fields), Some(jpeg.clone())).unwrap();
        assert_eq!(change.apply(dir.path()), Ok(true));
        assert_eq!(
            std::fs::read(dir.path().join("static/members/x.jpg")).unwrap(),
            jpeg
        );
        let text = std::fs::read_to_string(dir.path().join("members/x.md")).unwrap();
        assert!(text.contains("photo: members/x.jpg"), "{text}");
        assert_eq!(change.apply(dir.path()), Ok(false), "already done");
        // Someone else's image under that name is never replaced.
        std::fs::write(dir.path().join("static/members/x.jpg"), "other").unwrap();
        assert!(
            change
                .apply(dir.path())
                .unwrap_err()
                .contains("exists with other content")
        );
        // What is not a JPEG never becomes a photo.
        let err = Change::of(&item("profile", "x", &fields), Some(b"<svg/>".to_vec())).unwrap_err();
        assert!(err.contains("not a JPEG"), "{err}");
    }

    #[test]
    fn ids_are_checked() {
        assert!(valid_id("Zx-9_a"));
        assert!(!valid_id("../x"));
        assert!(!valid_id("a\nb"));
    }
}
