//! Japanese 50-on (gojūon) ordering of names by their kana reading.

use std::cmp::Ordering;

/// The rows of the kana table that head a 50-on directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GojuonRow {
    A,
    Ka,
    Sa,
    Ta,
    Na,
    Ha,
    Ma,
    Ya,
    Ra,
    Wa,
    /// Names that begin with a Latin letter or digit.
    Latin,
    /// Names with no reading that begin with kanji or anything else.
    Other,
}

impl GojuonRow {
    pub fn label_ja(self) -> &'static str {
        [
            "あ行",
            "か行",
            "さ行",
            "た行",
            "な行",
            "は行",
            "ま行",
            "や行",
            "ら行",
            "わ行",
            "A–Z",
            "その他",
        ][self as usize]
    }

    pub fn label_en(self) -> &'static str {
        [
            "A", "Ka", "Sa", "Ta", "Na", "Ha", "Ma", "Ya", "Ra", "Wa", "A–Z", "Other",
        ][self as usize]
    }

    /// An ASCII id for anchors.
    pub fn id(self) -> &'static str {
        [
            "a", "ka", "sa", "ta", "na", "ha", "ma", "ya", "ra", "wa", "latin", "other",
        ][self as usize]
    }
}

/// How a name sorts in a 50-on directory: by the seion form of its reading (voicing marks and
/// small kana folded, as Japanese dictionaries do), then by the exact reading, then by the
/// display name. Katakana and hiragana sort alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingKey {
    row: GojuonRow,
    primary: String,
    secondary: String,
    name: String,
}

impl ReadingKey {
    /// `reading` is the kana when given, else the display name.
    pub fn new(reading: &str, name: &str) -> Self {
        let hiragana: String = reading.chars().filter_map(to_hiragana).collect();
        let primary = fold_to_seion(&hiragana);
        let row = primary.chars().next().map_or(GojuonRow::Other, row_of);
        ReadingKey {
            row,
            primary,
            secondary: hiragana,
            name: name.to_owned(),
        }
    }

    pub fn row(&self) -> GojuonRow {
        self.row
    }
}

impl Ord for ReadingKey {
    fn cmp(&self, other: &Self) -> Ordering {
        (
            self.row == GojuonRow::Other,
            &self.primary,
            &self.secondary,
            &self.name,
        )
            .cmp(&(
                other.row == GojuonRow::Other,
                &other.primary,
                &other.secondary,
                &other.name,
            ))
    }
}

impl PartialOrd for ReadingKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Katakana to hiragana, Latin to lowercase; separators dropped.
fn to_hiragana(c: char) -> Option<char> {
    match c {
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60),
        // Half-width and full-width Latin and digits fold to ASCII lowercase.
        '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' | '\u{FF10}'..='\u{FF19}' => {
            char::from_u32(c as u32 - 0xFEE0).map(|c| c.to_ascii_lowercase())
        }
        ' ' | '\u{3000}' | '・' | '･' | '-' | '_' | '.' => None,
        c => Some(c.to_ascii_lowercase()),
    }
}

/// Folds dakuten, handakuten and small kana, and reads the long-vowel mark as the vowel it lengthens.
fn fold_to_seion(hiragana: &str) -> String {
    let mut out = String::with_capacity(hiragana.len());
    for c in hiragana.chars() {
        let folded = match c {
            'ー' => out.chars().last().and_then(vowel_of).unwrap_or('ー'),
            c => seion(c),
        };
        out.push(folded);
    }
    out
}

fn seion(c: char) -> char {
    const VOICED: &str = "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽゔぁぃぅぇぉっゃゅょゎ";
    const PLAIN: &str = "かきくけこさしすせそたちつてとはひふへほはひふへほうあいうえおつやゆよわ";
    match VOICED.chars().position(|v| v == c) {
        Some(i) => PLAIN.chars().nth(i).unwrap_or(c),
        None => c,
    }
}

