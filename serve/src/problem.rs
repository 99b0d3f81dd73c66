//! A failed rebuild as the terminal and the browser overlay show it: file, line, message, hint.

use generator::BuildError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    /// One line: what failed, e.g. "2 problems in the content".
    pub summary: String,
    pub items: Vec<ProblemItem>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProblemItem {
    pub file: String,
    /// 0 when the problem is about the whole file.
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn from_error(error: &BuildError) -> Problem {
        let item = |file: String, message: String| ProblemItem {
            file,
            line: 0,
            column: 0,
            message,
            hint: None,
        };
        let items = match error {
            BuildError::Content(found) => found
                .iter()
                .map(|d| ProblemItem {
                    file: d.display_path(),
                    line: d.line,
                    column: d.column,
                    message: d.message.clone(),
                    hint: d.hint.clone(),
                })
                .collect(),
            BuildError::Theme { path, message } => {
                vec![item(path.display().to_string(), message.clone())]
            }
            BuildError::Render {
                template,
                page,
                message,
            } => vec![ProblemItem {
                hint: Some(format!("while rendering {page}")),
                ..item(format!("templates/{template}"), message.clone())
            }],
            BuildError::Output { path, message } => {
                vec![item(path.display().to_string(), message.clone())]
            }
            BuildError::Io {
                action,
                path,
                source,
            } => {
                vec![item(
                    path.display().to_string(),
                    format!("{action}: {source}"),
                )]
            }
        };
        let summary = match error {
            BuildError::Content(found) => format!(
                "{} problem(s) in the content; the last good version of the site is served",
                found.len()
            ),
            _ => "the site could not be rebuilt; the last good version is served".to_owned(),
        };
        Problem { summary, items }
    }

    /// The problem as the terminal shows it.
    pub fn to_terminal(&self) -> String {
        let mut out = String::new();
        for item in &self.items {
            if item.line > 0 {
                out.push_str(&format!(
                    "{}:{}:{}: error: {}\n",
                    item.file, item.line, item.column, item.message
                ));
            } else {
                out.push_str(&format!("{}: error: {}\n", item.file, item.message));
            }
            if let Some(hint) = &item.hint {
                out.push_str(&format!("  hint: {hint}\n"));
            }
        }
        out.push_str(&self.summary);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_problems_keep_file_line_and_hint() {
        let error = BuildError::Content(vec![
            model::Diagnostic::new("content/members/a.md", 3, 9, "unknown sector `privat`")
                .with_hint("did you mean `private`?"),
        ]);
        let problem = Problem::from_error(&error);
        assert_eq!(problem.items.len(), 1);
        assert_eq!(problem.items[0].line, 3);
        assert_eq!(
            problem.items[0].hint.as_deref(),
            Some("did you mean `private`?")
        );
        let text = problem.to_terminal();
        assert!(text.starts_with("content/members/a.md:3:9: error: unknown sector `privat`\n  hint: did you mean `private`?\n"), "{text}");
    }
}
