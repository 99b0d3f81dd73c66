//! Splits a content file into YAML front matter and Markdown body, and parses the front matter.

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::diagnostic::Diagnostic;
use crate::locate::KeyLocator;

/// A content file after its front matter has been parsed, before its fields are checked.
#[derive(Debug, Clone)]
pub struct Document {
    /// The path shown in diagnostics (relative to the project, forward slashes).
    pub file: PathBuf,
    pub front: Mapping,
    pub locator: KeyLocator,
    /// The Markdown after the closing `---`.
    pub body: String,
    /// The file line on which the body starts.
    pub body_line: usize,
}

/// A content file's text: `---`, the front matter serialized by serde (never by string
/// formatting, so any value reads back as written), `---`, then the body as given.
pub fn file_text(front: &impl serde::Serialize, body: &str) -> Result<String, serde_yaml::Error> {
    let yaml = serde_yaml::to_string(front)?;
    let mut text = String::with_capacity(yaml.len() + body.len() + 8);
    text.push_str("---\n");
    text.push_str(&yaml);
    text.push_str("---\n");
    text.push_str(body);
    Ok(text)
}

impl Document {
    /// Parses a whole file. Errors are malformed or missing front matter and YAML syntax.
    pub fn parse(file: impl Into<PathBuf>, text: &str) -> Result<Document, Diagnostic> {
        let file = file.into();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = LineCursor::new(text);
        let Some(first) = lines.next_line() else {
            return Err(
                Diagnostic::for_file(&file, "the file is empty").with_hint(FRONT_MATTER_HINT)
            );
        };
        if first.trim_end() != "---" {
            return Err(Diagnostic::for_file(
                &file,
                "the file does not start with front matter (a line `---`)",
            )
            .with_hint(FRONT_MATTER_HINT));
        }
        let yaml_start = lines.offset;
        let yaml_end;
        loop {
            let before = lines.offset;
            match lines.next_line() {
                Some(line) if line.trim_end() == "---" => {
                    yaml_end = before;
                    break;
                }
                Some(_) => {}
                None => {
                    return Err(
                        Diagnostic::for_file(&file, "the front matter is never closed").with_hint(
                            "end the front matter with a line `---` before the Markdown body",
                        ),
                    );
                }
            }
        }
        let yaml = &text[yaml_start..yaml_end];
        let body_line = lines.line + 1;
        let body = text[lines.offset..].to_owned();
        let locator = KeyLocator::new(yaml, 2);
        let front = parse_yaml_mapping(&file, yaml, &locator)
            .map_err(|d| place_duplicate_key(d, &locator))?;
        Ok(Document {
            locator,
            file,
            front,
            body,
            body_line,
        })
    }

    /// A document made from fields that did not come from a file (a submitted form).
    /// Its diagnostics carry field names but no meaningful lines.
    pub fn from_fields(
        name: impl Into<PathBuf>,
        front: Mapping,
        body: impl Into<String>,
    ) -> Document {
        Document {
            file: name.into(),
            front,
            locator: KeyLocator::default(),
            body: body.into(),
            body_line: 1,
        }
    }
}

