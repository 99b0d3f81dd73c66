//! Writes a member as a content file (`content/members/<slug>.md`): front matter serialized
//! with serde, so any value (quotes, colons, `---`, `#`, line breaks, emoji) reads back as written.

use serde_yaml::{Mapping, Value};

use crate::member::{FieldValue, MEMBER_SCHEMA, Member};

#[derive(Debug, thiserror::Error)]
#[error("the member `{slug}` could not be written as YAML: {source}")]
pub struct WriteError {
    slug: String,
    #[source]
    source: serde_yaml::Error,
}

impl Member {
    /// The front matter, in the schema's order ([`MEMBER_SCHEMA`]), with only the fields the
    /// member has. Only public fields exist: a member file never holds an e-mail address.
    pub fn front_matter(&self) -> Mapping {
        let mut front = Mapping::new();
        for field in &MEMBER_SCHEMA {
            let value = match self.value_of(field) {
                None => continue,
                Some(FieldValue::Text(text)) => Value::from(text),
                Some(FieldValue::List(items)) => {
                    Value::Sequence(items.into_iter().map(Value::from).collect())
                }
                Some(FieldValue::Links(links)) => Value::Mapping(
                    (links.into_iter())
                        .map(|(kind, url)| (Value::from(kind), Value::from(url)))
                        .collect(),
                ),
                Some(FieldValue::Date(date)) => Value::from(date.to_string()),
                Some(FieldValue::Flag(flag)) => Value::from(flag),
            };
            front.insert(Value::from(field.name), value);
        }
        front
    }

    /// The whole file: `---`, the front matter, `---`, then the self-introduction as given.
    pub fn to_file_text(&self) -> Result<String, WriteError> {
        let front = self.front_matter();
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
            "---\nname: 山田 花子\nkana: やまだ はなこ\nsector: local-gov\nprefecture: kanagawa\ninterests:\n- 防災\n- オープンデータ\nlinks:\n  website: https://example.org/hanako\nintroductions: open\njoined: 2026-11-25\n---\nよろしくお願いします。\n"
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
