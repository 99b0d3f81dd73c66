//! Who was at an event, written into its file: after an event is over, the members who had a
//! seat and chose the attendee list become the event's `attendees` (docs/content.md), the
//! one line the export changes in a file an editor wrote. The rest of the file stays byte
//! for byte, and the result is read back with the model before it is written.

use std::path::{Path, PathBuf};

use model::{Document, Event};

/// The file of event `slug` (`events/<slug>.md` or one file of that name in a subfolder).
pub(super) fn event_file(content: &Path, slug: &str) -> Result<Option<PathBuf>, String> {
    let events = content.join("events");
    let mut found = Vec::new();
    let mut folders = vec![events];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                folders.push(path);
            } else if path.file_name().and_then(|n| n.to_str()) == Some(&format!("{slug}.md")) {
                found.push(path);
            }
        }
    }
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(format!(
            "two files are event `{slug}`; `portal check` reports them: keep one"
        )),
    }
}

/// `text` (an event file) with `attendees` set to `members`; `Ok(None)` when it lists them
/// already. Refused (with why) when the file does not parse as an event, or would not parse
/// back the same with the new line.
pub(super) fn with_attendees(
    file: &Path,
    text: &str,
    members: &[String],
) -> Result<Option<String>, String> {
    let shown = file.display();
    let slug = model::slug::slug_of_file(file).map_err(|d| d.to_string())?;
    let read = |text: &str| -> Result<Event, String> {
        let document = Document::parse(file, text).map_err(|d| d.to_string())?;
        Event::from_document(&document, &slug).map_err(|d| {
            d.first()
                .map(ToString::to_string)
                .unwrap_or_else(|| format!("{shown} is not a valid event"))
        })
    };
    let before = read(text)?;
    let listed: Vec<&str> = before.attendees.iter().map(|a| a.value.as_str()).collect();
    if listed == members.iter().map(String::as_str).collect::<Vec<_>>() {
        return Ok(None);
    }
    if members.iter().any(|m| !model::slug::is_valid_slug(m)) {
        return Err("the API named an attendee that is no member slug".into());
    }
    let Some(rest) = text.strip_prefix("---\n") else {
        return Err(format!("{shown} does not start with `---`"));
    };
    let Some(end) = rest.find("\n---\n").map(|at| at + 1) else {
        return Err(format!(
            "{shown} has no closing `---` after its front matter"
        ));
    };
    let (front, after) = rest.split_at(end);
    let line = format!("attendees: [{}]\n", members.join(", "));
    // The old `attendees` and its list items (indented or `- ` lines) make way for the line.
    let mut lines: Vec<String> = Vec::new();
    let mut placed = false;
    let mut skipping = false;
    for old in front.split_inclusive('\n') {
        if skipping && (old.starts_with(' ') || old.starts_with('-') || old.starts_with('\t')) {
            continue;
        }
        skipping = false;
        if old.starts_with("attendees:") {
            lines.push(line.clone());
            placed = true;
            skipping = true;
            continue;
        }
        lines.push(old.to_owned());
    }
    if !placed {
        lines.push(line);
    }
    let new_text = format!("---\n{}{after}", lines.concat());
    let after_event =
        read(&new_text).map_err(|e| format!("{shown}: the new attendees do not read back: {e}"))?;
    let now: Vec<&str> = after_event
        .attendees
        .iter()
        .map(|a| a.value.as_str())
        .collect();
    let same_otherwise = before.title == after_event.title
        && before.start == after_event.start
        && before.end == after_event.end
        && before.venue == after_event.venue
        && before.capacity == after_event.capacity
        && before.body == after_event.body
        && values(&before.organizers) == values(&after_event.organizers)
        && values(&before.tags) == values(&after_event.tags)
        && before.draft == after_event.draft;
    if now != members.iter().map(String::as_str).collect::<Vec<_>>() || !same_otherwise {
        return Err(format!(
            "{shown}: setting `attendees` would change more than that line; set it by hand"
        ));
    }
    Ok(Some(new_text))
}

fn values(list: &[model::fields::Located<String>]) -> Vec<&str> {
    list.iter().map(|l| l.value.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = "---\ntitle: 交流会\n# 主催は二人\norganizers:\n  - yamada-hanako\n  - sato-kenta\nstart: 2026-10-10T19:00\n---\n本文です。\n";

    fn members(list: &[&str]) -> Vec<String> {
        list.iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn the_line_is_added_then_replaced_and_nothing_else_changes() {
        let file = Path::new("events/meetup.md");
        let added = with_attendees(file, EVENT, &members(&["a", "b"]))
            .unwrap()
            .unwrap();
        assert_eq!(
            added,
            "---\ntitle: 交流会\n# 主催は二人\norganizers:\n  - yamada-hanako\n  - sato-kenta\nstart: 2026-10-10T19:00\nattendees: [a, b]\n---\n本文です。\n"
        );
        assert_eq!(
            with_attendees(file, &added, &members(&["a", "b"])).unwrap(),
            None
        );
        // A block list written by hand is replaced whole.
        let block = added.replace("attendees: [a, b]\n", "attendees:\n  - a\n  - old\n");
        let replaced = with_attendees(file, &block, &members(&["a", "c"]))
            .unwrap()
            .unwrap();
        assert_eq!(replaced, added.replace("[a, b]", "[a, c]"));
    }

    #[test]
    fn what_does_not_read_back_is_refused() {
        let file = Path::new("events/meetup.md");
        assert!(with_attendees(file, "no front matter", &members(&["a"])).is_err());
        let err = with_attendees(file, EVENT, &members(&["Not A Slug"])).unwrap_err();
        assert!(err.contains("no member slug"), "{err}");
    }
}
