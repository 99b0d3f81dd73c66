//! Content problems written for people (optionally coloured), for GitHub Actions (annotations
//! on the pull request's diff) and as JSON for other tools.

use model::{Diagnostic, Severity};
use serde::Serialize;

/// How `portal check` writes its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `file:line:column: error: message` and an indented hint.
    Human,
    /// GitHub Actions workflow commands: `::error file=...,line=...,col=...::message`.
    Github,
    /// One JSON object with every problem.
    Json,
}

/// The human report; `colour` adds ANSI colours for a terminal.
pub fn human(diagnostics: &[Diagnostic], colour: bool) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    for d in diagnostics {
        let label = match d.severity {
            Severity::Error => paint("1;31", "error"),
            Severity::Warning => paint("1;33", "warning"),
        };
        let place = paint(
            "1",
            &format!("{}:{}:{}", d.display_path(), d.line, d.column),
        );
        out.push_str(&format!("{place}: {label}: {}\n", d.message));
        if let Some(hint) = &d.hint {
            out.push_str(&format!("  {}: {hint}\n", paint("36", "hint")));
        }
    }
    out
}

/// Escapes the message of a workflow command (GitHub's rules: `%`, CR and LF).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command (also `:` and `,`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation per problem. GitHub places it on the diff when the path is relative to
/// the repository root, which it is when `portal check` runs there (`--content content`).
pub fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message.push_str("\nhint: ");
            message.push_str(hint);
        }
        out.push_str(&format!(
            "::{} file={},line={},col={},title={}::{}\n",
            d.severity.as_str(),
            escape_property(&d.display_path()),
            d.line,
            d.column,
            escape_property(&format!("portal check: {}", d.severity.as_str())),
            escape_data(&message)
        ));
    }
    out
}

#[derive(Serialize)]
struct JsonProblem<'d> {
    file: String,
    line: usize,
    column: usize,
    severity: &'static str,
    field: Option<&'d str>,
    message: &'d str,
    hint: Option<&'d str>,
}

#[derive(Serialize)]
struct JsonReport<'d> {
    errors: usize,
    warnings: usize,
    problems: Vec<JsonProblem<'d>>,
}

/// Every problem in one JSON object, pretty-printed, ending with a line break.
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let problems: Vec<JsonProblem<'_>> = diagnostics
        .iter()
        .map(|d| JsonProblem {
            file: d.display_path(),
            line: d.line,
            column: d.column,
            severity: d.severity.as_str(),
            field: d.field.as_deref(),
            message: &d.message,
            hint: d.hint.as_deref(),
        })
        .collect();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let report = JsonReport {
        errors,
        warnings: diagnostics.len() - errors,
        problems,
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Diagnostic> {
        vec![
            Diagnostic::new("content/members/a.md", 3, 9, "`x, y: 100%` is bad")
                .with_hint("fix it\nnow"),
            Diagnostic::new("content/pages/b.md", 5, 1, "no alt").as_warning(),
        ]
    }

    #[test]
    fn github_annotations_escape_their_parts() {
        assert_eq!(
            github(&sample()),
            "::error file=content/members/a.md,line=3,col=9,title=portal check%3A error::`x, y: 100%25` is bad%0Ahint: fix it%0Anow\n\
             ::warning file=content/pages/b.md,line=5,col=1,title=portal check%3A warning::no alt\n"
        );
    }

    #[test]
    fn human_reports_colour_only_on_request() {
        let plain = human(&sample(), false);
        assert!(plain.starts_with("content/members/a.md:3:9: error: "));
        assert!(plain.contains("content/pages/b.md:5:1: warning: no alt\n"));
        assert!(human(&sample(), true).contains("\x1b[1;31merror\x1b[0m"));
    }

    #[test]
    fn json_counts_errors_and_warnings() {
        let value: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(
            (value["errors"].as_u64(), value["warnings"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(value["problems"][0]["line"], 3);
        assert_eq!(value["problems"][1]["severity"], "warning");
    }
}
