//! The search's words: one normalization and one tokenization for the index the build writes
//! and for the queries typed in the browser (themes/default/static/js/search-tokens.js
//! implements the same rules; tests/tests/end_to_end/search_tokens.rs runs both on the same sentences).
//!
//! Normalization: NFKC (ＡＩ is AI, ｶﾅ is カナ), lower case, katakana folded to hiragana
//! (ヤマダ is やまだ), small kana to their full size (ぁ is あ, っ is つ). The long vowel mark
//! ー stays a kana. Tokens: over a run of Japanese script (kana, kanji, ー, 々), every pair of
//! neighbours and the run's last character (so 防災 is 防災 and 災; 防 alone is 防); over a
//! run of Latin letters and digits, the word. Every character of a run is the first of a token,
//! so a query of one character finds it among the tokens that start with it, and a longer
//! query finds it by its pairs.

use unicode_normalization::UnicodeNormalization;

/// The text as both sides compare it.
///
/// NFKC is the slow part of indexing, and most characters of Japanese text are left alone by
/// it, so only the stretches that hold another character go through it: a stretch starts at a
/// character [`is_stable`] (which never composes with what precedes it, so NFKC of the whole
/// is NFKC of the stretches), and a stable character followed by one that is not is kept with
/// it (か and a combining ゙ become が).
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    each_normalized(text, |c| out.push(c));
    out
}

/// Calls `emit` with each character of [`normalize`]`(text)`, making no string.
pub fn each_normalized(text: &str, mut emit: impl FnMut(char)) {
    let mut stretch: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if is_stable(c) {
            if let Some(start) = stretch.take() {
                normalize_stretch(&text[start..at], &mut emit);
            }
            if chars.peek().is_none_or(|(_, next)| is_stable(*next)) {
                emit(fold_kana(c.to_ascii_lowercase()));
            } else {
                stretch = Some(at);
            }
        } else if stretch.is_none() {
            stretch = Some(at);
        }
    }
    if let Some(start) = stretch {
        normalize_stretch(&text[start..], &mut emit);
    }
}

/// The rule itself, for any text: NFKC, lower case letter by letter, kana folded.
fn normalize_stretch(text: &str, emit: &mut impl FnMut(char)) {
    for c in text.nfkc().flat_map(char::to_lowercase) {
        emit(fold_kana(c));
    }
}

/// Characters that NFKC leaves as they are and that never compose with the character before
/// them (NFKC quick check Yes, combining class 0), and whose lower case is themselves or
/// their ASCII lower case: most of a Japanese or English text.
fn is_stable(c: char) -> bool {
    matches!(c,
        '\0'..='\u{7F}'
        | '\u{3001}' | '\u{3002}' // 、。
        | '\u{300C}'..='\u{300F}' // 「」『』
        | '\u{3041}'..='\u{3096}' // hiragana
        | '\u{30A1}'..='\u{30F6}' // katakana
        | '\u{30FC}' // ー
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
    )
}

/// Katakana to hiragana, small kana to full size.
fn fold_kana(c: char) -> char {
    let c = match c {
        // ァ..ヶ: the katakana with a hiragana twin, 0x60 below.
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    };
    match c {
        'ぁ' => 'あ',
        'ぃ' => 'い',
        'ぅ' => 'う',
        'ぇ' => 'え',
        'ぉ' => 'お',
        'っ' => 'つ',
        'ゃ' => 'や',
        'ゅ' => 'ゆ',
        'ょ' => 'よ',
        'ゎ' => 'わ',
        'ゕ' => 'か',
        'ゖ' => 'け',
        other => other,
    }
}

/// Whether `c` (normalized) is written in Japanese script.
pub fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3041}'..='\u{3096}' // hiragana
        | '\u{30FC}' // ー
        | '\u{3005}' // 々
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{3400}'..='\u{4DBF}' // extension A
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
    )
}

/// The tokens of `text`, in order, repeated as often as they occur.
pub fn tokens(text: &str) -> Vec<String> {
    let normalized = normalize(text);
    let mut out = Vec::new();
    let mut japanese: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_japanese = |run: &mut Vec<char>, out: &mut Vec<String>| {
        out.extend(run.windows(2).map(|pair| pair.iter().collect::<String>()));
        out.extend(run.last().map(char::to_string));
        run.clear();
    };
    for c in normalized.chars() {
        if is_japanese(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            japanese.push(c);
        } else if c.is_alphanumeric() {
            flush_japanese(&mut japanese, &mut out);
            word.push(c);
        } else {
            flush_japanese(&mut japanese, &mut out);
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    flush_japanese(&mut japanese, &mut out);
    if !word.is_empty() {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_cases_and_kana_are_folded_alike() {
        assert_eq!(normalize("ＡＩとＤＸ"), "aiとdx");
        assert_eq!(normalize("ｶﾅ"), "かな");
        assert_eq!(normalize("ヤマダ"), normalize("やまだ"));
        assert_eq!(normalize("キャッシュ"), "きやつしゆ");
        assert_eq!(normalize("データ"), "でーた");
    }

    /// The rule without the shortcut of [`normalize`].
    fn normalize_slowly(text: &str) -> String {
        let mut out = String::new();
        normalize_stretch(text, &mut |c| out.push(c));
        out
    }

    #[test]
    fn the_shortcut_gives_what_nfkc_of_the_whole_text_gives() {
        // Every character of the Basic Multilingual Plane, alone, between stable characters,
        // and before the marks that compose with what precedes them.
        let marks = [
            '\u{3099}', '\u{309A}', '\u{0301}', '\u{FF9E}', '\u{FF9F}', 'ｶ', 'a',
        ];
        for code in 0..=0xFFFF_u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let mut texts = vec![c.to_string(), format!("か{c}a"), format!("A{c}字")];
            texts.extend(marks.iter().map(|m| format!("{c}{m}")));
            texts.extend(marks.iter().map(|m| format!("{m}{c}ﾞ")));
            for text in texts {
                assert_eq!(
                    normalize(&text),
                    normalize_slowly(&text),
                    "{text:?} ({code:#X})"
                );
            }
        }
    }

    #[test]
    fn japanese_runs_give_characters_and_pairs_latin_runs_words() {
        assert_eq!(tokens("防災"), ["防災", "災"]);
        assert_eq!(tokens("防"), ["防"]);
        assert_eq!(tokens("DX推進 2026年"), ["dx", "推進", "進", "2026", "年"]);
        assert_eq!(tokens("山田　花子"), ["山田", "田", "花子", "子"]);
        assert_eq!(tokens("地域の防災"), ["地域", "域の", "の防", "防災", "災"]);
        assert_eq!(tokens("Open-Data"), ["open", "data"]);
        assert!(tokens("、。！？").is_empty());
    }

    #[test]
    fn a_reading_typed_in_either_kana_gives_the_same_tokens() {
        assert_eq!(tokens("サトウ"), tokens("さとう"));
        assert_eq!(tokens("ｻﾄｳ ｹﾝﾀ"), tokens("さとう けんた"));
    }
}
