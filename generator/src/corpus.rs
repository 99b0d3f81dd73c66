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
/// Interest tags are a field and a facet of it: 25 x 12 = 300 distinct tags, picked with a
/// long tail (a few very common, most rare), as real interests are.
const FIELDS: &[&str] = &[
    "防災",
    "観光",
    "農業",
    "教育",
    "福祉",
    "子育て",
    "医療",
    "公共交通",
    "環境",
    "移住",
    "まちづくり",
    "文化財",
    "スポーツ",
    "商店街",
    "林業",
    "漁業",
    "水道",
    "空き家",
    "図書館",
    "地域医療",
    "介護",
    "エネルギー",
    "広報",
    "財政",
    "窓口",
];
const FACETS: &[&str] = &[
    "",
    "DX",
    "データ",
    "官民連携",
    "人材育成",
    "オープンデータ",
    "スタートアップ",
    "デザイン",
    "住民参加",
    "広域連携",
    "国際交流",
    "ふるさと納税",
];
const SENTENCES: &[&str] = &[
    "現場の声を聞きながら、小さく試して改善することを大切にしています。",
    "行政と民間の両方の立場を経験したので、その間をつなぐ役割ができればと思っています。",
    "前例がないことにも、まずは話を聞いてみるところから始めます。",
    "地域の皆さんと一緒に、課題を整理するワークショップを続けています。",
    "休日は地元の商店街や山を歩いて、まちの変化を見て回るのが好きです。",
    "データを使った説明で、庁内の合意形成を早められないか試行錯誤しています。",
    "他の自治体の取り組みから学ぶことが多く、視察にもよく出かけます。",
    "オンラインでの勉強会を月に一度開いていて、どなたでも参加できます。",
];

/// The pick of a long tail: index 0 is the most common.
fn long_tail(seq: &mut Sequence, len: usize) -> usize {
    // The cube of a uniform number in [0, 1) puts most picks near the start.
    let u = (seq.next() % 1_000_000) as f64 / 1_000_000.0;
    ((u * u * u) * len as f64) as usize % len
}

fn tag(index: usize) -> String {
    format!(
        "{}{}",
        FIELDS[index % FIELDS.len()],
        FACETS[index / FIELDS.len()]
    )
}

fn tags(seq: &mut Sequence, count: usize) -> Vec<String> {
    let mut picked: Vec<String> = Vec::new();
    while picked.len() < count {
        let candidate = tag(long_tail(seq, FIELDS.len() * FACETS.len()));
        if !picked.contains(&candidate) {
            picked.push(candidate);
        }
    }
    picked
}

/// A self-introduction of 300 to 800 characters: paragraphs, a list, links and, for some,
/// a table, as members write them.
fn bio(seq: &mut Sequence, prefecture: &str, interests: &[String], i: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{prefecture}で働いています。{}に関心があります。",
        interests.join("、")
    );
    for _ in 0..1 + seq.next() % 3 {
        let sentence = *seq.pick(SENTENCES);
        out.push_str(sentence);
    }
    out.push_str("\n\n## いま取り組んでいること\n\n");
    for interest in interests {
        let _ = writeln!(
            out,
            "- {interest}について、{}",
            seq.pick(SENTENCES).trim_end_matches('。')
        );
    }
    let _ = writeln!(
        out,
        "\n活動の記録は[ブログ](https://example.org/blog/m{i})や[発表資料](https://example.org/slides/m{i}.pdf)にまとめています。"
    );
    if seq.next().is_multiple_of(3) {
        out.push_str("\n| 年 | 取り組み |\n|---|---|\n");
        for year in 2023..2027 {
            let _ = writeln!(
                out,
                "| {year} | {} |",
                seq.pick(SENTENCES).trim_end_matches('。')
            );
        }
    }
    let _ = writeln!(out, "\n{}よろしくお願いします。", seq.pick(SENTENCES));
    out
}

