//! `portal export`: approved sign-ups and removals, fetched from the moderation API, become
//! content files (and, with `--commit`, commits on a new branch); each item is acknowledged
//! to the API only once its change is on disk (committed, pushed), so none is lost or doubled.

mod api;
mod attendance;
mod change;
mod files;

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::git::{Git, Worktree};

use api::valid_id;
pub use api::{ApprovedItem, ModerationApi};
use change::Change;

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
    // After the items: who was at each event that is over (an event announced in this very
    // export is not over yet).
    let attendance = api.attendance()?;
    let done = if options.commit {
        commit_changes(options, &planned, &attendance, &mut report)?
    } else {
        let done = write_changes(&options.content, &planned, &mut report);
        for (slug, members) in &attendance {
            match apply_attendance(&options.content, slug, members) {
                Ok(true) => report.written.push(format!("{slug} (attendees)")),
                Ok(false) => {}
                Err(problem) => report.failed.push((slug.clone(), problem)),
            }
        }
        done
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

/// Sets the `attendees` of event `slug` in `content` to `members`; `Ok(false)` when they
/// are listed already or the content has no such event (a draft, or a site without it).
fn apply_attendance(content: &Path, slug: &str, members: &[String]) -> Result<bool, String> {
    let Some(file) = attendance::event_file(content, slug)? else {
        return Ok(false);
    };
    let text =
        std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    match attendance::with_attendees(&file, &text, members)? {
        None => Ok(false),
        Some(new_text) => {
            files::write_atomically(&file, new_text.as_bytes())
                .map_err(|e| format!("writing {}: {e}", file.display()))?;
            Ok(true)
        }
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
    attendance: &[(String, Vec<String>)],
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
    // Attendance is compared with the content as it is; the branch starts from there.
    let attendance_due = attendance.iter().any(|(slug, members)| {
        attendance::event_file(&options.content, slug)
            .ok()
            .flatten()
            .and_then(|file| {
                let text = std::fs::read_to_string(&file).ok()?;
                attendance::with_attendees(&file, &text, members).ok()?
            })
            .is_some()
    });
    if to_commit.is_empty() && !attendance_due {
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
    for (slug, members) in attendance {
        match apply_attendance(&content, slug, members) {
            Ok(true) => {
                worktree
                    .commit_all(
                        &content_in_repo,
                        &format!("Attendees of {slug}\n\nThe members who had a seat and chose the attendee list, written by portal export after the event."),
                    )
                    .map_err(ExportError::Git)?;
                report.written.push(format!("{slug} (attendees)"));
            }
            Ok(false) => {}
            Err(problem) => report.failed.push((slug.clone(), problem)),
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
