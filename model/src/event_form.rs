//! An event announced through the portal's form, and an event written as a content file
//! (`content/events/<slug>.md`): the same `Event` rules as `check`, the front matter
//! serialized with serde.

use serde::Serialize;
use serde_yaml::{Mapping, Value};

use crate::document::Document;
use crate::event::Event;
use crate::fields::Choice;
use crate::profile::{FieldErrors, FormFields, unknown, with_form_errors};

/// The form fields an announcement may carry besides the announcer's address (`body` is the
/// Markdown description; `venue.*` the place; `tags` one per line).
pub const EVENT_FORM_FIELDS: &[&str] = &[
    "title",
    "start",
    "end",
    "online",
    "venue.name",
    "venue.address",
    "venue.url",
    "prefecture",
    "capacity",
    "registration_url",
    "tags",
    "organizer_name",
    "body",
];

/// Checks an announced event with the model's event rules; `slug` is the proposed slug.
/// Organizers are never taken from the form: the export links the announcer when they are
/// a member.
pub fn check_event(fields: &FormFields, slug: &str) -> Result<Event, FieldErrors> {
    check_event_in(fields, slug, &crate::profile::english)
}

/// [`check_event`], its problems worded by `describe`.
pub fn check_event_in(
    fields: &FormFields,
    slug: &str,
    describe: crate::profile::Describe<'_>,
) -> Result<Event, FieldErrors> {
    let mut front = Mapping::new();
    let mut venue = Mapping::new();
    let mut errors = FieldErrors::new();
    for (name, raw) in fields {
        let text = raw.trim();
        if name == "body" || text.is_empty() {
            continue;
        }
        if !EVENT_FORM_FIELDS.contains(&name.as_str()) {
            errors.entry(name.clone()).or_default().push(unknown(
                describe,
                name,
                format!("unknown field `{name}`"),
            ));
            continue;
        }
        let value = match name.as_str() {
            "tags" => Value::Sequence(
                text.split(['\n', ',', '、'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Value::from)
                    .collect(),
            ),
            "online" => Value::Bool(matches!(text, "yes" | "on" | "true" | "1")),
            "capacity" => match text.parse::<u64>() {
                Ok(n) => Value::from(n),
                Err(_) => Value::from(text),
            },
            _ => Value::from(text),
        };
        match name.strip_prefix("venue.") {
            Some(part) => {
                venue.insert(Value::from(part), value);
            }
            None => {
                front.insert(Value::from(name.as_str()), value);
            }
        }
    }
    if !venue.is_empty() {
        front.insert(Value::from("venue"), Value::Mapping(venue));
    }
    let body = fields.get("body").cloned().unwrap_or_default();
    let doc = Document::from_fields("announcement", front, body);
    with_form_errors(Event::from_document(&doc, slug), errors, describe)
}

#[derive(Serialize)]
struct VenueFront<'e> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'e str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'e str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'e str>,
}

/// The front matter of an event file, in the field order of the content contract.
#[derive(Serialize)]
struct EventFront<'e> {
    title: &'e str,
    start: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    venue: Option<VenueFront<'e>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    online: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefecture: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capacity: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registration_url: Option<&'e str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    organizers: Vec<&'e str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organizer_name: Option<&'e str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'e str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
}

/// The time as an editor writes it: Japan's wall clock with its offset.
fn tokyo_time(at: jiff::Timestamp) -> String {
    let tokyo = crate::time::tokyo();
    let wall = tokyo.to_datetime(at);
    let seconds = tokyo.to_offset(at).seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let (hours, minutes) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
    format!(
        "{}{sign}{hours:02}:{minutes:02}",
        wall.strftime("%Y-%m-%dT%H:%M")
    )
}

impl Event {
    /// The whole file: `---`, the front matter, `---`, then the description as given.
    pub fn to_file_text(&self) -> Result<String, serde_yaml::Error> {
        let venue = self.venue.as_ref().map(|v| VenueFront {
            name: v.name.as_deref(),
            address: v.address.as_deref(),
            url: v.url.as_deref(),
        });
        let front = EventFront {
            title: &self.title,
            start: tokyo_time(self.start),
            end: self.end.map(tokyo_time),
            // Without a venue an event is online anyway; with one, say so only if both.
            online: self.online && venue.is_some(),
            venue,
            prefecture: self.prefecture.map(Choice::slug),
            capacity: self.capacity,
            registration_url: self.registration_url.as_deref(),
            organizers: self.organizers.iter().map(|o| o.value.as_str()).collect(),
            organizer_name: self.organizer_name.as_deref(),
            tags: self.tags.iter().map(|t| t.value.as_str()).collect(),
            draft: self.draft,
        };
        crate::document::file_text(&front, &self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::form;

    #[test]
    fn an_announced_event_is_checked_and_written_back_as_it_reads() {
        let event = check_event(
            &form(&[
                ("title", "仙台で防災を語る夕べ: 第2回"),
                ("start", "2026-12-10T19:00"),
                ("end", "2026-12-10T21:00"),
                ("online", "yes"),
                ("venue.name", "せんだいメディアテーク"),
                ("venue.address", "宮城県仙台市青葉区春日町2-1"),
                ("prefecture", "miyagi"),
                ("capacity", "30"),
                ("tags", "防災\n交流会"),
                ("organizer_name", "仙台まちづくり研究会"),
                ("body", "# 内容\n\n- 話題提供\n- 懇親会\n"),
            ]),
            "2026-12-10-sendai",
        )
        .expect("a valid event");
        assert_eq!(event.start.to_string(), "2026-12-10T10:00:00Z");
        assert!(event.online && event.venue.is_some());
        let text = event.to_file_text().unwrap();
        assert!(text.contains("start: 2026-12-10T19:00+09:00"), "{text}");
        let doc = Document::parse("content/events/2026-12-10-sendai.md", &text)
            .unwrap_or_else(|d| panic!("{d}\n{text}"));
        let read = Event::from_document(&doc, "2026-12-10-sendai")
            .unwrap_or_else(|d| panic!("{d:?}\n{text}"));
        assert_eq!(read.title, event.title);
        assert_eq!((read.start, read.end), (event.start, event.end));
        assert_eq!(read.venue, event.venue);
        assert_eq!(read.capacity, Some(30));
        assert_eq!(read.organizer_name, event.organizer_name);
        assert_eq!(read.body, event.body);
        assert!(read.online);
    }

    #[test]
    fn mistakes_are_errors_beside_their_fields() {
        let errors = check_event(
            &form(&[
                ("title", "交流会"),
                ("start", "2026-12-10T19:00"),
                ("end", "2026-12-10T18:00"),
                ("capacity", "たくさん"),
                ("venue.url", "http://example.org"),
                ("organizers", "someone"),
            ]),
            "x",
        )
        .expect_err("four mistakes");
        for field in ["end", "capacity", "venue.url", "organizers"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }
}