fn vowel_of(c: char) -> Option<char> {
    const ROWS: [(&str, char); 5] = [
        ("あかさたなはまやらわ", 'あ'),
        ("いきしちにひみり", 'い'),
        ("うくすつぬふむゆる", 'う'),
        ("えけせてねへめれ", 'え'),
        ("おこそとのほもよろを", 'お'),
    ];
    ROWS.iter()
        .find(|(row, _)| row.contains(c))
        .map(|(_, v)| *v)
}

fn row_of(c: char) -> GojuonRow {
    const TABLE: [(&str, GojuonRow); 10] = [
        ("あいうえお", GojuonRow::A),
        ("かきくけこ", GojuonRow::Ka),
        ("さしすせそ", GojuonRow::Sa),
        ("たちつてと", GojuonRow::Ta),
        ("なにぬねの", GojuonRow::Na),
        ("はひふへほ", GojuonRow::Ha),
        ("まみむめも", GojuonRow::Ma),
        ("やゆよ", GojuonRow::Ya),
        ("らりるれろ", GojuonRow::Ra),
        ("わゐゑをん", GojuonRow::Wa),
    ];
    if c.is_ascii_alphanumeric() {
        return GojuonRow::Latin;
    }
    TABLE
        .iter()
        .find(|(kana, _)| kana.contains(c))
        .map_or(GojuonRow::Other, |(_, row)| *row)
}

/// Hepburn romaji of a kana reading, for proposing slugs: `やまだ はなこ` -> `yamada hanako`.
/// Characters that are not kana pass through lowercased; small っ doubles the next consonant.
pub fn romanize(reading: &str) -> String {
    let hiragana: Vec<char> = reading
        .chars()
        .map(|c| to_hiragana(c).unwrap_or(' '))
        .collect();
    let mut out = String::new();
    let mut double_next = false;
    let mut i = 0;
    while i < hiragana.len() {
        let c = hiragana[i];
        let pair: String = hiragana[i..(i + 2).min(hiragana.len())].iter().collect();
        let (syllable, used) = match digraph(&pair) {
            Some(s) => (s.to_owned(), 2),
            None => match c {
                'っ' => {
                    double_next = true;
                    i += 1;
                    continue;
                }
                'ー' => (String::new(), 1),
                'ん' => {
                    // ん before a vowel or y is written n' in Hepburn; a slug just keeps n.
                    ("n".to_owned(), 1)
                }
                c => (mora(c).map_or_else(|| c.to_string(), str::to_owned), 1),
            },
        };
        if double_next {
            if let Some(first) = syllable
                .chars()
                .next()
                .filter(|f| f.is_ascii_alphabetic() && !"aeiou".contains(*f))
            {
                out.push(if syllable.starts_with("ch") {
                    't'
                } else {
                    first
                });
            }
            double_next = false;
        }
        out.push_str(&syllable);
        i += used;
    }
    out
}

fn digraph(pair: &str) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("きゃ", "kya"),
        ("きゅ", "kyu"),
        ("きょ", "kyo"),
        ("しゃ", "sha"),
        ("しゅ", "shu"),
        ("しょ", "sho"),
        ("ちゃ", "cha"),
        ("ちゅ", "chu"),
        ("ちょ", "cho"),
        ("にゃ", "nya"),
        ("にゅ", "nyu"),
        ("にょ", "nyo"),
        ("ひゃ", "hya"),
        ("ひゅ", "hyu"),
        ("ひょ", "hyo"),
        ("みゃ", "mya"),
        ("みゅ", "myu"),
        ("みょ", "myo"),
        ("りゃ", "rya"),
        ("りゅ", "ryu"),
        ("りょ", "ryo"),
        ("ぎゃ", "gya"),
        ("ぎゅ", "gyu"),
        ("ぎょ", "gyo"),
        ("じゃ", "ja"),
        ("じゅ", "ju"),
        ("じょ", "jo"),
        ("びゃ", "bya"),
        ("びゅ", "byu"),
        ("びょ", "byo"),
        ("ぴゃ", "pya"),
        ("ぴゅ", "pyu"),
        ("ぴょ", "pyo"),
        ("ふぁ", "fa"),
        ("ふぃ", "fi"),
        ("ふぇ", "fe"),
        ("ふぉ", "fo"),
        ("てぃ", "ti"),
        ("でぃ", "di"),
        ("うぃ", "wi"),
        ("うぇ", "we"),
        ("ゔぁ", "va"),
        ("しぇ", "she"),
        ("じぇ", "je"),
        ("ちぇ", "che"),
    ];
    TABLE
        .iter()
        .find(|(kana, _)| *kana == pair)
        .map(|(_, romaji)| *romaji)
}

