//! The fields of the join form (and of the profile update form), rendered once: the site's
//! `/join/` page gets them from the build, and the functions, when they show a refused form
//! again, get the same fields with what was written and why it was refused. A field added to
//! [`crate::member::MEMBER_SCHEMA`] and here appears in both, with the same limits.

use crate::fields::Choice;
use crate::member::{self, Introductions, LINK_KINDS};
use crate::profile::{FieldErrors, FormFields, MAX_SUBMITTED_BIO_CHARS};
use crate::text::escape_html as escape;
use crate::{Language, Prefecture, Sector};

/// The longest web address a link field takes.
pub const MAX_LINK_CHARS: usize = 2000;
/// The longest e-mail address (RFC 5321).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The photo's largest size in bytes, checked by the site's script before sending (the
/// functions check it again).
pub const MAX_PHOTO_BYTES: usize = 4 * 1024 * 1024;

/// What the fields show.
pub struct JoinFields<'a> {
    /// The UI's words by key (the theme's `join_*` and `link_*` strings).
    pub words: &'a dyn Fn(&str) -> String,
    pub language: Language,
    /// What was written (empty on the site's page).
    pub values: &'a FormFields,
    /// Why fields were refused, by field name (empty on the site's page).
    pub errors: &'a FieldErrors,
    /// The form's signed stamp (empty on the site's page: its script fetches one).
    pub form_token: &'a str,
    /// Editing a published profile: the mailed link's token, sent back with the form. An
    /// update asks for no address and no consent: the link proved both.
    pub edit_token: Option<&'a str>,
    /// The button's words.
    pub submit: &'a str,
}

