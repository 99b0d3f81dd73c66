//! A member profile: `content/members/<slug>.md`.

use jiff::civil::Date;

use crate::diagnostic::Diagnostic;
use crate::document::Document;
use crate::fields::{Choice, FieldReader, Located};
use crate::prefecture::Prefecture;
use crate::sector::Sector;

/// What a member field holds, and so how it is read, written and sent by a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// One of a fixed set of slugs (sector, prefecture).
    Choice,
    /// A list of short texts, each a taxonomy term (a form sends one per line).
    Terms,
    /// A map of link kinds ([`LINK_KINDS`]) to https addresses (a form sends `links.<kind>`).
    Links,
    Date,
    Flag,
}

/// Who sets a member field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetBy {
    /// The member, in the join and update forms.
    Member,
    /// The functions, when a sign-up is taken (the joining date).
    Server,
    /// Editors, in the content file only (the photo's path, a draft).
    Editor,
}

/// One front-matter field of a member file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberField {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// The longest value in characters (0: the kind sets its own bounds).
    pub max_chars: usize,
    pub set_by: SetBy,
}

const fn field(
    name: &'static str,
    kind: FieldKind,
    required: bool,
    max_chars: usize,
    set_by: SetBy,
) -> MemberField {
    MemberField {
        name,
        kind,
        required,
        max_chars,
        set_by,
    }
}

pub const MAX_NAME_CHARS: usize = 100;
pub use crate::fields::{MAX_TAG_CHARS, MAX_TAGS};
/// Organization, role and reading: the contract sets no limit; this keeps cards readable.
pub const MAX_SHORT_TEXT_CHARS: usize = 200;
/// A photo's path inside content/static/.
pub const MAX_PHOTO_PATH_CHARS: usize = 300;

pub const NAME: MemberField = field("name", FieldKind::Text, true, MAX_NAME_CHARS, SetBy::Member);
pub const KANA: MemberField = field(
    "kana",
    FieldKind::Text,
    false,
    MAX_SHORT_TEXT_CHARS,
    SetBy::Member,
);
pub const SECTOR: MemberField = field("sector", FieldKind::Choice, true, 0, SetBy::Member);
pub const ORGANIZATION: MemberField = field(
    "organization",
    FieldKind::Text,
    false,
    MAX_SHORT_TEXT_CHARS,
    SetBy::Member,
);
pub const ROLE: MemberField = field(
    "role",
    FieldKind::Text,
    false,
    MAX_SHORT_TEXT_CHARS,
    SetBy::Member,
);
pub const PREFECTURE: MemberField = field("prefecture", FieldKind::Choice, false, 0, SetBy::Member);
pub const INTERESTS: MemberField = field(
    "interests",
    FieldKind::Terms,
    false,
    MAX_TAG_CHARS,
    SetBy::Member,
);
pub const LINKS: MemberField = field("links", FieldKind::Links, false, 0, SetBy::Member);
pub const INTRODUCTIONS: MemberField =
    field("introductions", FieldKind::Choice, false, 0, SetBy::Member);
pub const JOINED: MemberField = field("joined", FieldKind::Date, true, 0, SetBy::Server);
pub const PHOTO: MemberField = field(
    "photo",
    FieldKind::Text,
    false,
    MAX_PHOTO_PATH_CHARS,
    SetBy::Editor,
);
pub const DRAFT: MemberField = field("draft", FieldKind::Flag, false, 0, SetBy::Editor);

/// A member's front-matter fields, declared once, in the contract's order: the reader's
/// names and limits, the file writer's order (`member_file.rs`), the form mapping
/// (`profile.rs`), the join form's limits and the docs test all come from here.
pub const MEMBER_SCHEMA: [MemberField; 12] = [
    NAME,
    KANA,
    SECTOR,
    ORGANIZATION,
    ROLE,
    PREFECTURE,
    INTERESTS,
    LINKS,
    INTRODUCTIONS,
    JOINED,
    PHOTO,
    DRAFT,
];

/// The front-matter fields a member file may have: the names of [`MEMBER_SCHEMA`].
pub const MEMBER_FIELDS: [&str; MEMBER_SCHEMA.len()] = {
    let mut names = [""; MEMBER_SCHEMA.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = MEMBER_SCHEMA[i].name;
        i += 1;
    }
    names
};

/// Whether a member accepts introduction requests from members of the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Introductions {
    /// Requests welcome (also when the field is absent).
    #[default]
    Open,
    /// No requests: the member is left out of everyone's people to meet.
    Closed,
}

impl Choice for Introductions {
    fn all() -> &'static [Self] {
        &[Introductions::Open, Introductions::Closed]
    }

    fn slug(self) -> &'static str {
        match self {
            Introductions::Open => "open",
            Introductions::Closed => "closed",
        }
    }
}

