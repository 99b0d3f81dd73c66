//! The 47 prefectures in JIS X 0401 order, with their slugs, names and regions.

use crate::fields::Choice;

/// A prefecture, identified by its JIS X 0401 code (1..=47).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefecture(u8);

struct Row {
    slug: &'static str,
    ja: &'static str,
    en: &'static str,
    region: Region,
}

/// The eight customary regions, used to group the prefecture index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    Hokkaido,
    Tohoku,
    Kanto,
    Chubu,
    Kinki,
    Chugoku,
    Shikoku,
    KyushuOkinawa,
}

impl Region {
    pub const ALL: [Region; 8] = [
        Region::Hokkaido,
        Region::Tohoku,
        Region::Kanto,
        Region::Chubu,
        Region::Kinki,
        Region::Chugoku,
        Region::Shikoku,
        Region::KyushuOkinawa,
    ];

    pub fn name_ja(self) -> &'static str {
        [
            "北海道",
            "東北",
            "関東",
            "中部",
            "近畿",
            "中国",
            "四国",
            "九州・沖縄",
        ][self as usize]
    }

    pub fn name_en(self) -> &'static str {
        [
            "Hokkaido",
            "Tohoku",
            "Kanto",
            "Chubu",
            "Kinki",
            "Chugoku",
            "Shikoku",
            "Kyushu & Okinawa",
        ][self as usize]
    }
}

macro_rules! rows {
    ($($slug:literal $ja:literal $en:literal $region:ident;)*) => {
        const ROWS: &[Row] = &[$(Row { slug: $slug, ja: $ja, en: $en, region: Region::$region }),*];
    };
}

rows! {
    "hokkaido" "北海道" "Hokkaido" Hokkaido;
    "aomori" "青森県" "Aomori" Tohoku;
    "iwate" "岩手県" "Iwate" Tohoku;
    "miyagi" "宮城県" "Miyagi" Tohoku;
    "akita" "秋田県" "Akita" Tohoku;
    "yamagata" "山形県" "Yamagata" Tohoku;
    "fukushima" "福島県" "Fukushima" Tohoku;
    "ibaraki" "茨城県" "Ibaraki" Kanto;
    "tochigi" "栃木県" "Tochigi" Kanto;
    "gunma" "群馬県" "Gunma" Kanto;
    "saitama" "埼玉県" "Saitama" Kanto;
    "chiba" "千葉県" "Chiba" Kanto;
    "tokyo" "東京都" "Tokyo" Kanto;
    "kanagawa" "神奈川県" "Kanagawa" Kanto;
    "niigata" "新潟県" "Niigata" Chubu;
    "toyama" "富山県" "Toyama" Chubu;
    "ishikawa" "石川県" "Ishikawa" Chubu;
    "fukui" "福井県" "Fukui" Chubu;
    "yamanashi" "山梨県" "Yamanashi" Chubu;
    "nagano" "長野県" "Nagano" Chubu;
    "gifu" "岐阜県" "Gifu" Chubu;
    "shizuoka" "静岡県" "Shizuoka" Chubu;
    "aichi" "愛知県" "Aichi" Chubu;
    "mie" "三重県" "Mie" Kinki;
    "shiga" "滋賀県" "Shiga" Kinki;
    "kyoto" "京都府" "Kyoto" Kinki;
    "osaka" "大阪府" "Osaka" Kinki;
    "hyogo" "兵庫県" "Hyogo" Kinki;
    "nara" "奈良県" "Nara" Kinki;
    "wakayama" "和歌山県" "Wakayama" Kinki;
    "tottori" "鳥取県" "Tottori" Chugoku;
    "shimane" "島根県" "Shimane" Chugoku;
    "okayama" "岡山県" "Okayama" Chugoku;
    "hiroshima" "広島県" "Hiroshima" Chugoku;
    "yamaguchi" "山口県" "Yamaguchi" Chugoku;
    "tokushima" "徳島県" "Tokushima" Shikoku;
    "kagawa" "香川県" "Kagawa" Shikoku;
    "ehime" "愛媛県" "Ehime" Shikoku;
    "kochi" "高知県" "Kochi" Shikoku;
    "fukuoka" "福岡県" "Fukuoka" KyushuOkinawa;
    "saga" "佐賀県" "Saga" KyushuOkinawa;
    "nagasaki" "長崎県" "Nagasaki" KyushuOkinawa;
    "kumamoto" "熊本県" "Kumamoto" KyushuOkinawa;
    "oita" "大分県" "Oita" KyushuOkinawa;
    "miyazaki" "宮崎県" "Miyazaki" KyushuOkinawa;
    "kagoshima" "鹿児島県" "Kagoshima" KyushuOkinawa;
    "okinawa" "沖縄県" "Okinawa" KyushuOkinawa;
}

const ALL: [Prefecture; 47] = {
    let mut all = [Prefecture(1); 47];
    let mut i = 0;
    while i < 47 {
        all[i] = Prefecture(i as u8 + 1);
        i += 1;
    }
    all
};

impl Prefecture {
    /// The JIS X 0401 code, 1 (Hokkaido) to 47 (Okinawa).
    pub fn code(self) -> u8 {
        self.0
    }

    fn row(self) -> &'static Row {
        &ROWS[usize::from(self.0) - 1]
    }

    /// The full Japanese name, e.g. 神奈川県.
    pub fn name_ja(self) -> &'static str {
        self.row().ja
    }

    pub fn name_en(self) -> &'static str {
        self.row().en
    }

    pub fn region(self) -> Region {
        self.row().region
    }
}

impl Choice for Prefecture {
    fn all() -> &'static [Self] {
        &ALL
    }

    fn slug(self) -> &'static str {
        self.row().slug
    }

    fn aliases(self) -> &'static [&'static str] {
        // The full name; the reader also accepts it without its 都/府/県 suffix.
        std::slice::from_ref(&ROWS[usize::from(self.0) - 1].ja)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_jis_order() {
        assert_eq!(
            Prefecture::from_slug("hokkaido").map(Prefecture::code),
            Some(1)
        );
        assert_eq!(
            Prefecture::from_slug("kanagawa").map(Prefecture::code),
            Some(14)
        );
        assert_eq!(
            Prefecture::from_slug("okinawa").map(Prefecture::code),
            Some(47)
        );
        assert_eq!(Prefecture::all().len(), 47);
    }

    #[test]
    fn names_and_regions() {
        let kanagawa = Prefecture::from_slug("kanagawa").unwrap();
        assert_eq!(kanagawa.name_ja(), "神奈川県");
        assert_eq!(kanagawa.region(), Region::Kanto);
    }
}
