//! Slugs: the ASCII file-name slugs of content files, and readable URL segments for taxonomy terms.

use unicode_normalization::UnicodeNormalization;

/// Whether `slug` is a valid content slug: lowercase ASCII letters, digits and hyphens.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A valid slug close to `name` (lowercased, other characters turned into hyphens), if
/// anything of `name` survives; Japanese-only names leave nothing to suggest.
pub fn suggest_slug(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.nfkc() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    (!out.is_empty()).then_some(out)
}

/// The key under which a taxonomy term (an interest or tag) is grouped and the URL segment of
/// its page: NFKC-normalized (full-width Latin and half-width kana fold), Latin lowercased,
/// spaces turned into hyphens, and characters that have a meaning in URLs or file paths
/// replaced. Japanese stays Japanese: the URL is percent-encoded UTF-8, never a transliteration.
pub fn term_slug(term: &str) -> String {
    let mut out = String::new();
    for c in term.trim().nfkc().flat_map(char::to_lowercase) {
        let c = match c {
            c if c.is_whitespace() => '-',
            '/' | '\\' | '?' | '#' | '%' | '&' | '+' | ':' | '"' | '\'' | '<' | '>' | '|' | '*'
            | '.' => '-',
            c if c.is_control() => continue,
            c => c,
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "-".to_owned() } else { out }
}

/// The slug of a content file (its name without `.md`), or a diagnostic with a suggestion.
pub fn slug_of_file(file: &std::path::Path) -> Result<String, crate::Diagnostic> {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if is_valid_slug(&stem) {
        return Ok(stem);
    }
    let hint = match suggest_slug(&stem) {
        Some(suggestion) => format!("rename the file to `{suggestion}.md`"),
        None => {
            "rename the file with lowercase romaji, digits and hyphens, e.g. `yamada-hanako.md`"
                .to_owned()
        }
    };
    Err(crate::Diagnostic::for_file(
        file,
        format!("`{stem}` is not a valid slug: use only a-z, 0-9 and -"),
    )
    .with_hint(hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_slugs() {
        assert!(is_valid_slug("yamada-hanako"));
        assert!(is_valid_slug("event-2026"));
        assert!(!is_valid_slug("Yamada"));
        assert!(!is_valid_slug("山田"));
        assert!(!is_valid_slug("a_b"));
        assert!(!is_valid_slug(""));
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest_slug("Yamada Hanako").as_deref(),
            Some("yamada-hanako")
        );
        assert_eq!(
            suggest_slug("event_2026 (Tokyo)").as_deref(),
            Some("event-2026-tokyo")
        );
        assert_eq!(suggest_slug("ＡＢＣ").as_deref(), Some("abc"));
        assert_eq!(suggest_slug("山田"), None);
    }

    #[test]
    fn japanese_terms_stay_readable() {
        assert_eq!(term_slug("オープンデータ"), "オープンデータ");
        assert_eq!(term_slug("ｵｰﾌﾟﾝﾃﾞｰﾀ"), "オープンデータ");
        assert_eq!(term_slug("Open Data"), "open-data");
        assert_eq!(term_slug("ＤＸ推進"), "dx推進");
        assert_eq!(term_slug("AI/ML"), "ai-ml");
        assert_eq!(term_slug(" 防災 "), "防災");
        assert_eq!(term_slug(".."), "-");
    }
}
