//! A member profile as a form submits it (field by field), checked with the member rules:
//! the functions validate sign-ups with it and the editorial export turns them into files.

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use crate::document::Document;
use crate::member::{FieldKind, FieldValue, LINK_KINDS, MEMBER_SCHEMA, Member, SetBy};

/// What a submitter typed, field by field, as a form posts it (`links.website` for links,
/// `bio` for the self-introduction).
pub type FormFields = BTreeMap<String, String>;

/// Per-field error messages, keyed by form field name, for showing beside each input.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// A member's public profile as the join form's fields (the inverse of [`check_profile`]
/// for what a form can hold; the photo is a file, not a field).
pub fn fields_of(member: &Member) -> FormFields {
    let mut fields = FormFields::new();
    for field in MEMBER_SCHEMA.iter().filter(|f| f.set_by != SetBy::Editor) {
        match member.value_of(field) {
            None | Some(FieldValue::Flag(_)) => {}
            Some(FieldValue::Text(text)) => {
                fields.insert(field.name.to_owned(), text.to_owned());
            }
            Some(FieldValue::List(items)) => {
                fields.insert(field.name.to_owned(), items.join("\n"));
            }
            Some(FieldValue::Links(links)) => {
                for (kind, url) in links {
                    fields.insert(format!("{}.{kind}", field.name), url.to_owned());
                }
            }
            Some(FieldValue::Date(date)) => {
                fields.insert(field.name.to_owned(), date.to_string());
            }
        }
    }
    if !member.body.is_empty() {
        fields.insert("bio".into(), member.body.clone());
    }
    fields
}

/// How a form's problems are worded: [`english`] (the model's own words), or a translation
/// keyed by each problem's stable key (see [`crate::Diagnostic::describe`]).
pub type Describe<'a> = &'a dyn Fn(&crate::Diagnostic) -> String;

/// The words of a form field no form of the portal has (`unknown_field`).
pub(crate) fn unknown(describe: Describe<'_>, field: &str, message: String) -> String {
    describe(
        &crate::Diagnostic::new("submission", 1, 1, message)
            .with_field(field)
            .with_key("unknown_field", &[]),
    )
}

/// The model's own words for a problem.
pub fn english(diagnostic: &crate::Diagnostic) -> String {
    diagnostic.message.clone()
}

/// Checks a submitted profile with the model's member rules; `slug` is the proposed slug.
pub fn check_profile(fields: &FormFields, slug: &str) -> Result<Member, FieldErrors> {
    check_profile_in(fields, slug, &english)
}

