//! An event: `content/events/<slug>.md`.

use jiff::Timestamp;

use crate::diagnostic::Diagnostic;
use crate::document::Document;
use crate::fields::{FieldReader, Located};
use crate::prefecture::Prefecture;

pub const EVENT_FIELDS: &[&str] = &[
    "title",
    "start",
    "end",
    "venue",
    "online",
    "prefecture",
    "capacity",
    "fee",
    "fee_note",
    "each_pays_own",
    "registration_url",
    "organizers",
    "organizer_name",
    "attendees",
    "tags",
    "draft",
];
pub const VENUE_FIELDS: &[&str] = &["name", "address", "url"];
pub const MAX_TITLE_CHARS: usize = 200;
/// The most attendees an event file lists.
pub const MAX_ATTENDEES: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Venue {
    pub name: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub slug: String,
    pub title: String,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub venue: Option<Venue>,
    /// Held online (also true when no venue is given).
    pub online: bool,
    pub prefecture: Option<Prefecture>,
    pub capacity: Option<u32>,
    /// The fee in whole yen (0: free); absent says nothing.
    pub fee: Option<u32>,
    /// What the fee covers or leaves out, as written ("懇親会は各自負担").
    pub fee_note: Option<String>,
    /// Every participant pays their own share (what lets national public servants attend a
    /// meal with interested parties).
    pub each_pays_own: bool,
    pub registration_url: Option<String>,
    /// Member slugs, with where they were written (checked against the members later).
    pub organizers: Vec<Located<String>>,
    /// Who organizes it when that is not (only) members of the portal: shown as written,
    /// for example a community group or an announcer who is not a member.
    pub organizer_name: Option<String>,
    /// Members who were there (slugs), as `portal export` writes them after the event from
    /// the sign-ups that chose the attendee list: "met at" in the people to meet.
    pub attendees: Vec<Located<String>>,
    pub tags: Vec<Located<String>>,
    pub draft: bool,
    /// Markdown (untrusted: events may come from submissions).
    pub body: String,
    /// The file it was read from, and the line on which its body starts (for diagnostics).
    pub file: std::path::PathBuf,
    pub body_line: usize,
}

impl Event {
    pub fn from_document(doc: &Document, slug: &str) -> Result<Event, Vec<Diagnostic>> {
        let map = &doc.front;
        let mut r = FieldReader::new(doc);
        r.allow_only("", map, EVENT_FIELDS);
        let title = r.text(map, "title", true, MAX_TITLE_CHARS);
        let start = r.datetime(map, "start", true);
        let end = r.datetime(map, "end", false);
        if let (Some(start), Some(end)) = (start, end)
            && end <= start
        {
            r.error(
                "end",
                "`end` is not after `start`",
                "set `end` later than `start`, or remove it",
            );
        }
        let venue = r.map(map, "venue").map(|venue_map| {
            r.allow_only("venue.", venue_map, VENUE_FIELDS);
            Venue {
                name: r.text(venue_map, "venue.name", false, MAX_TITLE_CHARS),
                address: r.text(venue_map, "venue.address", false, MAX_TITLE_CHARS),
                url: r.https_url(venue_map, "venue.url"),
            }
        });
        let online_flag = r.flag(map, "online");
        let prefecture = r.choice::<Prefecture>(map, "prefecture", false, "prefecture");
        let capacity = r.positive_integer(map, "capacity");
        let fee = r.whole_number(map, "fee");
        let fee_note = r.text(map, "fee_note", false, MAX_TITLE_CHARS);
        let each_pays_own = r.flag(map, "each_pays_own").unwrap_or(false);
        let registration_url = r.https_url(map, "registration_url");
        let organizers = r.text_list(map, "organizers", 50, 100);
        let organizer_name = r.text(map, "organizer_name", false, MAX_TITLE_CHARS);
        let attendees = r.text_list(map, "attendees", MAX_ATTENDEES, 100);
        let tags = r.term_list(map, "tags");
        let draft = r.flag(map, "draft").unwrap_or(false);

        match (title, start) {
            (Some(title), Some(start)) if r.diagnostics.is_empty() => Ok(Event {
                file: doc.file.clone(),
                body_line: doc.body_line,
                slug: slug.to_owned(),
                title,
                start,
                end,
                online: venue.is_none() || online_flag == Some(true),
                venue,
                prefecture,
                capacity,
                fee,
                fee_note,
                each_pays_own,
                registration_url,
                organizers,
                organizer_name,
                attendees,
                tags,
                draft,
                body: doc.body.clone(),
            }),
            _ => Err(r.diagnostics),
        }
    }

    /// When the event is over: its end, else its start.
    pub fn finishes(&self) -> Timestamp {
        self.end.unwrap_or(self.start)
    }

    /// Whether the event has not finished at `now`.
    pub fn is_upcoming(&self, now: Timestamp) -> bool {
        self.finishes() > now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Event, Vec<Diagnostic>> {
        let doc = Document::parse("content/events/e.md", text).unwrap();
        Event::from_document(&doc, "e")
    }

    #[test]
    fn an_organizer_who_is_not_a_member_is_named_as_written() {
        let e = parse("---\ntitle: 交流会\nstart: 2026-12-10T19:00\norganizer_name: 仙台まちづくり研究会\n---\n")
            .unwrap();
        assert_eq!(e.organizer_name.as_deref(), Some("仙台まちづくり研究会"));
        assert!(e.organizers.is_empty());
    }

    #[test]
    fn no_venue_means_online() {
        let e = parse("---\ntitle: オンライン交流会\nstart: 2026-12-10T19:00\n---\n").unwrap();
        assert!(e.online);
        assert_eq!(e.start.to_string(), "2026-12-10T10:00:00Z");
    }

    #[test]
    fn a_venue_is_in_person_unless_also_online() {
        let e =
            parse("---\ntitle: t\nstart: 2026-12-10T19:00\nvenue:\n  name: 会議室\n---\n").unwrap();
        assert!(!e.online);
        let e = parse(
            "---\ntitle: t\nstart: 2026-12-10T19:00\nonline: true\nvenue:\n  name: 会議室\n---\n",
        )
        .unwrap();
        assert!(e.online);
    }

    #[test]
    fn end_must_follow_start() {
        let errors = parse("---\ntitle: t\nstart: 2026-12-10T19:00\nend: 2026-12-10T18:00\n---\n")
            .unwrap_err();
        assert_eq!(errors[0].message, "`end` is not after `start`");
        assert_eq!((errors[0].line, errors[0].column), (4, 6));
    }

    #[test]
    fn upcoming_until_it_ends() {
        let e =
            parse("---\ntitle: t\nstart: 2026-12-10T19:00\nend: 2026-12-10T21:00\n---\n").unwrap();
        assert!(e.is_upcoming("2026-12-10T11:30:00Z".parse().unwrap()));
        assert!(!e.is_upcoming("2026-12-10T12:00:00Z".parse().unwrap()));
    }

    #[test]
    fn capacity_must_be_positive() {
        let errors =
            parse("---\ntitle: t\nstart: 2026-12-10T19:00\ncapacity: 0\n---\n").unwrap_err();
        assert!(errors[0].message.contains("at least 1"));
    }
}
