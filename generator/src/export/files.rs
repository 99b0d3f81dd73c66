//! The content folder as the export sees it: member files and photos found in any subfolder,
//! written only when new or the same, atomically.

use std::path::{Path, PathBuf};

/// Writes `bytes` to `file` unless it holds them already (`Ok(false)`); a file with other
/// content is never overwritten.
pub(super) fn write_new_or_same(file: &Path, bytes: &[u8]) -> Result<bool, String> {
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
pub(super) fn member_file(content: &Path, slug: &str) -> Result<Option<PathBuf>, String> {
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
pub(super) fn shown_elsewhere(content: &Path, except: &Path, photo: &str) -> Result<bool, String> {
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
pub(super) fn draft_of(text: &str) -> bool {
    model::Document::parse("member.md", text)
        .ok()
        .and_then(|doc| doc.front.get("draft").and_then(|v| v.as_bool()))
        .unwrap_or(false)
}

pub(super) fn photo_of(text: &str) -> Option<String> {
    let doc = model::Document::parse("member.md", text).ok()?;
    let photo = doc.front.get("photo")?.as_str()?;
    let safe = !photo.starts_with('/') && !photo.split('/').any(|p| p == ".." || p.is_empty());
    safe.then(|| photo.to_owned())
}

/// Writes next to the target, then renames: a reader never sees half a file.
pub(super) fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
