//! Writes a synthetic content folder of N members and N/10 events in the contract format,
//! for benchmarks. Deterministic: the same N gives the same files.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use model::{Choice, Prefecture, Sector};

const SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("田中", "たなか"),
    ("伊藤", "いとう"),
    ("渡辺", "わたなべ"),
    ("山本", "やまもと"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山田", "やまだ"),
    ("佐々木", "ささき"),
    ("松本", "まつもと"),
    ("井上", "いのうえ"),
    ("木村", "きむら"),
    ("林", "はやし"),
    ("清水", "しみず"),
    ("森", "もり"),
    ("阿部", "あべ"),
];
const GIVEN: &[(&str, &str)] = &[
    ("花子", "はなこ"),
    ("太郎", "たろう"),
    ("陽菜", "ひな"),
    ("蓮", "れん"),
    ("美咲", "みさき"),
    ("大翔", "ひろと"),
    ("結衣", "ゆい"),
    ("悠真", "ゆうま"),
    ("葵", "あおい"),
    ("翔太", "しょうた"),
    ("さくら", "さくら"),
    ("健一", "けんいち"),
    ("由美", "ゆみ"),
    ("誠", "まこと"),
    ("直子", "なおこ"),
];
const INTERESTS: &[&str] = &[
    "オープンデータ",
    "地域活性化",
    "防災",
    "子育て支援",
    "観光",
    "DX推進",
    "まちづくり",
    "農業",
    "教育",
    "福祉",
    "スタートアップ",
    "公共交通",
    "環境",
    "移住促進",
    "デザイン",
    "データ分析",
    "広報",
    "スポーツ",
    "文化財",
    "医療",
];
const ORGANIZATIONS: &[&str] = &[
    "市役所",
    "県庁",
    "株式会社みらい",
    "合同会社つなぐ",
    "NPO法人まちの縁側",
    "国立大学",
];

/// A small deterministic generator (xorshift), so the corpus needs no random crate.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// Writes `members` members and `members / 10` events under `dir` (which is replaced).
pub fn write_corpus(dir: &Path, members: usize) -> std::io::Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir)?;
    }
    for sub in ["members", "events", "pages", "static"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    fs::write(
        dir.join("site.yaml"),
        "title: ベンチマーク・ポータル\ndescription: 合成データによる性能測定用のサイト\nbase_url: https://bench.example.org\nlanguage: ja\n",
    )?;
    fs::write(
        dir.join("pages/about.md"),
        "---\ntitle: このサイトについて\nmenu: 1\n---\n合成データです。\n",
    )?;
    let mut seq = Sequence(0x9E37_79B9_7F4A_7C15);
    let mut text = String::with_capacity(1024);
    for i in 0..members {
        let (surname, surname_kana) = *seq.pick(SURNAMES);
        let (given, given_kana) = *seq.pick(GIVEN);
        let sector = *seq.pick(Sector::all());
        let prefecture = *seq.pick(Prefecture::all());
        let interests: Vec<&str> = (0..3).map(|_| *seq.pick(INTERESTS)).collect();
        text.clear();
        let _ = write!(
            text,
            "---\nname: {surname} {given}\nkana: {surname_kana} {given_kana}\nsector: {}\norganization: {}{}\nprefecture: {}\ninterests: [{}]\nlinks:\n  website: https://example.org/m{i}\njoined: 2026-{:02}-{:02}\n---\n{}で働いています。{}に関心があります。\n\n地域の皆さんと\n一緒に課題を考えたいです。よろしくお願いします。\n",
            sector.slug(),
            prefecture.name_ja(),
            seq.pick(ORGANIZATIONS),
            prefecture.slug(),
            interests.join(", "),
            1 + seq.next() % 12,
            1 + seq.next() % 28,
            prefecture.name_ja(),
            interests.join("と"),
        );
        fs::write(dir.join(format!("members/m{i:06}.md")), &text)?;
    }
    for i in 0..members / 10 {
        let prefecture = *seq.pick(Prefecture::all());
        let month = 1 + seq.next() % 12;
        let day = 1 + seq.next() % 28;
        text.clear();
        let _ = write!(
            text,
            "---\ntitle: {}の交流会 第{}回\nstart: 2026-{month:02}-{day:02}T19:00\nend: 2026-{month:02}-{day:02}T21:00\nonline: true\nprefecture: {}\ncapacity: 30\norganizers: [m{:06}]\ntags: [{}]\n---\n気軽な交流会です。\n",
            prefecture.name_ja(),
            i + 1,
            prefecture.slug(),
            seq.next() as usize % members.max(1),
            seq.pick(INTERESTS),
        );
        fs::write(dir.join(format!("events/e{i:06}.md")), &text)?;
    }
    Ok(())
}
