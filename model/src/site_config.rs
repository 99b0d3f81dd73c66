//! Site settings: `content/site.yaml`.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::document::{Document, parse_yaml_mapping};
use crate::fields::{Choice, FieldReader};
use crate::locate::KeyLocator;

pub const SITE_FIELDS: &[&str] = &[
    "title",
    "short_title",
    "description",
    "tagline",
    "base_url",
    "language",
    "languages",
    "api_base",
    "author",
    "members_per_page",
];

/// The UI language of the theme's strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Ja,
    En,
}

impl Choice for Language {
    fn all() -> &'static [Self] {
        &[Language::Ja, Language::En]
    }

    fn slug(self) -> &'static str {
        match self {
            Language::Ja => "ja",
            Language::En => "en",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    pub title: String,
    /// The site's short name, for mail subjects (【まじわる】); the title when not given.
    pub short_title: String,
    pub description: String,
    /// A short line under the title on the home page.
    pub tagline: Option<String>,
    /// Absolute, without a trailing slash: `https://example.org` or `https://example.org/portal`.
    pub base_url: String,
    pub language: Language,
    /// Other languages offered (reserved for translated content).
    pub languages: Vec<String>,
    /// Where the sign-up functions answer, e.g. `https://api.example.org`; forms post there.
    pub api_base: Option<String>,
    /// The organisation that runs the portal, shown in the footer and the feed.
    pub author: Option<String>,
    pub members_per_page: usize,
}

impl SiteConfig {
    pub const DEFAULT_MEMBERS_PER_PAGE: usize = 50;

    pub fn parse(file: &Path, text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let locator = KeyLocator::new(text, 1);
        let front = parse_yaml_mapping(file, text, &locator).map_err(|d| vec![d])?;
        let doc = Document {
            file: file.to_owned(),
            front,
            locator,
            body: String::new(),
            body_line: 1,
        };
        let map = &doc.front;
        let mut r = FieldReader::new(&doc);
        r.allow_only("", map, SITE_FIELDS);
        let title = r.text(map, "title", true, 100);
        let short_title = r.text(map, "short_title", false, 20);
        let description = r.text(map, "description", true, 300);
        let tagline = r.text(map, "tagline", false, 200);
        let base_url = r.text(map, "base_url", true, 300);
        if let Some(url) = &base_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            r.error(
                "base_url",
                "`base_url` must be an absolute http(s) address",
                "write e.g. `https://portal.example.org`",
            );
        }
        let language = r
            .choice::<Language>(map, "language", false, "language")
            .unwrap_or(Language::Ja);
        let languages = r
            .text_list(map, "languages", 10, 10)
            .into_iter()
            .map(|l| l.value)
            .collect();
        let api_base = r.text(map, "api_base", false, 300);
        if let Some(url) = &api_base
            && !(url.starts_with("https://")
                || url.starts_with("http://127.0.0.1")
                || url.starts_with("http://localhost")
                || url.starts_with('/'))
        {
            r.error("api_base", "`api_base` must be an https:// address (or a local or same-site one for development)", "write e.g. `https://api.example.org`");
        }
        let author = r.text(map, "author", false, 200);
        let members_per_page = r
            .positive_integer(map, "members_per_page")
            .map_or(Self::DEFAULT_MEMBERS_PER_PAGE, |n| n as usize);
        match (title, description, base_url) {
            (Some(title), Some(description), Some(base_url)) if r.diagnostics.is_empty() => {
                Ok(SiteConfig {
                    short_title: short_title.unwrap_or_else(|| title.clone()),
                    title,
                    description,
                    tagline,
                    base_url: base_url.trim_end_matches('/').to_owned(),
                    language,
                    languages,
                    api_base: api_base.map(|u| u.trim_end_matches('/').to_owned()),
                    author,
                    members_per_page,
                })
            }
            _ => Err(r.diagnostics),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_settings_with_defaults() {
        let c = SiteConfig::parse(
            Path::new("site.yaml"),
            "title: T\ndescription: D\nbase_url: https://x.example/portal/\n",
        )
        .unwrap();
        assert_eq!(c.base_url, "https://x.example/portal");
        assert_eq!(c.language, Language::Ja);
        assert_eq!(c.members_per_page, 50);
    }

    #[test]
    fn reports_unknown_settings_with_their_line() {
        let errors = SiteConfig::parse(
            Path::new("site.yaml"),
            "title: T\ndescription: D\nbase_url: https://x\nlanguage: jp\n",
        )
        .unwrap_err();
        assert_eq!(errors[0].line, 4);
        assert_eq!(errors[0].hint.as_deref(), Some("did you mean `ja`?"));
    }
}
