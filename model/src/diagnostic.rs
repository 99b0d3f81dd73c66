//! A content problem with its place (file, line, column) and a hint on how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: an error stops the build; a warning is shown and fails
/// `portal check` only with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Every stable key a problem a form can meet may carry (see [`Diagnostic::key`]); a
/// translation of the forms' words covers each (the functions' test checks theirs).
pub const PROBLEM_KEYS: &[&str] = &[
    "missing",
    "empty",
    "not_text",
    "not_single",
    "too_long",
    "control_character",
    "invisible_character",
    "not_list",
    "too_many",
    "not_flag",
    "not_positive",
    "not_whole_number",
    "not_integer",
    "not_choice",
    "invalid_choice",
    "bad_date",
    "bad_datetime",
    "bad_url",
    "not_map",
    "unknown_field",
    "term_too_long",
    "not_kana",
    "photo_outside",
    "bio_too_long",
    "bio_control_character",
];

/// One problem found in the content. Lines and columns are 1-based; a problem that
/// concerns a whole file (a duplicate slug, a symlink loop) points at line 1, column 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// The front-matter field the problem is about (`links.website`, `organizers[1]`),
    /// so that a form can show the error beside the right input.
    pub field: Option<Box<str>>,
    pub message: String,
    pub hint: Option<String>,
    pub severity: Severity,
    /// What kind of problem it is, stable across wording changes; `None` for problems no
    /// form can meet (they show `message`). Boxed: most diagnostics have none.
    pub kind: Option<Box<ProblemKind>>,
}

/// A problem's stable key (`too_long`, `missing`; see [`PROBLEM_KEYS`]), by which a
/// translation file keys its own words (`problem_too_long`), and the values they may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemKind {
    pub key: &'static str,
    /// The values the words may name (`max`, `count`, `value`).
    pub args: Vec<(&'static str, String)>,
}

impl Diagnostic {
    pub fn new(
        file: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line: line.max(1),
            column: column.max(1),
            field: None,
            message: message.into(),
            hint: None,
            severity: Severity::Error,
            kind: None,
        }
    }

    /// The same problem with its stable key and the values its words may name.
    pub fn with_key(mut self, key: &'static str, args: &[(&'static str, String)]) -> Self {
        self.kind = Some(Box::new(ProblemKind {
            key,
            args: args.to_vec(),
        }));
        self
    }

    /// The problem's stable key, if it has one.
    pub fn key(&self) -> Option<&'static str> {
        self.kind.as_ref().map(|kind| kind.key)
    }

    /// The problem in the words of a translation: `words` looks up `problem_<key>` and gives
    /// its text, in which `{max}` and the like stand for `args`; without a key or a
    /// translation, the English `message`.
    pub fn describe(&self, words: impl Fn(&str) -> Option<String>) -> String {
        let Some(kind) = &self.kind else {
            return self.message.clone();
        };
        match words(&format!("problem_{}", kind.key)) {
            Some(mut text) => {
                for (name, value) in &kind.args {
                    text = text.replace(&format!("{{{name}}}"), value);
                }
                text
            }
            None => self.message.clone(),
        }
    }

    /// A problem with a whole file rather than a place in it.
    pub fn for_file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic::new(file, 1, 1, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same problem as a warning.
    pub fn as_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into().into_boxed_str());
        self
    }

    /// The file path as shown to editors: always with forward slashes.
    pub fn display_path(&self) -> String {
        display_path(&self.file)
    }
}

pub(crate) fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.display_path(),
            self.line,
            self.column,
            self.severity.as_str(),
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by file, line and column so that reports are stable.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_column_and_hint() {
        let d = Diagnostic::new("content/members/a.md", 3, 9, "unknown field `nmae`")
            .with_hint("did you mean `name`?");
        assert_eq!(
            d.to_string(),
            "content/members/a.md:3:9: error: unknown field `nmae`\n  hint: did you mean `name`?"
        );
    }

    #[test]
    fn positions_are_at_least_one() {
        let d = Diagnostic::new("a.md", 0, 0, "x");
        assert_eq!((d.line, d.column), (1, 1));
    }
}