impl JoinFields<'_> {
    /// The fields, hidden inputs and button, as HTML to put inside the `<form>`.
    pub fn render(&self) -> String {
        let w = self.words;
        let mut out = String::new();
        out.push_str(&self.input(
            "name",
            &w("join_name"),
            "text",
            &format!(
                " required maxlength=\"{}\" autocomplete=\"name\"",
                member::NAME.max_chars
            ),
            None,
        ));
        out.push_str(&self.input(
            "kana",
            &w("join_kana"),
            "text",
            &format!(" maxlength=\"{}\"", member::KANA.max_chars),
            Some(&w("join_kana_hint")),
        ));
        let ja = self.language == Language::Ja;
        let sector_name = if ja { Sector::name_ja } else { Sector::name_en };
        out.push_str(&self.select(
            "sector",
            &w("join_sector"),
            Sector::all(),
            sector_name,
            true,
        ));
        out.push_str(&self.input(
            "organization",
            &w("join_organization"),
            "text",
            &format!(
                " maxlength=\"{}\" autocomplete=\"organization\"",
                member::ORGANIZATION.max_chars
            ),
            None,
        ));
        out.push_str(&self.input(
            "role",
            &w("join_role"),
            "text",
            &format!(" maxlength=\"{}\"", member::ROLE.max_chars),
            None,
        ));
        let prefecture_name = if ja {
            Prefecture::name_ja
        } else {
            Prefecture::name_en
        };
        out.push_str(&self.select(
            "prefecture",
            &w("join_prefecture"),
            Prefecture::all(),
            prefecture_name,
            false,
        ));
        out.push_str(&self.textarea(
            "interests",
            &w("join_interests"),
            &format!(" rows=\"4\" data-max-lines=\"{}\"", member::MAX_TAGS),
            &w("join_interests_hint"),
        ));
        out.push_str(&format!(
            "    <fieldset class=\"field links-fieldset\">\n      <legend>{}</legend>\n",
            escape(&w("join_links"))
        ));
        for kind in LINK_KINDS {
            let name = format!("links.{kind}");
            let (aria, error) = self.error(&name, None);
            out.push_str(&format!(
                "      <p class=\"field\"><label for=\"join-link-{kind}\">{}</label> <input id=\"join-link-{kind}\" name=\"{name}\" type=\"url\" maxlength=\"{MAX_LINK_CHARS}\" placeholder=\"https://\" value=\"{}\"{aria}></p>\n{error}",
                escape(&w(&format!("link_{kind}"))),
                self.value(&name),
            ));
        }
        out.push_str("    </fieldset>\n");
        out.push_str(&self.introductions());
        out.push_str(&self.textarea(
            "bio",
            &w("join_bio"),
            &format!(" rows=\"8\" maxlength=\"{MAX_SUBMITTED_BIO_CHARS}\""),
            &w("join_bio_hint"),
        ));
        let (aria, error) = self.error("photo", Some("join-photo-hint"));
        out.push_str(&format!(
            "    <p class=\"field\"><label for=\"join-photo\">{}</label> <input id=\"join-photo\" name=\"photo\" type=\"file\" accept=\"image/jpeg,image/png,image/webp\" data-max-bytes=\"{MAX_PHOTO_BYTES}\"{aria}> <small id=\"join-photo-hint\">{}</small></p>\n{error}",
            escape(&w("join_photo")),
            escape(&w("join_photo_hint")),
        ));
        if self.edit_token.is_none() {
            out.push_str(&self.input(
                "email",
                &w("join_email"),
                "email",
                &format!(" required maxlength=\"{MAX_EMAIL_CHARS}\" autocomplete=\"email\""),
                None,
            ));
            let (aria, error) = self.error("consent", None);
            let ticked = self
                .values
                .get("consent")
                .is_some_and(|v| !v.trim().is_empty());
            let checked = if ticked { " checked" } else { "" };
            out.push_str(&format!(
                "    <p class=\"field\"><input id=\"join-consent\" name=\"consent\" type=\"checkbox\" value=\"yes\" required{checked}{aria}> <label class=\"inline\" for=\"join-consent\">{}</label></p>\n{error}",
                escape(&w("join_consent")),
            ));
            out.push_str(&format!(
                "    <p class=\"field\" hidden><label for=\"join-homepage\">{}</label> <input id=\"join-homepage\" name=\"homepage\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\"></p>\n",
                escape(&w("join_honeypot")),
            ));
        }
        out.push_str(&format!(
            "    <input type=\"hidden\" name=\"form_token\" value=\"{}\">\n",
            escape(self.form_token)
        ));
        if let Some(token) = self.edit_token {
            out.push_str(&format!(
                "    <input type=\"hidden\" name=\"token\" value=\"{}\">\n",
                escape(token)
            ));
        }
        out.push_str(&format!(
            "    <p><button class=\"button\" type=\"submit\">{}</button></p>\n",
            escape(self.submit)
        ));
        out
    }

    /// Whether the member takes introduction requests: asked every time, nothing chosen in
    /// advance (an update shows what the profile says).
    fn introductions(&self) -> String {
        let w = self.words;
        let name = member::INTRODUCTIONS.name;
        let id = field_id(name);
        let hint_id = format!("{id}-hint");
        let (aria, error) = self.error(name, Some(&hint_id));
        let chosen = self.values.get(name).map(String::as_str).unwrap_or("");
        let mut out = format!(
            "    <p class=\"field\"><label for=\"{id}\">{}</label> <select id=\"{id}\" name=\"{name}\" required{aria}>\n      <option value=\"\">{}</option>\n",
            escape(&w("join_introductions")),
            escape(&w("join_choose")),
        );
        for &choice in Introductions::all() {
            let selected = if choice.slug() == chosen {
                " selected"
            } else {
                ""
            };
            out.push_str(&format!(
                "      <option value=\"{}\"{selected}>{}</option>\n",
                choice.slug(),
                escape(&w(&format!("join_introductions_{}", choice.slug()))),
            ));
        }
        out.push_str(&format!(
            "    </select> <small id=\"{hint_id}\">{}</small></p>\n{error}",
            escape(&w("join_introductions_hint"))
        ));
        out
    }

    fn value(&self, name: &str) -> String {
        escape(self.values.get(name).map(String::as_str).unwrap_or(""))
    }

    /// The `aria-invalid` and `aria-describedby` attributes of a field (its hint, and its
    /// errors if it has any) and the paragraph of its errors.
    fn error(&self, name: &str, hint: Option<&str>) -> (String, String) {
        let described = |ids: &str| format!(" aria-describedby=\"{ids}\"");
        match self.errors.get(name).filter(|m| !m.is_empty()) {
            Some(messages) => {
                let id = format!("{}-error", field_id(name));
                let text: Vec<String> = messages.iter().map(|m| escape(m)).collect();
                let ids = hint.map_or_else(|| id.clone(), |hint| format!("{hint} {id}"));
                (
                    format!(" aria-invalid=\"true\"{}", described(&ids)),
                    format!(
                        "    <p class=\"error\" id=\"{id}\">{}</p>\n",
                        text.join("<br>")
                    ),
                )
            }
            None => (hint.map(described).unwrap_or_default(), String::new()),
        }
    }

    fn input(
        &self,
        name: &str,
        label: &str,
        kind: &str,
        extra: &str,
        hint: Option<&str>,
    ) -> String {
        let id = field_id(name);
        let hint_id = format!("{id}-hint");
        let (aria, error) = self.error(name, hint.map(|_| hint_id.as_str()));
        let hint = hint.map_or_else(String::new, |text| {
            format!(" <small id=\"{hint_id}\">{}</small>", escape(text))
        });
        format!(
            "    <p class=\"field\"><label for=\"{id}\">{}</label> <input id=\"{id}\" name=\"{name}\" type=\"{kind}\"{extra} value=\"{}\"{aria}>{hint}</p>\n{error}",
            escape(label),
            self.value(name),
        )
    }

    fn textarea(&self, name: &str, label: &str, extra: &str, hint: &str) -> String {
        let id = field_id(name);
        let hint_id = format!("{id}-hint");
        let (aria, error) = self.error(name, Some(&hint_id));
        format!(
            "    <p class=\"field\"><label for=\"{id}\">{}</label> <textarea id=\"{id}\" name=\"{name}\"{extra}{aria}>{}</textarea> <small id=\"{hint_id}\">{}</small></p>\n{error}",
            escape(label),
            self.value(name),
            escape(hint),
        )
    }

    fn select<C: Choice>(
        &self,
        name: &str,
        label: &str,
        options: &[C],
        option_name: fn(C) -> &'static str,
        required: bool,
    ) -> String {
        let id = field_id(name);
        let (aria, error) = self.error(name, None);
        let chosen = self.values.get(name).map(String::as_str).unwrap_or("");
        let mut out = format!(
            "    <p class=\"field\"><label for=\"{id}\">{}</label> <select id=\"{id}\" name=\"{name}\"{}{aria}>\n      <option value=\"\">{}</option>\n",
            escape(label),
            if required { " required" } else { "" },
            escape(&(self.words)("join_choose")),
        );
        for &option in options {
            let selected = if option.slug() == chosen {
                " selected"
            } else {
                ""
            };
            out.push_str(&format!(
                "      <option value=\"{}\"{selected}>{}</option>\n",
                option.slug(),
                escape(option_name(option)),
            ));
        }
        out.push_str("    </select></p>\n");
        out.push_str(&error);
        out
    }
}

