//! The functions' own words for the problems of a form, from their translation file
//! (`functions/i18n/ja.yaml`), keyed by each problem's stable key: a field the model refuses
//! is explained in Japanese beside its input, whatever the model's English says.

use std::collections::HashMap;
use std::sync::OnceLock;

use model::Diagnostic;

const JAPANESE: &str = include_str!("../i18n/ja.yaml");
/// The site's own words (the default theme's), for the forms the functions show again: the
/// same labels and hints as the site's pages.
const SITE_WORDS: &str = include_str!("../../themes/default/i18n/ja.yaml");

fn japanese_words() -> &'static HashMap<String, String> {
    static WORDS: OnceLock<HashMap<String, String>> = OnceLock::new();
    // The file is part of the build and read by the test below, so it parses; were it ever
    // broken, the model's English words would show rather than nothing.
    WORDS.get_or_init(|| serde_yaml::from_str(JAPANESE).unwrap_or_default())
}

fn site_words() -> &'static HashMap<String, String> {
    static WORDS: OnceLock<HashMap<String, String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let all: HashMap<String, serde_yaml::Value> =
            serde_yaml::from_str(SITE_WORDS).unwrap_or_default();
        (all.into_iter())
            .filter_map(|(key, value)| Some((key, value.as_str()?.to_owned())))
            .collect()
    })
}

/// One of the site's UI words by its key (`join_name`); the key itself if there is none.
pub fn ui(key: &str) -> String {
    site_words()
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

/// `problem` in the functions' Japanese words.
pub fn japanese(problem: &Diagnostic) -> String {
    problem.describe(|key| japanese_words().get(key).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_a_form_can_meet_has_japanese_words() {
        let words: HashMap<String, String> =
            serde_yaml::from_str(JAPANESE).expect("functions/i18n/ja.yaml parses");
        for key in model::PROBLEM_KEYS {
            assert!(
                words.contains_key(&format!("problem_{key}")),
                "functions/i18n/ja.yaml has no words for `{key}`"
            );
        }
        assert_eq!(
            words.len(),
            model::PROBLEM_KEYS.len(),
            "a word for no problem"
        );
    }

    #[test]
    fn the_forms_words_come_from_the_sites_translation() {
        assert_eq!(ui("join_name"), "名前（必須）");
        assert_eq!(ui("link_github"), "GitHub");
    }

    #[test]
    fn refused_fields_are_explained_in_japanese_with_their_values() {
        let fields = model::profile::FormFields::from([
            ("name".to_owned(), "あ".repeat(101)),
            ("kana".to_owned(), "yamada".to_owned()),
            ("sector".to_owned(), "local-govt".to_owned()),
            ("joined".to_owned(), "2026-11-01".to_owned()),
        ]);
        let errors =
            model::profile::check_submitted_profile(&fields, "m", &japanese).expect_err("refused");
        assert_eq!(
            errors["name"],
            ["100文字以内で入力してください（いまは101文字です）"]
        );
        assert_eq!(
            errors["kana"],
            ["ひらがなかカタカナで入力してください（例：やまだ はなこ）"]
        );
        assert_eq!(
            errors["sector"],
            ["「local-govt」は選べません。一覧から選んでください"]
        );
    }
}