/// [`check_profile`], its problems worded by `describe`.
pub fn check_profile_in(
    fields: &FormFields,
    slug: &str,
    describe: Describe<'_>,
) -> Result<Member, FieldErrors> {
    let mut front = Mapping::new();
    let mut links = Mapping::new();
    let mut errors = FieldErrors::new();
    for (name, raw) in fields {
        let text = raw.trim();
        if name == "bio" || text.is_empty() {
            continue;
        }
        if let Some(kind) = name.strip_prefix("links.") {
            if LINK_KINDS.contains(&kind) {
                links.insert(Value::from(kind), Value::from(text));
            } else {
                errors.entry(name.clone()).or_default().push(unknown(
                    describe,
                    name,
                    format!("unknown link `{kind}`"),
                ));
            }
            continue;
        }
        let Some(field) = MEMBER_SCHEMA
            .iter()
            .find(|f| f.name == name && f.set_by != SetBy::Editor)
        else {
            errors.entry(name.clone()).or_default().push(unknown(
                describe,
                name,
                format!("unknown field `{name}`"),
            ));
            continue;
        };
        let value = if field.kind == FieldKind::Terms {
            let items = text
                .split(['\n', ',', '、'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Value::from);
            Value::Sequence(items.collect())
        } else {
            Value::from(text)
        };
        front.insert(Value::from(name.as_str()), value);
    }
    if !links.is_empty() {
        front.insert(Value::from("links"), Value::Mapping(links));
    }
    let body = fields.get("bio").cloned().unwrap_or_default();
    let doc = Document::from_fields("submission", front, body);
    with_form_errors(Member::from_document(&doc, slug), errors, describe)
}

/// The longest self-introduction a form may send (a content file may be longer: editors
/// write pages, not forms).
pub const MAX_SUBMITTED_BIO_CHARS: usize = 4000;

/// Checks a profile a member sends through a form (joining, or updating their profile):
/// the member rules of [`check_profile`], and what a form must not carry besides: a
/// self-introduction over [`MAX_SUBMITTED_BIO_CHARS`] characters or with control characters.
/// Every form that takes a profile uses this one check.
pub fn check_submitted_profile(
    fields: &FormFields,
    slug: &str,
    describe: Describe<'_>,
) -> Result<Member, FieldErrors> {
    let mut errors = FieldErrors::new();
    let bio = fields.get("bio").map(String::as_str).unwrap_or("");
    let mut bio_problem = |key, message: String, args: &[(&'static str, String)]| {
        let problem = crate::Diagnostic::new(slug, 1, 1, message)
            .with_field("bio")
            .with_key(key, args);
        errors
            .entry("bio".into())
            .or_default()
            .push(describe(&problem));
    };
    if bio.chars().count() > MAX_SUBMITTED_BIO_CHARS {
        bio_problem(
            "bio_too_long",
            format!("the self-introduction is longer than {MAX_SUBMITTED_BIO_CHARS} characters"),
            &[("max", MAX_SUBMITTED_BIO_CHARS.to_string())],
        );
    }
    if bio
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        bio_problem(
            "bio_control_character",
            "the self-introduction contains a control character".into(),
            &[],
        );
    }
    match check_profile_in(fields, slug, describe) {
        Ok(member) if errors.is_empty() => Ok(member),
        Ok(_) => Err(errors),
        Err(found) => {
            for (field, messages) in found {
                errors.entry(field).or_default().extend(messages);
            }
            Err(errors)
        }
    }
}

/// A document built from form fields, read by the model's rules: its value, or every
/// problem keyed by the input it belongs to (`interests[2]` belongs to `interests`), after
/// the `errors` the form itself had.
pub fn with_form_errors<T>(
    read: Result<T, Vec<crate::Diagnostic>>,
    mut errors: FieldErrors,
    describe: Describe<'_>,
) -> Result<T, FieldErrors> {
    match read {
        Ok(value) if errors.is_empty() => Ok(value),
        Ok(_) => Err(errors),
        Err(diagnostics) => {
            for d in diagnostics {
                let field = d.field.clone().unwrap_or_default();
                let field = field.split('[').next().unwrap_or_default().to_owned();
                errors.entry(field).or_default().push(describe(&d));
            }
            Err(errors)
        }
    }
}

/// Form fields from pairs (for tests here and in the modules that check forms).
#[cfg(test)]
pub(crate) fn form(pairs: &[(&str, &str)]) -> FormFields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_submission_becomes_a_member() {
        let member = check_profile(
            &form(&[
                ("name", "山田 花子"),
                ("kana", "やまだ はなこ"),
                ("sector", "local-gov"),
                ("prefecture", "kanagawa"),
                ("interests", "防災、観光\nまちづくり"),
                ("links.website", "https://example.org"),
                ("joined", "2026-11-25"),
                ("bio", "よろしくお願いします。"),
            ]),
            "yamada-hanako",
        )
        .unwrap();
        assert_eq!(
            member
                .interests
                .iter()
                .map(|i| i.value.as_str())
                .collect::<Vec<_>>(),
            ["防災", "観光", "まちづくり"]
        );
        assert_eq!(member.links[0].url, "https://example.org");
        assert_eq!(member.body, "よろしくお願いします。");
    }

    #[test]
    fn errors_are_keyed_by_form_field() {
        let errors = check_profile(
            &form(&[
                ("name", ""),
                ("sector", "goverment"),
                ("interests", &"あ".repeat(41)),
                ("links.website", "http://example.org"),
                ("joined", "2026-11-25"),
                ("password", "x"),
            ]),
            "x",
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            ["interests", "links.website", "name", "password", "sector"]
        );
        assert_eq!(errors["name"], ["missing required field `name`"]);
        assert_eq!(
            errors["links.website"],
            ["`website` must be an https:// address"]
        );
    }
}
