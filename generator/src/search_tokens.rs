//! The search's words: one normalization and one tokenization for the index the build writes
//! and for the queries typed in the browser (themes/default/static/js/search-tokens.js
//! implements the same rules; tests/tests/search_tokens.rs runs both on the same sentences).
//!
//! Normalization: NFKC (ＡＩ is AI, ｶﾅ is カナ), lower case, katakana folded to hiragana
//! (ヤマダ is やまだ), small kana to their full size (ぁ is あ, っ is つ). The long vowel mark
//! ー stays a kana. Tokens: over a run of Japanese script (kana, kanji, ー, 々), every single
//! character and every pair of neighbours (so 防災 is 防, 災, 防災, and a query of any length
//! matches by its pairs); over a run of Latin letters and digits, the word.

use unicode_normalization::UnicodeNormalization;

/// The text as both sides compare it.
pub fn normalize(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .map(fold_kana)
        .collect()
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
        for (i, c) in run.iter().enumerate() {
            out.push(c.to_string());
            if let Some(next) = run.get(i + 1) {
                out.push([*c, *next].iter().collect());
            }
        }
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

    #[test]
    fn japanese_runs_give_characters_and_pairs_latin_runs_words() {
        assert_eq!(tokens("防災"), ["防", "防災", "災"]);
        assert_eq!(
            tokens("DX推進 2026年"),
            ["dx", "推", "推進", "進", "2026", "年"]
        );
        assert_eq!(
            tokens("山田　花子"),
            ["山", "山田", "田", "花", "花子", "子"]
        );
        assert_eq!(tokens("Open-Data"), ["open", "data"]);
        assert!(tokens("、。！？").is_empty());
    }

    #[test]
    fn a_reading_typed_in_either_kana_gives_the_same_tokens() {
        assert_eq!(tokens("サトウ"), tokens("さとう"));
        assert_eq!(tokens("ｻﾄｳ ｹﾝﾀ"), tokens("さとう けんた"));
    }
}
