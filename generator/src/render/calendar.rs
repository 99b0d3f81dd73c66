//! iCalendar (RFC 5545) files: one per event, and one of all upcoming events to subscribe to.

use jiff::Timestamp;
use model::time::tokyo;

use crate::markdown;
use crate::render::views::event_path;
use crate::urls::Urls;
use crate::validate::Site;

/// Asia/Tokyo has kept +09:00 without daylight saving since 1951, so one STANDARD block is exact.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Tokyo",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0900",
    "TZOFFSETTO:+0900",
    "TZNAME:JST",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// A calendar of one event (`Some(index)`) or of every upcoming event (`None`).
/// DTSTAMP is the build's "now", so a build with a fixed `--now` is reproducible.
pub fn calendar(site: &Site, urls: &Urls, now: Timestamp, only: Option<usize>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        format!("PRODID:-//{}//portal//JA", escape_text(&site.config.title)),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ];
    if only.is_none() {
        lines.push(format!("X-WR-CALNAME:{}", escape_text(&site.config.title)));
        lines.push("X-WR-TIMEZONE:Asia/Tokyo".into());
    }
    lines.extend(VTIMEZONE.iter().map(|l| (*l).to_owned()));
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    for (index, event) in site.events.iter().enumerate() {
        let wanted = match only {
            Some(one) => one == index,
            None => event.is_upcoming(now),
        };
        if !wanted {
            continue;
        }
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}@{}", event.slug, urls.host()));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART;TZID=Asia/Tokyo:{}", local(event.start)));
        match event.end {
            Some(end) => lines.push(format!("DTEND;TZID=Asia/Tokyo:{}", local(end))),
            None => lines.push("DURATION:PT2H".into()),
        }
        lines.push(format!("SUMMARY:{}", escape_text(&event.title)));
        let mut location: Vec<String> = Vec::new();
        if let Some(venue) = &event.venue {
            location.extend(venue.name.clone());
            location.extend(venue.address.clone());
        }
        if event.online {
            location.push("オンライン".into());
        }
        if !location.is_empty() {
            lines.push(format!("LOCATION:{}", escape_text(&location.join(" "))));
        }
        let url = urls.absolute(&event_path(&event.slug));
        let summary = markdown::plain_text(&event.body, 500);
        let description = if summary.is_empty() {
            url.clone()
        } else {
            format!("{summary}\n{url}")
        };
        lines.push(format!("DESCRIPTION:{}", escape_text(&description)));
        lines.push(format!("URL:{url}"));
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in lines {
        fold_line(&line, &mut out);
    }
    out
}

fn local(ts: Timestamp) -> String {
    tokyo()
        .to_datetime(ts)
        .strftime("%Y%m%dT%H%M%S")
        .to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes a content line folded at 75 octets (never inside a UTF-8 character), ending in CRLF.
fn fold_line(line: &str, out: &mut String) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        // Continuation lines start with a space, which counts towards their 75 octets.
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        fold_line(&format!("SUMMARY:{}", "あ".repeat(40)), &mut out);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "あ".repeat(40)));
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