fn mora(c: char) -> Option<&'static str> {
    const KANA: &str = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをがぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽぁぃぅぇぉゃゅょゔゐゑ";
    const ROMAJI: [&str; 76] = [
        "a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta",
        "chi", "tsu", "te", "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma",
        "mi", "mu", "me", "mo", "ya", "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa", "o", "ga",
        "gi", "gu", "ge", "go", "za", "ji", "zu", "ze", "zo", "da", "ji", "zu", "de", "do", "ba",
        "bi", "bu", "be", "bo", "pa", "pi", "pu", "pe", "po", "a", "i", "u", "e", "o", "ya",
    ];
    const SMALL_AND_RARE: [&str; 5] = ["yu", "yo", "vu", "i", "e"];
    let index = KANA.chars().position(|k| k == c)?;
    ROMAJI
        .get(index)
        .or_else(|| SMALL_AND_RARE.get(index - ROMAJI.len()))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[(&str, &str)]) -> Vec<String> {
        let mut keys: Vec<ReadingKey> = names
            .iter()
            .map(|(reading, name)| ReadingKey::new(reading, name))
            .collect();
        keys.sort();
        keys.into_iter().map(|k| k.name).collect()
    }

    #[test]
    fn orders_by_gojuon_not_by_code_point() {
        // By code point, カ (katakana) would sort after all hiragana.
        let names = sorted(&[
            ("さとう", "佐藤"),
            ("カトウ", "加藤"),
            ("あべ", "阿部"),
            ("わたなべ", "渡辺"),
        ]);
        assert_eq!(names, ["阿部", "加藤", "佐藤", "渡辺"]);
    }

    #[test]
    fn voiced_sounds_sort_with_their_plain_forms() {
        // ご sorts as こ, so ごとう comes between こいけ and こんどう.
        let names = sorted(&[("こんどう", "近藤"), ("ごとう", "後藤"), ("こいけ", "小池")]);
        assert_eq!(names, ["小池", "後藤", "近藤"]);
        // A plain sound before its voiced twin when all else is equal.
        assert_eq!(
            sorted(&[("ばば", "馬場"), ("はは", "羽葉")]),
            ["羽葉", "馬場"]
        );
    }

    #[test]
    fn small_kana_and_long_vowels_fold() {
        assert_eq!(ReadingKey::new("キョウコ", "x").primary, "きようこ");
        assert_eq!(ReadingKey::new("ユーコ", "x").primary, "ゆうこ");
    }

    #[test]
    fn names_without_kana_go_last_unless_latin() {
        let names = sorted(&[("山田", "山田"), ("Smith", "Smith"), ("いとう", "伊藤")]);
        assert_eq!(names, ["Smith", "伊藤", "山田"]);
    }

    #[test]
    fn romanizes_readings_for_slugs() {
        assert_eq!(romanize("やまだ はなこ"), "yamada hanako");
        assert_eq!(romanize("サトウ ケンタ"), "satou kenta");
        assert_eq!(romanize("きっかわ しょうた"), "kikkawa shouta");
        assert_eq!(romanize("まっちゃ"), "matcha");
        assert_eq!(romanize("じゅんいち"), "junichi");
        assert_eq!(romanize("エミリー"), "emiri");
        assert_eq!(romanize("ふじ"), "fuji");
    }

    #[test]
    fn rows() {
        assert_eq!(ReadingKey::new("がくと", "").row(), GojuonRow::Ka);
        assert_eq!(ReadingKey::new("ヤマダ", "").row(), GojuonRow::Ya);
        assert_eq!(ReadingKey::new("をの", "").row(), GojuonRow::Wa);
        assert_eq!(ReadingKey::new("Bob", "").row(), GojuonRow::Latin);
        assert_eq!(ReadingKey::new("山田", "").row(), GojuonRow::Other);
    }
}
