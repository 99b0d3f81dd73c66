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
    fn rows() {
        assert_eq!(ReadingKey::new("がくと", "").row(), GojuonRow::Ka);
        assert_eq!(ReadingKey::new("ヤマダ", "").row(), GojuonRow::Ya);
        assert_eq!(ReadingKey::new("をの", "").row(), GojuonRow::Wa);
        assert_eq!(ReadingKey::new("Bob", "").row(), GojuonRow::Latin);
        assert_eq!(ReadingKey::new("山田", "").row(), GojuonRow::Other);
    }
}
