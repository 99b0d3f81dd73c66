//! Reads typed fields out of a front-matter mapping, collecting every problem with its place.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_yaml::{Mapping, Value};

use crate::diagnostic::Diagnostic;
use crate::document::Document;
use crate::locate::Position;
use crate::time::{parse_date, parse_datetime};
pub use crate::web_address::check_https_url;

/// The longest folder name a taxonomy term may make, in UTF-8 bytes (file systems allow 255).
pub const MAX_TERM_FILE_BYTES: usize = 200;
/// Interests and tags: how many a page may list, and how long each may be.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

/// A closed set of values written as slugs in the content (sectors, prefectures).
pub trait Choice: Sized + Copy + 'static {
    /// Every value, in display order.
    fn all() -> &'static [Self];
    /// The slug written in content files.
    fn slug(self) -> &'static str;
    /// Other spellings an editor might write (the Japanese name): recognised only to suggest the slug.
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }

    fn from_slug(slug: &str) -> Option<Self> {
        Self::all().iter().copied().find(|c| c.slug() == slug)
    }
}

/// A value together with where it was written, for checks that come later (cross-references).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub position: Position,
    pub field: String,
}

/// Reads fields of one document; every problem becomes a [`Diagnostic`] and reading goes on.
pub struct FieldReader<'d> {
    doc: &'d Document,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'d> FieldReader<'d> {
    pub fn new(doc: &'d Document) -> Self {
        FieldReader {
            doc,
            diagnostics: Vec::new(),
        }
    }

    /// Where the value at `path` stands, else its key, else the top of the file.
    pub fn position(&self, path: &str) -> Position {
        self.doc
            .locator
            .value(path)
            .or_else(|| self.doc.locator.key(path))
            .unwrap_or(Position { line: 1, column: 1 })
    }

    pub fn error(&mut self, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        self.error_at(self.position(path), path, message, hint);
    }

    /// [`FieldReader::error`] with the problem's stable key and the values its words name
    /// (see [`Diagnostic::describe`]).
    /// Gives the last problem reported its stable key (see [`Diagnostic::describe`]).
    pub fn key_last(&mut self, key: &'static str, args: &[(&'static str, String)]) {
        if let Some(last) = self.diagnostics.pop() {
            self.diagnostics.push(last.with_key(key, args));
        }
    }

    pub fn problem(
        &mut self,
        path: &str,
        key: &'static str,
        args: &[(&'static str, String)],
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.error(path, message, hint);
        self.key_last(key, args);
    }

    pub fn error_at(
        &mut self,
        at: Position,
        path: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let hint = hint.into();
        let mut diagnostic =
            Diagnostic::new(&self.doc.file, at.line, at.column, message).with_field(path);
        if !hint.is_empty() {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.diagnostics.push(diagnostic);
    }

    /// Interests and tags: a list of short texts, each of which becomes a page in a folder
    /// named after it. A term whose folder name would be too long for a file system (NFKC
    /// can turn one character into many) is refused here, at its line, rather than failing
    /// the write of every later build.
    pub fn term_list(&mut self, map: &Mapping, path: &str) -> Vec<Located<String>> {
        let terms = self.text_list(map, path, MAX_TAGS, MAX_TAG_CHARS);
        let mut kept = Vec::with_capacity(terms.len());
        for term in terms {
            let bytes = crate::slug::term_slug(&term.value).len();
            if bytes > MAX_TERM_FILE_BYTES {
                self.error_at(
                    term.position,
                    &term.field,
                    format!("`{}` makes a page name of {bytes} bytes, more than the {MAX_TERM_FILE_BYTES} a file name may have", term.value),
                    "shorten it, or write it without compatibility characters such as ㍻ or ﷺ",
                );
                self.key_last("term_too_long", &[]);
            } else {
                kept.push(term);
            }
        }
        kept
    }

    /// Reports every key of `map` (at `prefix`) that is not in `allowed`.
    pub fn allow_only(&mut self, prefix: &str, map: &Mapping, allowed: &[&str]) {
        for key in map.keys() {
            let Some(key) = key.as_str() else {
                let path = prefix.trim_end_matches('.').to_owned();
                self.error(
                    &path,
                    "a field name must be text",
                    "write field names as plain words, e.g. `name:`",
                );
                continue;
            };
            if allowed.contains(&key) {
                continue;
            }
            let path = format!("{prefix}{key}");
            let at = self
                .doc
                .locator
                .key(&path)
                .unwrap_or_else(|| self.position(&path));
            let hint = match closest(key, allowed.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("the fields allowed here are: {}", allowed.join(", ")),
            };
            self.error_at(at, &path, format!("unknown field `{key}`"), hint);
            self.key_last("unknown_field", &[]);
        }
    }

    /// A text field; `None` when absent (reported if `required`) or invalid (reported).
    pub fn text(
        &mut self,
        map: &Mapping,
        path: &str,
        required: bool,
        max_chars: usize,
    ) -> Option<String> {
        let value = self.present(map, path, required)?;
        self.text_value(path, value, max_chars)
    }

    fn text_value(&mut self, path: &str, value: &Value, max_chars: usize) -> Option<String> {
        let text = match value {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(_) | Value::Bool(_) => {
                self.problem(
                    path,
                    "not_text",
                    &[],
                    format!("`{}` must be text", leaf(path)),
                    "put the value in quotes, e.g. \"2026\"",
                );
                return None;
            }
            _ => {
                self.problem(
                    path,
                    "not_single",
                    &[],
                    format!("`{}` must be text, not a list or map", leaf(path)),
                    "write a single value on the same line",
                );
                return None;
            }
        };
        if text.is_empty() {
            self.problem(
                path,
                "empty",
                &[],
                format!("`{}` is empty", leaf(path)),
                "write a value or remove the line",
            );
            return None;
        }
        let count = text.chars().count();
        if count > max_chars {
            self.problem(
                path,
                "too_long",
                &[("max", max_chars.to_string()), ("count", count.to_string())],
                format!(
                    "`{}` is {count} characters long; at most {max_chars} are allowed",
                    leaf(path)
                ),
                "shorten it",
            );
            return None;
        }
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            self.problem(
                path,
                "control_character",
                &[],
                format!(
                    "`{}` contains a control character (U+{:04X})",
                    leaf(path),
                    c as u32
                ),
                "remove it; use the Markdown body for longer text",
            );
            return None;
        }
        if let Some(c) = crate::text::hidden_format_char(&text) {
            self.problem(
                path,
                "invisible_character",
                &[],
                format!(
                    "`{}` contains an invisible formatting character (U+{:04X}) that changes how text displays",
                    leaf(path),
                    c as u32
                ),
                "retype the value without it (it often comes from copying text from another page)",
            );
            return None;
        }
        Some(text)
    }

    /// A list of short texts (interests, tags, organizers), each checked.
    /// An optional text with where its value was written (a reference checked later, such
    /// as a member's slug).
    pub fn located_text(
        &mut self,
        map: &Mapping,
        path: &str,
        max_chars: usize,
    ) -> Option<Located<String>> {
        let text = self.text(map, path, false, max_chars)?;
        let position = (self.doc.locator.value(path)).unwrap_or_else(|| self.position(path));
        Some(Located {
            value: text,
            position,
            field: path.to_owned(),
        })
    }

    pub fn text_list(
        &mut self,
        map: &Mapping,
        path: &str,
        max_items: usize,
        max_chars: usize,
    ) -> Vec<Located<String>> {
        let Some(value) = self.present(map, path, false) else {
            return Vec::new();
        };
        let items: Vec<&Value> = match value {
            Value::Sequence(items) => items.iter().collect(),
            Value::String(_) => vec![value],
            _ => {
                self.problem(
                    path,
                    "not_list",
                    &[],
                    format!("`{}` must be a list", leaf(path)),
                    "write it as `[a, b]` or as lines starting with `- `",
                );
                return Vec::new();
            }
        };
        if items.len() > max_items {
            self.problem(
                path,
                "too_many",
                &[("max", max_items.to_string())],
                format!(
                    "`{}` has {} entries; at most {max_items} are allowed",
                    leaf(path),
                    items.len()
                ),
                "keep the most important ones",
            );
        }
        let mut out = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            let item_path = format!("{path}[{index}]");
            let at = self
                .doc
                .locator
                .value(&item_path)
                .unwrap_or_else(|| self.position(path));
            let before = self.diagnostics.len();
            if let Some(text) = self.text_value(&item_path, item, max_chars) {
                out.push(Located {
                    value: text,
                    position: at,
                    field: item_path,
                });
            } else {
                for d in &mut self.diagnostics[before..] {
                    (d.line, d.column) = (at.line, at.column);
                }
            }
        }
        out
    }

    pub fn flag(&mut self, map: &Mapping, path: &str) -> Option<bool> {
        match self.present(map, path, false)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.problem(
                    path,
                    "not_flag",
                    &[],
                    format!("`{}` must be true or false", leaf(path)),
                    format!("write `{}: true` or `{}: false`", leaf(path), leaf(path)),
                );
                None
            }
        }
    }

    /// A whole number of at least 1.
    pub fn positive_integer(&mut self, map: &Mapping, path: &str) -> Option<u32> {
        let value = self.present(map, path, false)?;
        match value.as_u64() {
            Some(n) if n >= 1 && n <= u64::from(u32::MAX) => Some(n as u32),
            _ => {
                self.problem(
                    path,
                    "not_positive",
                    &[],
                    format!("`{}` must be a whole number of at least 1", leaf(path)),
                    "write a number such as `30`, without quotes",
                );
                None
            }
        }
    }

    /// A whole number of at least 0 (a fee in yen).
    pub fn whole_number(&mut self, map: &Mapping, path: &str) -> Option<u32> {
        let value = self.present(map, path, false)?;
        match value.as_u64() {
            Some(n) if n <= u64::from(u32::MAX) => Some(n as u32),
            _ => {
                self.problem(
                    path,
                    "not_whole_number",
                    &[],
                    format!("`{}` must be a whole number of at least 0", leaf(path)),
                    "write a number of yen such as `3000`, without quotes, commas or 円 (0 is free)",
                );
                None
            }
        }
    }

    /// An integer (menu order); may be negative.
    pub fn integer(&mut self, map: &Mapping, path: &str) -> Option<i64> {
        let value = self.present(map, path, false)?;
        let number = value.as_i64();
        if number.is_none() {
            self.problem(
                path,
                "not_integer",
                &[],
                format!("`{}` must be a whole number", leaf(path)),
                "write a number such as `10`, without quotes",
            );
        }
        number
    }

    /// One of a closed set of slugs; a near miss gets a "did you mean".
    pub fn choice<C: Choice>(
        &mut self,
        map: &Mapping,
        path: &str,
        required: bool,
        what: &str,
    ) -> Option<C> {
        let value = self.present(map, path, required)?;
        let Some(text) = value.as_str() else {
            self.problem(
                path,
                "not_choice",
                &[],
                format!("`{}` must be one of the {what} values", leaf(path)),
                valid_list::<C>(),
            );
            return None;
        };
        if let Some(choice) = C::from_slug(text.trim()) {
            return Some(choice);
        }
        let typed = text.trim();
        let by_alias = C::all().iter().find(|c| {
            c.aliases()
                .iter()
                .any(|a| *a == typed || a.strip_suffix(['都', '府', '県']) == Some(typed))
        });
        let hint = match by_alias {
            Some(choice) => format!("did you mean `{}`?", choice.slug()),
            None => match closest(&text.to_lowercase(), C::all().iter().map(|c| c.slug())) {
                Some(best) => format!("did you mean `{best}`?"),
                None => valid_list::<C>(),
            },
        };
        self.problem(
            path,
            "invalid_choice",
            &[("value", text.to_string())],
            format!("`{text}` is not a valid {what}"),
            hint,
        );
        None
    }

    /// A `YYYY-MM-DD` date.
    pub fn date(&mut self, map: &Mapping, path: &str, required: bool) -> Option<Date> {
        let value = self.present(map, path, required)?;
        let text = scalar_text(value);
        match parse_date(text.trim()) {
            Ok(date) => Some(date),
            Err(message) => {
                self.problem(
                    path,
                    "bad_date",
                    &[],
                    format!("bad date in `{}`: {message}", leaf(path)),
                    "write the date as YYYY-MM-DD, e.g. 2026-11-01",
                );
                None
            }
        }
    }

    /// An RFC 3339 date-time; without an offset it is Asia/Tokyo.
    pub fn datetime(&mut self, map: &Mapping, path: &str, required: bool) -> Option<Timestamp> {
        let value = self.present(map, path, required)?;
        let text = scalar_text(value);
        match parse_datetime(&text) {
            Ok(ts) => Some(ts),
            Err(message) => {
                self.problem(path, "bad_datetime", &[], format!("bad date-time in `{}`: {message}", leaf(path)), "write it as 2026-12-10T19:00 (Japan time) or with an offset, 2026-12-10T19:00:00+09:00");
                None
            }
        }
    }

    /// An `https://` URL.
    pub fn https_url(&mut self, map: &Mapping, path: &str) -> Option<String> {
        let text = self.text(map, path, false, 2000)?;
        match check_https_url(&text) {
            Ok(()) => Some(text),
            Err(message) => {
                let hint = if text.starts_with("http://") {
                    format!(
                        "use `{}` if the site supports it",
                        text.replacen("http://", "https://", 1)
                    )
                } else {
                    "write a full address starting with https://".to_owned()
                };
                self.problem(
                    path,
                    "bad_url",
                    &[],
                    format!("`{}` {message}", leaf(path)),
                    hint,
                );
                None
            }
        }
    }

    /// A nested map such as `links` or `venue`.
    pub fn map<'m>(&mut self, map: &'m Mapping, path: &str) -> Option<&'m Mapping> {
        match self.present(map, path, false)? {
            Value::Mapping(inner) => Some(inner),
            _ => {
                self.problem(
                    path,
                    "not_map",
                    &[],
                    format!("`{}` must be a map of `key: value` lines", leaf(path)),
                    format!("write `{}:` and indent the entries below it", leaf(path)),
                );
                None
            }
        }
    }

    /// The value at `path` unless it is absent or null; reports a missing required field.
    fn present<'m>(&mut self, map: &'m Mapping, path: &str, required: bool) -> Option<&'m Value> {
        match map.get(leaf(path)) {
            Some(Value::Null) | None => {
                if required {
                    let start = Position { line: 1, column: 1 };
                    let at = self.doc.locator.key(path).unwrap_or(start);
                    self.error_at(
                        at,
                        path,
                        format!("missing required field `{}`", leaf(path)),
                        format!("add a line `{}: ...` to the front matter", leaf(path)),
                    );
                    self.key_last("missing", &[]);
                }
                None
            }
            Some(value) => Some(value),
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn valid_list<C: Choice>() -> String {
    let all: Vec<&str> = C::all().iter().map(|c| c.slug()).collect();
    if all.len() > 10 {
        format!(
            "use one of the {} slugs listed in docs/content.md, e.g. {}",
            all.len(),
            all[..3].join(", ")
        )
    } else {
        format!("use one of: {}", all.join(", "))
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests;
