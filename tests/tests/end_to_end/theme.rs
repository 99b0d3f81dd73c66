//! The default theme is complete in both languages.

use std::collections::BTreeMap;

/// The translation files are flat `key: text` maps.
fn strings(language: &str) -> BTreeMap<String, String> {
    let path = portal_tests::root().join(format!("themes/default/i18n/{language}.yaml"));
    let text = std::fs::read_to_string(&path).expect("translation file");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect()
}

/// The keys a template reads as `t.key`.
fn keys_used(template: &str) -> Vec<String> {
    let bytes = template.as_bytes();
    let mut keys = Vec::new();
    for (at, _) in template.match_indices("t.") {
        let starts_word = at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric() || matches!(bytes[at - 1], b'_' | b'.'));
        if starts_word {
            let key: String = template[at + 2..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            keys.push(key);
        }
    }
    keys
}

#[test]
fn japanese_and_english_have_the_same_keys() {
    let ja: Vec<String> = strings("ja").into_keys().collect();
    let en: Vec<String> = strings("en").into_keys().collect();
    assert!(ja.len() > 50);
    assert_eq!(ja, en);
}

#[test]
fn every_key_the_templates_use_exists() {
    let ja = strings("ja");
    let dir = portal_tests::root().join("themes/default/templates");
    let mut used = 0;
    let mut missing = Vec::new();
    for path in portal_tests::files(&dir) {
        let text = std::fs::read_to_string(dir.join(&path)).expect("template");
        for key in keys_used(&text) {
            used += 1;
            if !ja.contains_key(&key) {
                missing.push(format!("{path}: t.{key}"));
            }
        }
    }
    assert!(used > 50, "the scan finds the keys");
    assert!(missing.is_empty(), "{missing:?}");
    assert_eq!(
        keys_used("{{ t.members }} {{ event.title }} {{ site.t.x }}"),
        ["members"]
    );
}