/// serde_yaml places a duplicate key at the start of its mapping; point at the repetition instead.
fn place_duplicate_key(mut diagnostic: Diagnostic, locator: &KeyLocator) -> Diagnostic {
    let key = diagnostic
        .message
        .split("duplicate entry with key \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next());
    if let Some(at) = key.and_then(|key| locator.repeated(key)) {
        (diagnostic.line, diagnostic.column) = (at.line, at.column);
        diagnostic.hint = Some("each field may appear only once: remove one of them".to_owned());
    }
    diagnostic
}

const FRONT_MATTER_HINT: &str =
    "start the file with a line `---`, the fields (`name: ...`), and another line `---`";

/// Parses a YAML text that must hold a mapping; `locator` was made from the same text
/// (and knows the file line of its first line). Aliases are refused before anything is
/// expanded, so a file of a few lines cannot grow into gigabytes.
pub fn parse_yaml_mapping(
    file: &Path,
    yaml: &str,
    locator: &KeyLocator,
) -> Result<Mapping, Diagnostic> {
    let first_line = locator.start().line;
    if yaml.trim().is_empty() {
        return Ok(Mapping::new());
    }
    if let Some(at) = locator.first_alias() {
        return Err(Diagnostic::new(
            file,
            at.line,
            at.column,
            "YAML aliases (`*name`) are not allowed in content files",
        )
        .with_hint("write the value out in full instead of referring to an anchor (`&name`)"));
    }
    match serde_yaml::from_str::<Value>(yaml) {
        Ok(Value::Mapping(map)) => Ok(map),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(_) => Err(Diagnostic::new(
            file,
            first_line,
            1,
            "the front matter is not a list of `field: value` lines",
        )
        .with_hint("write one `field: value` per line")),
        Err(error) => {
            let (line, column) = error.location().map_or((0, 1), |l| (l.line(), l.column()));
            let message = yaml_message(&error.to_string(), first_line);
            Err(Diagnostic::new(file, first_line + line.saturating_sub(1), column, format!("malformed YAML: {message}"))
                .with_hint("check indentation and quoting; values containing `: ` or starting with `[`, `{`, `*` or `&` need quotes"))
        }
    }
}

/// libyaml's message without its own position (the diagnostic has it), keeping the context
/// ("while parsing a flow sequence at line 2 column 12") with the line counted in the file.
fn yaml_message(raw: &str, first_line: usize) -> String {
    let (problem, context) = raw.split_once(", while ").unwrap_or((raw, ""));
    let problem = problem.split(" at line ").next().unwrap_or(problem);
    if context.is_empty() {
        return problem.to_owned();
    }
    let Some((what, position)) = context.split_once(" at line ") else {
        return format!("{problem} (while {context})");
    };
    let mut numbers = position
        .split(" column ")
        .map(|n| n.trim().parse::<usize>().ok());
    match (numbers.next().flatten(), numbers.next().flatten()) {
        (Some(line), Some(column)) => {
            format!(
                "{problem} (while {what} that starts at line {}, column {column})",
                first_line + line - 1
            )
        }
        _ => format!("{problem} (while {context})"),
    }
}

/// Walks a text line by line, keeping the byte offset and the 1-based line number.
struct LineCursor<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCursor<'a> {
    fn new(text: &'a str) -> Self {
        LineCursor {
            text,
            offset: 0,
            line: 0,
        }
    }

    fn next_line(&mut self) -> Option<&'a str> {
        if self.offset >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.offset..];
        let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        self.offset += end;
        self.line += 1;
        Some(rest[..end].trim_end_matches(['\n', '\r']))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let doc = Document::parse("a.md", "---\nname: 花子\n---\n本文\n").unwrap();
        assert_eq!(doc.front.get("name").and_then(Value::as_str), Some("花子"));
        assert_eq!(doc.body, "本文\n");
        assert_eq!(doc.body_line, 4);
    }

    #[test]
    fn accepts_crlf_and_a_byte_order_mark() {
        let doc = Document::parse("a.md", "\u{feff}---\r\nname: x\r\n---\r\nbody").unwrap();
        assert_eq!(doc.front.get("name").and_then(Value::as_str), Some("x"));
        assert_eq!(doc.body, "body");
    }

    #[test]
    fn reports_missing_front_matter() {
        let err = Document::parse("a.md", "# title\n").unwrap_err();
        assert!(
            err.message.contains("does not start with front matter"),
            "{err}"
        );
    }

    #[test]
    fn reports_unclosed_front_matter() {
        let err = Document::parse("a.md", "---\nname: x\n").unwrap_err();
        assert!(err.message.contains("never closed"), "{err}");
    }

    #[test]
    fn reports_yaml_errors_at_their_file_line() {
        let err = Document::parse("a.md", "---\nname: x\nrole: [unclosed\n---\n").unwrap_err();
        assert!(err.message.starts_with("malformed YAML"), "{err}");
        assert!(err.line >= 3, "{err}");
    }

    #[test]
    fn yaml_errors_keep_their_context_in_file_lines() {
        let err = Document::parse("a.md", "---\nname: x\ninterests: [a, b\njoined: 1\n---\n")
            .unwrap_err();
        assert_eq!(
            err.message,
            "malformed YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 3, column 12)"
        );
        assert_eq!((err.line, err.column), (4, 7));
    }

    #[test]
    fn refuses_aliases_before_expanding_them() {
        // Nine levels of nine aliases: about 387 million strings if expanded.
        let mut yaml =
            String::from("name: x\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let mut previous = 'a';
        for level in 'b'..='j' {
            let refs = vec![format!("*{previous}"); 9].join(", ");
            yaml.push_str(&format!("{level}: &{level} [{refs}]\n"));
            previous = level;
        }
        let started = std::time::Instant::now();
        let err = Document::parse("a.md", &format!("---\n{yaml}---\n")).unwrap_err();
        assert!(started.elapsed().as_secs() < 2, "refused quickly");
        assert_eq!(
            err.message,
            "YAML aliases (`*name`) are not allowed in content files"
        );
        assert_eq!((err.line, err.column), (4, 8));
    }

    #[test]
    fn reports_duplicate_keys() {
        let err = Document::parse("a.md", "---\nname: x\nname: y\n---\n").unwrap_err();
        assert!(err.message.contains("duplicate"), "{err}");
        assert_eq!(err.line, 3, "{err}");
    }
}