/// The element id of a field: `join-name`, `join-links-website`.
fn field_id(name: &str) -> String {
    format!("join-{}", name.replace('.', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(key: &str) -> String {
        format!("[{key}]")
    }

    #[test]
    fn refused_fields_show_what_was_written_and_why() {
        let values = FormFields::from([
            ("name".to_owned(), "<b>佐藤</b>".to_owned()),
            ("bio".to_owned(), "ベル\u{7}です".to_owned()),
            ("sector".to_owned(), "national-gov".to_owned()),
        ]);
        let errors = FieldErrors::from([("kana".to_owned(), vec!["ひらがなで".to_owned()])]);
        let html = JoinFields {
            words: &words,
            language: Language::Ja,
            values: &values,
            errors: &errors,
            form_token: "stamp",
            edit_token: None,
            submit: "登録する",
        }
        .render();
        assert!(html.contains("value=\"&lt;b&gt;佐藤&lt;/b&gt;\""));
        // No HTML may hold a control character: it is shown as U+FFFD, never sent back.
        assert!(html.contains(">ベル\u{FFFD}です</textarea>"));
        assert!(html.contains("<option value=\"national-gov\" selected>"));
        assert!(
            html.contains(
                "aria-invalid=\"true\" aria-describedby=\"join-kana-hint join-kana-error\""
            )
        );
        assert!(html.contains("<p class=\"error\" id=\"join-kana-error\">ひらがなで</p>"));
        assert!(html.contains(&format!("maxlength=\"{}\"", member::NAME.max_chars)));
        assert!(html.contains("name=\"form_token\" value=\"stamp\""));
        assert!(html.contains("name=\"consent\""));
    }

    #[test]
    fn an_update_asks_for_no_address_or_consent() {
        let html = JoinFields {
            words: &words,
            language: Language::Ja,
            values: &FormFields::new(),
            errors: &FieldErrors::new(),
            form_token: "",
            edit_token: Some("link"),
            submit: "更新を送る",
        }
        .render();
        assert!(!html.contains("name=\"email\""));
        assert!(!html.contains("name=\"consent\""));
        assert!(html.contains("name=\"token\" value=\"link\""));
    }
}
