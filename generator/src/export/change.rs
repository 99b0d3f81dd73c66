//! The export's second step: the change an approved item makes to the content folder (a
//! member file written, updated or removed, an event file), checked by the model's rules.

use std::path::Path;

use model::profile::check_profile;
use model::slug::is_valid_slug;

use super::api::ApprovedItem;
use super::files::*;

/// The change an item makes to the content folder.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Change {
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
    pub(super) fn of(item: &ApprovedItem, photo: Option<Vec<u8>>) -> Result<Change, String> {
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

    pub(super) fn slug(&self) -> &str {
        match self {
            Change::Write { slug, .. }
            | Change::Remove { slug }
            | Change::WriteEvent { slug, .. }
            | Change::Nothing { slug }
            | Change::Update { slug, .. } => slug,
        }
    }

    pub(super) fn commit_message(&self, item: &ApprovedItem) -> String {
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
    pub(super) fn apply(&self, content: &Path) -> Result<bool, String> {
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
pub(super) fn rules_failed(
    what: &str,
    rules: &str,
    errors: &model::profile::FieldErrors,
) -> String {
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
pub(super) fn unplaced(value: String, field: &str) -> model::Located<String> {
    model::Located {
        value,
        position: model::locate::Position { line: 0, column: 0 },
        field: field.into(),
    }
}

/// Where an exported member's photo goes, relative to `content/static/`.
pub(super) fn photo_path(slug: &str) -> String {
    format!("members/{slug}.jpg")
}
