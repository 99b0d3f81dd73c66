//! A free page written by editors: `content/pages/<slug>.md`.

use crate::diagnostic::Diagnostic;
use crate::document::Document;
use crate::fields::FieldReader;

pub const PAGE_FIELDS: &[&str] = &["title", "description", "menu"];

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    /// Pages with a menu position appear in the header menu, in that order.
    pub menu: Option<i64>,
    /// Markdown written by editors (trusted: may contain raw HTML).
    pub body: String,
    /// The file it was read from, and the line on which its body starts (for diagnostics).
    pub file: std::path::PathBuf,
    pub body_line: usize,
}

impl Page {
    pub fn from_document(doc: &Document, slug: &str) -> Result<Page, Vec<Diagnostic>> {
        let map = &doc.front;
        let mut r = FieldReader::new(doc);
        r.allow_only("", map, PAGE_FIELDS);
        let title = r.text(map, "title", true, 200);
        let description = r.text(map, "description", false, 300);
        let menu = r.integer(map, "menu");
        match title {
            Some(title) if r.diagnostics.is_empty() => Ok(Page {
                file: doc.file.clone(),
                body_line: doc.body_line,
                slug: slug.to_owned(),
                title,
                description,
                menu,
                body: doc.body.clone(),
            }),
            _ => Err(r.diagnostics),
        }
    }
}
