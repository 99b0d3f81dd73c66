//! Dates and date-times of the contract: a time without an offset is Asia/Tokyo.

use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// The portal's time zone. Japan has had no daylight saving time since 1951.
pub fn tokyo() -> &'static TimeZone {
    static TOKYO: OnceLock<TimeZone> = OnceLock::new();
    TOKYO.get_or_init(|| {
        TimeZone::get("Asia/Tokyo").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(9)))
    })
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(format!("`{text}` is not a date of the form YYYY-MM-DD"));
    }
    text.parse::<Date>()
        .map_err(|_| format!("`{text}` is not a real calendar date"))
}

/// Parses an RFC 3339 date-time; without an offset it is read in Asia/Tokyo.
/// A space may stand for the `T`, and seconds may be left out (`2026-12-10 19:00`).
pub fn parse_datetime(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if parse_date(text).is_ok() {
        return Err(format!("`{text}` has a date but no time"));
    }
    let normalized = normalize_separator(text);
    let has_offset = {
        let time_part = normalized.split_once('T').map_or("", |(_, t)| t);
        time_part.ends_with(['Z', 'z']) || time_part.contains(['+', '-'])
    };
    if has_offset {
        return normalized
            .parse::<Timestamp>()
            .map_err(|_| format!("`{text}` is not a valid RFC 3339 date-time"));
    }
    let civil = normalized
        .parse::<DateTime>()
        .map_err(|_| format!("`{text}` is not a valid date-time"))?;
    tokyo()
        .to_timestamp(civil)
        .map_err(|e| format!("`{text}` cannot be placed in Asia/Tokyo: {e}"))
}

fn normalize_separator(text: &str) -> String {
    match text.as_bytes().get(10) {
        Some(b' ') | Some(b't') => format!("{}T{}", &text[..10], &text[11..]),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_without_offset_is_tokyo_time() {
        let ts = parse_datetime("2026-12-10T19:00:00").unwrap();
        assert_eq!(ts.to_string(), "2026-12-10T10:00:00Z");
        assert_eq!(parse_datetime("2026-12-10 19:00").unwrap(), ts);
    }

    #[test]
    fn an_explicit_offset_is_kept() {
        let ts = parse_datetime("2026-12-10T19:00:00+00:00").unwrap();
        assert_eq!(ts.to_string(), "2026-12-10T19:00:00Z");
        assert_eq!(
            parse_datetime("2026-12-10T10:00:00Z").unwrap(),
            parse_datetime("2026-12-10T19:00+09:00").unwrap()
        );
    }

    #[test]
    fn rejects_bad_date_times() {
        assert!(
            parse_datetime("2026-12-10")
                .unwrap_err()
                .contains("no time")
        );
        assert!(parse_datetime("2026-13-10T19:00").is_err());
        assert!(parse_datetime("next friday").is_err());
    }

    #[test]
    fn parses_dates_strictly() {
        assert_eq!(parse_date("2026-11-01").unwrap().to_string(), "2026-11-01");
        assert!(
            parse_date("2026-02-30")
                .unwrap_err()
                .contains("real calendar date")
        );
        assert!(parse_date("2026/11/01").is_err());
        assert!(parse_date("26-11-01").is_err());
    }
}