const ROLES: &[&str] = &[
    "企画課 主任",
    "デジタル推進室 係長",
    "代表取締役",
    "事業開発マネージャー",
    "理事",
    "准教授",
    "地域おこし協力隊",
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
    let mut text = String::with_capacity(2048);
    for i in 0..members {
        let (surname, surname_kana) = *seq.pick(SURNAMES);
        let (given, given_kana) = *seq.pick(GIVEN);
        let sector = *seq.pick(Sector::all());
        let prefecture = *seq.pick(Prefecture::all());
        let count = 2 + (seq.next() % 4) as usize;
        let interests = tags(&mut seq, count);
        let bio = bio(&mut seq, prefecture.name_ja(), &interests, i);
        text.clear();
        let _ = write!(
            text,
            "---\nname: {surname} {given}\nkana: {surname_kana} {given_kana}\nsector: {}\norganization: {}{}\nrole: {}\nprefecture: {}\ninterests: [{}]\nlinks:\n  website: https://example.org/m{i}\n  x: https://x.com/m{i}\njoined: 2026-{:02}-{:02}\n---\n{bio}",
            sector.slug(),
            prefecture.name_ja(),
            seq.pick(ORGANIZATIONS),
            seq.pick(ROLES),
            prefecture.slug(),
            interests.join(", "),
            1 + seq.next() % 12,
            1 + seq.next() % 28,
        );
        fs::write(dir.join(format!("members/m{i:06}.md")), &text)?;
    }
    for i in 0..members / 10 {
        let prefecture = *seq.pick(Prefecture::all());
        let month = 1 + seq.next() % 12;
        let day = 1 + seq.next() % 28;
        let organizers: Vec<String> = (0..1 + seq.next() % 3)
            .map(|_| format!("m{:06}", seq.next() as usize % members.max(1)))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let count = 2 + (seq.next() % 3) as usize;
        let event_tags = tags(&mut seq, count);
        // Events before November are over: the export has written who was there (2 to 20
        // of the 30 seats chose the attendee list).
        let attendees = if month <= 10 {
            let listed: std::collections::BTreeSet<String> = (0..2 + seq.next() % 19)
                .map(|_| format!("m{:06}", seq.next() as usize % members.max(1)))
                .collect();
            let listed: Vec<String> = listed.into_iter().collect();
            format!("attendees: [{}]\n", listed.join(", "))
        } else {
            String::new()
        };
        text.clear();
        let _ = write!(
            text,
            "---\ntitle: {}の交流会 第{}回\nstart: 2026-{month:02}-{day:02}T19:00\nend: 2026-{month:02}-{day:02}T21:00\nonline: true\nprefecture: {}\ncapacity: 30\norganizers: [{}]\n{attendees}tags: [{}]\n---\n気軽な交流会です。{}\n\n- 第1部: 話題提供\n- 第2部: 少人数での意見交換\n- 第3部: 懇親\n\n詳しくは[案内ページ](https://example.org/events/e{i})をご覧ください。\n",
            prefecture.name_ja(),
            i + 1,
            prefecture.slug(),
            organizers.join(", "),
            event_tags.join(", "),
            seq.pick(SENTENCES),
        );
        fs::write(dir.join(format!("events/e{i:06}.md")), &text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_valid_content_that_looks_real() {
        let dir = tempfile::tempdir().unwrap();
        write_corpus(dir.path(), 1000).unwrap();
        let options = crate::BuildOptions {
            content: dir.path().to_owned(),
            theme: crate::ThemeSource::Embedded,
            out: dir.path().join("out"),
            base_url: None,
            api_base: None,
            drafts: false,
            now: jiff::Timestamp::UNIX_EPOCH,
        };
        let site = crate::load_site(&options).expect("the corpus is valid content");
        assert_eq!((site.members.len(), site.events.len()), (1000, 100));
        let bio_chars: Vec<usize> = site
            .members
            .iter()
            .map(|m| m.body.chars().count())
            .collect();
        assert!(
            bio_chars.iter().all(|&n| (250..=850).contains(&n)),
            "{bio_chars:?}"
        );
        assert!(
            site.members
                .iter()
                .all(|m| m.body.contains("\n- ") && m.body.contains("](https://"))
        );
        assert!(
            site.members.iter().any(|m| m.body.contains("|---|")),
            "some bios have a table"
        );
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for interest in site.members.iter().flat_map(|m| &m.interests) {
            *counts.entry(interest.value.as_str()).or_default() += 1;
        }
        let mut sorted: Vec<usize> = counts.values().copied().collect();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert!(counts.len() > 250, "{} distinct tags", counts.len());
        assert!(
            sorted[0] > 20 * sorted[sorted.len() / 2],
            "a long tail: {sorted:?}"
        );
        assert!(
            site.events
                .iter()
                .all(|e| !e.organizers.is_empty() && e.tags.len() >= 2)
        );
    }
}
