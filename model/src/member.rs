//! A member profile: `content/members/<slug>.md`.

use jiff::civil::Date;

use crate::diagnostic::Diagnostic;
use crate::document::Document;
use crate::fields::{FieldReader, Located};
use crate::prefecture::Prefecture;
use crate::sector::Sector;

/// The front-matter fields a member file may have.
pub const MEMBER_FIELDS: &[&str] = &[
    "name",
    "kana",
    "sector",
    "organization",
    "role",
    "prefecture",
    "interests",
    "links",
    "joined",
    "photo",
    "draft",
];

/// The profile links a member may publish, in display order.
pub const LINK_KINDS: &[&str] = &["website", "facebook", "x", "linkedin", "note", "github"];

pub const MAX_NAME_CHARS: usize = 100;
pub use crate::fields::{MAX_TAG_CHARS, MAX_TAGS};
/// Organization, role and reading: the contract sets no limit; this keeps cards readable.
pub const MAX_SHORT_TEXT_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// One of [`LINK_KINDS`].
    pub kind: &'static str,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub slug: String,
    pub name: String,
    pub kana: Option<String>,
    pub sector: Sector,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub prefecture: Option<Prefecture>,
    pub interests: Vec<Located<String>>,
    pub links: Vec<Link>,
    pub joined: Date,
    /// Relative to `content/static/`.
    pub photo: Option<Located<String>>,
    pub draft: bool,
    /// The self-introduction, Markdown written by the member (untrusted).
    pub body: String,
    /// The file it was read from, and the line on which its body starts (for diagnostics).
    pub file: std::path::PathBuf,
    pub body_line: usize,
}

impl Member {
    /// Checks every field of a parsed member file; all problems are returned together.
    pub fn from_document(doc: &Document, slug: &str) -> Result<Member, Vec<Diagnostic>> {
        let map = &doc.front;
        let mut r = FieldReader::new(doc);
        r.allow_only("", map, MEMBER_FIELDS);
        let name = r.text(map, "name", true, MAX_NAME_CHARS);
        let kana = r.text(map, "kana", false, MAX_SHORT_TEXT_CHARS);
        if let Some(kana) = &kana
            && !is_kana_reading(kana)
        {
            r.error(
                "kana",
                format!("`kana` must be written in hiragana or katakana, not `{kana}`"),
                "write the reading, e.g. `やまだ はなこ`",
            );
        }
        let sector = r.choice::<Sector>(map, "sector", true, "sector");
        let organization = r.text(map, "organization", false, MAX_SHORT_TEXT_CHARS);
        let role = r.text(map, "role", false, MAX_SHORT_TEXT_CHARS);
        let prefecture = r.choice::<Prefecture>(map, "prefecture", false, "prefecture");
        let interests = r.term_list(map, "interests");
        let links = read_links(&mut r, map);
        let joined = r.date(map, "joined", true);
        let photo = read_photo(&mut r, map);
        let draft = r.flag(map, "draft").unwrap_or(false);

        match (name, sector, joined) {
            (Some(name), Some(sector), Some(joined)) if r.diagnostics.is_empty() => Ok(Member {
                file: doc.file.clone(),
                body_line: doc.body_line,
                slug: slug.to_owned(),
                name,
                kana,
                sector,
                organization,
                role,
                prefecture,
                interests,
                links,
                joined,
                photo,
                draft,
                body: doc.body.clone(),
            }),
            _ => Err(r.diagnostics),
        }
    }

    /// What the directory sorts by: the reading when given, else the name.
    pub fn reading(&self) -> &str {
        self.kana.as_deref().unwrap_or(&self.name)
    }
}

fn read_links(r: &mut FieldReader<'_>, map: &serde_yaml::Mapping) -> Vec<Link> {
    let Some(links) = r.map(map, "links") else {
        return Vec::new();
    };
    r.allow_only("links.", links, LINK_KINDS);
    LINK_KINDS
        .iter()
        .filter_map(|kind| {
            let url = r.https_url(links, &format!("links.{kind}"))?;
            Some(Link { kind, url })
        })
        .collect()
}

fn read_photo(r: &mut FieldReader<'_>, map: &serde_yaml::Mapping) -> Option<Located<String>> {
    let photo = r.text(map, "photo", false, 300)?;
    let safe = !photo.starts_with('/')
        && !photo.contains('\\')
        && !photo.split('/').any(|part| part == ".." || part.is_empty());
    if !safe {
        r.error(
            "photo",
            format!("`photo` must be a path inside content/static/, not `{photo}`"),
            "write it relative to content/static/, e.g. `members/yamada.jpg`",
        );
        return None;
    }
    Some(Located {
        value: photo,
        position: r.position("photo"),
        field: "photo".to_owned(),
    })
}

/// Hiragana, katakana, the long-vowel mark and spaces only.
pub fn is_kana_reading(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c, '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309F}' | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FF}' | '・' | ' ' | '\u{3000}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Member, Vec<Diagnostic>> {
        let doc = Document::parse("content/members/m.md", text).unwrap();
        Member::from_document(&doc, "m")
    }

    #[test]
    fn parses_the_contract_example() {
        let m = parse("---\nname: 山田 花子\nkana: やまだ はなこ\nsector: local-gov\norganization: 横浜市役所\nrole: 政策局\nprefecture: kanagawa\ninterests: [オープンデータ, 地域活性化]\nlinks:\n  website: https://example.org/hanako\njoined: 2026-11-01\n---\n市役所で企画の仕事をしています。\n").unwrap();
        assert_eq!(m.name, "山田 花子");
        assert_eq!(m.sector, Sector::LocalGov);
        assert_eq!(m.prefecture.map(|p| p.name_ja()), Some("神奈川県"));
        assert_eq!(
            m.interests
                .iter()
                .map(|i| i.value.as_str())
                .collect::<Vec<_>>(),
            ["オープンデータ", "地域活性化"]
        );
        assert_eq!(
            m.links,
            [Link {
                kind: "website",
                url: "https://example.org/hanako".into()
            }]
        );
        assert_eq!(m.joined.to_string(), "2026-11-01");
        assert!(m.body.starts_with("市役所"));
    }

    #[test]
    fn reports_every_problem_at_once() {
        let errors = parse("---\nname: x\nsector: local-govt\nprefecture: 神奈川県\njoined: 2026-13-01\nlinks:\n  website: http://x.example\n  blog: https://b.example\nkana: yamada\n---\n").unwrap_err();
        let got: Vec<(usize, &str)> = errors
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    9,
                    "`kana` must be written in hiragana or katakana, not `yamada`"
                ),
                (3, "`local-govt` is not a valid sector"),
                (4, "`神奈川県` is not a valid prefecture"),
                (8, "unknown field `blog`"),
                (7, "`website` must be an https:// address"),
                (
                    5,
                    "bad date in `joined`: `2026-13-01` is not a real calendar date"
                ),
            ]
        );
        assert_eq!(errors[1].hint.as_deref(), Some("did you mean `local-gov`?"));
        assert_eq!(errors[2].hint.as_deref(), Some("did you mean `kanagawa`?"));
    }

    #[test]
    fn photo_paths_stay_inside_static() {
        let errors =
            parse("---\nname: x\nsector: other\njoined: 2026-01-01\nphoto: ../secret.jpg\n---\n")
                .unwrap_err();
        assert!(errors[0].message.contains("inside content/static/"));
    }

    #[test]
    fn kana_readings() {
        assert!(is_kana_reading("やまだ はなこ"));
        assert!(is_kana_reading("ヤマダ・ユーコ"));
        assert!(!is_kana_reading("山田"));
    }
}