/// The profile links a member may publish, in display order.
pub const LINK_KINDS: &[&str] = &["website", "facebook", "x", "linkedin", "note", "github"];

/// One field's value in a member, as the file writer and the form mapping read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue<'m> {
    Text(&'m str),
    List(Vec<&'m str>),
    Links(Vec<(&'static str, &'m str)>),
    Date(Date),
    Flag(bool),
}

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
    /// Whether they accept introduction requests (`open` when the file does not say).
    pub introductions: Introductions,
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
        r.allow_only("", map, &MEMBER_FIELDS);
        let text =
            |r: &mut FieldReader<'_>, f: MemberField| r.text(map, f.name, f.required, f.max_chars);
        let name = text(&mut r, NAME);
        let kana = text(&mut r, KANA);
        if let Some(kana) = &kana
            && !is_kana_reading(kana)
        {
            r.error(
                "kana",
                format!("`kana` must be written in hiragana or katakana, not `{kana}`"),
                "write the reading, e.g. `やまだ はなこ`",
            );
            r.key_last("not_kana", &[]);
        }
        let sector = r.choice::<Sector>(map, SECTOR.name, SECTOR.required, "sector");
        let organization = text(&mut r, ORGANIZATION);
        let role = text(&mut r, ROLE);
        let prefecture =
            r.choice::<Prefecture>(map, PREFECTURE.name, PREFECTURE.required, "prefecture");
        let interests = r.term_list(map, INTERESTS.name);
        let links = read_links(&mut r, map);
        let introductions = r
            .choice::<Introductions>(
                map,
                INTRODUCTIONS.name,
                INTRODUCTIONS.required,
                "introductions setting",
            )
            .unwrap_or_default();
        let joined = r.date(map, JOINED.name, JOINED.required);
        let photo = read_photo(&mut r, map);
        let draft = r.flag(map, DRAFT.name).unwrap_or(false);

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
                introductions,
                joined,
                photo,
                draft,
                body: doc.body.clone(),
            }),
            _ => Err(r.diagnostics),
        }
    }

    /// The value of `field` (see [`MEMBER_SCHEMA`]); `None` when the member has none.
    pub fn value_of(&self, field: &MemberField) -> Option<FieldValue<'_>> {
        fn text(value: Option<&str>) -> Option<FieldValue<'_>> {
            value.filter(|v| !v.is_empty()).map(FieldValue::Text)
        }
        match field.name {
            "name" => text(Some(&self.name)),
            "kana" => text(self.kana.as_deref()),
            "sector" => text(Some(self.sector.slug())),
            "organization" => text(self.organization.as_deref()),
            "role" => text(self.role.as_deref()),
            "prefecture" => text(self.prefecture.map(Choice::slug)),
            "interests" => (!self.interests.is_empty()).then(|| {
                FieldValue::List(self.interests.iter().map(|i| i.value.as_str()).collect())
            }),
            "links" => (!self.links.is_empty()).then(|| {
                FieldValue::Links(
                    self.links
                        .iter()
                        .map(|l| (l.kind, l.url.as_str()))
                        .collect(),
                )
            }),
            // Always written, so that every exported file says what the member chose.
            "introductions" => Some(FieldValue::Text(self.introductions.slug())),
            "joined" => Some(FieldValue::Date(self.joined)),
            "photo" => text(self.photo.as_ref().map(|p| p.value.as_str())),
            "draft" => self.draft.then_some(FieldValue::Flag(true)),
            _ => None,
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
    let photo = r.text(map, PHOTO.name, PHOTO.required, PHOTO.max_chars)?;
    let safe = !photo.starts_with('/')
        && !photo.contains('\\')
        && !photo.split('/').any(|part| part == ".." || part.is_empty());
    if !safe {
        r.error(
            "photo",
            format!("`photo` must be a path inside content/static/, not `{photo}`"),
            "write it relative to content/static/, e.g. `members/yamada.jpg`",
        );
        r.key_last("photo_outside", &[]);
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
    fn introductions_are_open_unless_closed() {
        let base = "---\nname: x\nsector: other\njoined: 2026-01-01\n";
        let open = parse(&format!("{base}---\n")).unwrap();
        assert_eq!(open.introductions, Introductions::Open);
        let closed = parse(&format!("{base}introductions: closed\n---\n")).unwrap();
        assert_eq!(closed.introductions, Introductions::Closed);
        let errors = parse(&format!("{base}introductions: no\n---\n")).unwrap_err();
        assert_eq!(
            errors[0].message,
            "`no` is not a valid introductions setting"
        );
        assert_eq!(errors[0].line, 5);
    }

    #[test]
    fn kana_readings() {
        assert!(is_kana_reading("やまだ はなこ"));
        assert!(is_kana_reading("ヤマダ・ユーコ"));
        assert!(!is_kana_reading("山田"));
    }
}
