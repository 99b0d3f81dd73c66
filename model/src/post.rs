//! A piece of community news: `content/posts/<slug>.md`.

use jiff::civil::Date;

use crate::diagnostic::Diagnostic;
use crate::document::Document;
use crate::event::MAX_TITLE_CHARS;
use crate::fields::{FieldReader, Located};

pub const POST_FIELDS: &[&str] = &["title", "date", "author", "tags", "draft"];

#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub slug: String,
    pub title: String,
    /// The day it is published (Japan's calendar).
    pub date: Date,
    /// A member's slug, with where it was written (checked against the members later).
    pub author: Option<Located<String>>,
    pub tags: Vec<Located<String>>,
    pub draft: bool,
    /// Markdown (untrusted, as members' and events' texts: news may quote submissions).
    pub body: String,
    /// The file it was read from, and the line on which its body starts (for diagnostics).
    pub file: std::path::PathBuf,
    pub body_line: usize,
}

impl Post {
    pub fn from_document(doc: &Document, slug: &str) -> Result<Post, Vec<Diagnostic>> {
        let map = &doc.front;
        let mut r = FieldReader::new(doc);
        r.allow_only("", map, POST_FIELDS);
        let title = r.text(map, "title", true, MAX_TITLE_CHARS);
        let date = r.date(map, "date", true);
        let author = r.located_text(map, "author", 100);
        let tags = r.term_list(map, "tags");
        let draft = r.flag(map, "draft").unwrap_or(false);
        match (title, date) {
            (Some(title), Some(date)) if r.diagnostics.is_empty() => Ok(Post {
                file: doc.file.clone(),
                body_line: doc.body_line,
                slug: slug.to_owned(),
                title,
                date,
                author,
                tags,
                draft,
                body: doc.body.clone(),
            }),
            _ => Err(r.diagnostics),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Post, Vec<Diagnostic>> {
        let doc = Document::parse("content/posts/p.md", text).expect("front matter");
        Post::from_document(&doc, "p")
    }

    #[test]
    fn a_post_has_a_title_a_date_and_optionally_an_author_and_tags() {
        let post = parse(
            "---\ntitle: 交流会のふりかえり\ndate: 2026-11-30\nauthor: ito-yui\ntags: [防災, 交流会]\n---\n楽しかったです。\n",
        )
        .expect("a valid post");
        assert_eq!(post.date.to_string(), "2026-11-30");
        let author = post.author.expect("an author");
        assert_eq!(
            (author.value.as_str(), author.position.line),
            ("ito-yui", 4)
        );
        assert_eq!(post.tags.len(), 2);
        assert!(!post.draft);
        assert_eq!(post.body, "楽しかったです。\n");
    }

    #[test]
    fn a_missing_date_and_an_unknown_field_are_reported_with_their_lines() {
        let errors = parse("---\ntitle: お知らせ\nsummary: x\n---\n").expect_err("two mistakes");
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(text.iter().any(|e| e.contains("date")), "{text:?}");
        assert!(
            text.iter()
                .any(|e| e.contains("summary") && e.contains(":3:")),
            "{text:?}"
        );
    }
}
