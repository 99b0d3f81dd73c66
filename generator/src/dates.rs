//! Dates and times for readers: 2026年12月10日(木) 19:00〜21:00, always in Japan time.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
use model::Language;
use model::time::tokyo;

fn civil(ts: Timestamp) -> DateTime {
    tokyo().to_datetime(ts)
}

/// A sum of yen for readers: 3,000円 in Japanese, ¥3,000 in English.
pub fn yen(amount: u32, lang: Language) -> String {
    let digits = amount.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match lang {
        Language::Ja => format!("{grouped}円"),
        Language::En => format!("¥{grouped}"),
    }
}

fn weekday_ja(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "月",
        Weekday::Tuesday => "火",
        Weekday::Wednesday => "水",
        Weekday::Thursday => "木",
        Weekday::Friday => "金",
        Weekday::Saturday => "土",
        Weekday::Sunday => "日",
    }
}

fn weekday_en(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar date: 2026年11月1日 / 1 Nov 2026.
pub fn date(d: Date, lang: Language) -> String {
    match lang {
        Language::Ja => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Language::En => format!(
            "{} {} {}",
            d.day(),
            MONTHS_EN[(d.month() - 1) as usize],
            d.year()
        ),
    }
}

fn date_with_weekday(d: Date, lang: Language) -> String {
    match lang {
        Language::Ja => format!("{}({})", date(d, lang), weekday_ja(d.weekday())),
        Language::En => format!("{}, {}", weekday_en(d.weekday()), date(d, lang)),
    }
}

fn time(dt: DateTime) -> String {
    format!("{:02}:{:02}", dt.hour(), dt.minute())
}

/// When an event happens, in Japan time: 2026年12月10日(木) 19:00〜21:00; an end on
/// another day repeats the date (〜12月11日(金) 10:00).
pub fn event_range(start: Timestamp, end: Option<Timestamp>, lang: Language) -> String {
    let s = civil(start);
    let mut out = format!("{} {}", date_with_weekday(s.date(), lang), time(s));
    let dash = match lang {
        Language::Ja => "〜",
        Language::En => "–",
    };
    if let Some(end) = end {
        let e = civil(end);
        out.push_str(dash);
        if e.date() != s.date() {
            match lang {
                Language::Ja if e.year() == s.year() => out.push_str(&format!(
                    "{}月{}日({}) ",
                    e.month(),
                    e.day(),
                    weekday_ja(e.date().weekday())
                )),
                _ => {
                    out.push_str(&date_with_weekday(e.date(), lang));
                    out.push(' ');
                }
            }
        }
        out.push_str(&time(e));
    }
    if lang == Language::En {
        out.push_str(" JST");
    }
    out
}

/// A machine-readable time for `<time datetime>` and scripts: RFC 3339 in Japan time.
pub fn iso(ts: Timestamp) -> String {
    let dt = civil(ts);
    format!("{}+09:00", dt.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// The month an event falls in, for grouping: 2026年12月 / Dec 2026.
pub fn month(ts: Timestamp, lang: Language) -> String {
    let d = civil(ts).date();
    match lang {
        Language::Ja => format!("{}年{}月", d.year(), d.month()),
        Language::En => format!("{} {}", MONTHS_EN[(d.month() - 1) as usize], d.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yen_is_grouped_by_thousands() {
        assert_eq!(yen(3000, Language::Ja), "3,000円");
        assert_eq!(yen(500, Language::Ja), "500円");
        assert_eq!(yen(1_234_567, Language::En), "¥1,234,567");
    }
    use model::time::parse_datetime;

    fn ts(s: &str) -> Timestamp {
        parse_datetime(s).unwrap()
    }

    #[test]
    fn japanese_event_times() {
        assert_eq!(
            event_range(
                ts("2026-12-10T19:00"),
                Some(ts("2026-12-10T21:00")),
                Language::Ja
            ),
            "2026年12月10日(木) 19:00〜21:00"
        );
        assert_eq!(
            event_range(ts("2026-12-10T19:00"), None, Language::Ja),
            "2026年12月10日(木) 19:00"
        );
        assert_eq!(
            event_range(
                ts("2026-12-10T19:00"),
                Some(ts("2026-12-11T10:00")),
                Language::Ja
            ),
            "2026年12月10日(木) 19:00〜12月11日(金) 10:00"
        );
    }

    #[test]
    fn times_given_in_utc_are_shown_in_japan_time() {
        // 10:00 UTC is 19:00 in Tokyo; 16:00 UTC is already the next day there.
        assert_eq!(
            event_range(ts("2026-12-10T10:00:00Z"), None, Language::Ja),
            "2026年12月10日(木) 19:00"
        );
        assert_eq!(
            event_range(ts("2026-12-10T16:00:00Z"), None, Language::Ja),
            "2026年12月11日(金) 01:00"
        );
        assert_eq!(iso(ts("2026-12-10T10:00:00Z")), "2026-12-10T19:00:00+09:00");
    }

    #[test]
    fn english_event_times() {
        assert_eq!(
            event_range(
                ts("2026-12-10T19:00"),
                Some(ts("2026-12-10T21:00")),
                Language::En
            ),
            "Thu, 10 Dec 2026 19:00–21:00 JST"
        );
    }

    #[test]
    fn dates() {
        let d: Date = "2026-11-01".parse().unwrap();
        assert_eq!(date(d, Language::Ja), "2026年11月1日");
        assert_eq!(date(d, Language::En), "1 Nov 2026");
    }
}
