//! Writes a member as a content file (`content/members/<slug>.md`): front matter serialized
//! with serde, so any value (quotes, colons, `---`, `#`, line breaks, emoji) reads back as written.

use serde::Serialize;

use crate::fields::Choice;
use crate::member::Member;

/// The front matter of a member file, in the field order of the content contract. Only
/// public fields exist here: a member file never holds an e-mail address.
#[derive(Serialize)]
struct MemberFront<'m> {
    name: &'m str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kana: Option<&'m str>,
    sector: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<&'m str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'m str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefecture: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    interests: Vec<&'m str>,
    #[serde(skip_serializing_if = "serde_yaml::Mapping::is_empty")]
    links: serde_yaml::Mapping,
    joined: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    photo: Option<&'m str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("the member `{slug}` could not be written as YAML: {source}")]
pub struct WriteError {
    slug: String,
    #[source]
    source: serde_yaml::Error,
}

impl Member {
    /// The whole file: `---`, the front matter, `---`, then the self-introduction as given.
    pub fn to_file_text(&self) -> Result<String, WriteError> {
        let links = self
            .links
            .iter()
            .map(|link| (link.kind.into(), link.url.as_str().into()))
            .collect();
        let front = MemberFront {
            name: &self.name,
            kana: self.kana.as_deref(),
            sector: self.sector.slug(),
            organization: self.organization.as_deref(),
            role: self.role.as_deref(),
            prefecture: self.prefecture.map(Choice::slug),
            interests: self.interests.iter().map(|i| i.value.as_str()).collect(),
            links,
            joined: self.joined.to_string(),
            photo: self.photo.as_ref().map(|p| p.value.as_str()),
            draft: self.draft,
        };
        crate::document::file_text(&front, &self.body).map_err(|source| WriteError {
            slug: self.slug.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::document::Document;
    use crate::member::Member;
    use crate::profile::{check_profile, form};

    fn round_trip(member: &Member) -> Member {
        let text = member.to_file_text().unwrap();
        let doc = Document::parse("content/members/x.md", &text)
            .unwrap_or_else(|d| panic!("{d}\n{text}"));
        Member::from_document(&doc, &member.slug).unwrap_or_else(|d| panic!("{d:?}\n{text}"))
    }

    #[test]
    fn writes_fields_in_contract_order_without_private_ones() {
        let member = check_profile(
            &form(&[
                ("name", "山田 花子"),
                ("kana", "やまだ はなこ"),
                ("sector", "local-gov"),
                ("prefecture", "kanagawa"),
                ("interests", "防災\nオープンデータ"),
                ("links.website", "https://example.org/hanako"),
                ("joined", "2026-11-25"),
                ("bio", "よろしくお願いします。\n"),
            ]),
            "yamada-hanako",
        )
        .unwrap();
        assert_eq!(
            member.to_file_text().unwrap(),
            "---\nname: 山田 花子\nkana: やまだ はなこ\nsector: local-gov\nprefecture: kanagawa\ninterests:\n- 防災\n- オープンデータ\nlinks:\n  website: https://example.org/hanako\njoined: 2026-11-25\n---\nよろしくお願いします。\n"
        );
    }

    #[test]
    fn awkward_values_read_back_as_written() {
        let member = check_profile(
            &form(&[
                ("name", "---"),
                ("kana", "やまだ"),
                ("sector", "private"),
                ("organization", "\"Quoted\": yes # not a comment"),
                ("role", "null"),
                (
                    "interests",
                    "'single', [flow]\n*alias\n2026-01-01\nעברית 🎉",
                ),
                ("joined", "2026-11-25"),
                ("bio", "---\nname: injected\n---\n"),
            ]),
            "yamada",
        )
        .unwrap();
        let back = round_trip(&member);
        assert_eq!(back.name, "---");
        assert_eq!(
            back.organization.as_deref(),
            Some("\"Quoted\": yes # not a comment")
        );
        assert_eq!(back.role.as_deref(), Some("null"));
        let interests: Vec<&str> = back.interests.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(
            interests,
            ["'single'", "[flow]", "*alias", "2026-01-01", "עברית 🎉"]
        );
        assert_eq!(back.body, "---\nname: injected\n---\n");
    }
}
