//! Characters that change how text displays without being seen: bidirectional controls,
//! zero-width characters and other Unicode format characters (general category Cf). A name
//! that holds one can impersonate another or reverse the text around it, so one-line
//! fields refuse them. The zero-width joiner inside an emoji sequence (👩‍💻) is not refused,
//! nor are the tag characters of a subdivision flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿). Also here: text escaped for HTML
//! (`escape_html`), for the pages written without a template engine.

/// Unicode's format characters (general category Cf, Unicode 15).
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// Pictographs, dingbats and the pieces of emoji sequences (skin tones, variation selector 16).
fn is_emoji_part(c: char) -> bool {
    matches!(c,
        '\u{2190}'..='\u{21FF}' | '\u{2300}'..='\u{23FF}' | '\u{2460}'..='\u{27BF}'
        | '\u{2900}'..='\u{297F}' | '\u{2B00}'..='\u{2BFF}' | '\u{3030}' | '\u{303D}'
        | '\u{3297}' | '\u{3299}' | '\u{FE0F}' | '\u{1F000}'..='\u{1FAFF}')
}

/// The first hidden format character of `text`, if any.
pub fn hidden_format_char(text: &str) -> Option<char> {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !is_format(c) {
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let allowed = match c {
            // Joins two emoji into one (👩 + ZWJ + 💻).
            '\u{200D}' => before.is_some_and(is_emoji_part) && after.is_some_and(is_emoji_part),
            // Tag characters spell a subdivision after a black flag and end with CANCEL TAG.
            '\u{E0020}'..='\u{E007F}' => chars[..i]
                .iter()
                .rev()
                .find(|p| !matches!(p, '\u{E0020}'..='\u{E007F}'))
                .is_some_and(|&p| p == '\u{1F3F4}'),
            _ => false,
        };
        if !allowed {
            return Some(c);
        }
    }
    None
}

/// Text as HTML text or an attribute value: the five special characters escaped, and control
/// characters other than line breaks and tabs (which no HTML may hold) shown as U+FFFD.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidirectional_and_zero_width_characters_are_found() {
        assert_eq!(hidden_format_char("山田\u{202E}子花"), Some('\u{202E}'));
        assert_eq!(hidden_format_char("a\u{2067}b"), Some('\u{2067}'));
        assert_eq!(hidden_format_char("ad\u{200B}min"), Some('\u{200B}'));
        assert_eq!(hidden_format_char("\u{FEFF}name"), Some('\u{FEFF}'));
        assert_eq!(hidden_format_char("a\u{200D}b"), Some('\u{200D}'));
        assert_eq!(hidden_format_char("soft\u{00AD}hyphen"), Some('\u{00AD}'));
    }

    #[test]
    fn emoji_sequences_and_ordinary_text_pass() {
        assert_eq!(hidden_format_char("山田 花子 👩‍💻"), None);
        assert_eq!(hidden_format_char("👨‍👩‍👧"), None);
        assert_eq!(hidden_format_char("❤️‍🔥"), None);
        assert_eq!(
            hidden_format_char("🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"),
            None
        );
        assert_eq!(hidden_format_char("עברית and العربية"), None);
        assert_eq!(hidden_format_char("ｶﾀｶﾅ・ひらがな"), None);
    }
}
