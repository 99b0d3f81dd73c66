//! The search index written by `portal build`, read back as the browser reads it: every file
//! the entry file names exists, tokens are in code-point order and never split across files,
//! and what the postings say about each document is what the content says.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use generator::search_index::{Card, Manifest, Postings, field, read_token_file};
use generator::search_tokens::tokens;
use portal_tests::{build, options, root};

struct Index {
    manifest: Manifest,
    postings: BTreeMap<String, Vec<(u32, u8)>>,
    cards: Vec<Card>,
}

fn built_index() -> (tempfile::TempDir, Index) {
    let out = tempfile::tempdir().unwrap();
    build(&root().join("content"), &out.path().join("public")).expect("the sample builds");
    let dir = out.path().join("public/search-index");
    let manifest: Manifest =
        serde_json::from_slice(&fs::read(dir.join("index.json")).unwrap()).unwrap();
    let folder = dir.join(&manifest.fingerprint);
    let mut all: Postings = Vec::new();
    for (i, first) in manifest.tokens.iter().enumerate() {
        let file = read_token_file(&fs::read(folder.join(format!("t{i}.bin"))).unwrap())
            .unwrap_or_else(|e| panic!("t{i}.bin: {e}"));
        assert_eq!(
            &file[0].0, first,
            "t{i}.bin starts where the entry file says"
        );
        all.extend(file);
    }
    let in_order = all.windows(2).all(|w| w[0].0 < w[1].0);
    assert!(in_order, "tokens are sorted and each is in one file only");
    let mut cards: Vec<Card> = Vec::new();
    for i in 0..manifest.docs.div_ceil(manifest.docs_per_file) {
        let text = fs::read_to_string(folder.join(format!("d{i}.json"))).unwrap();
        assert!(!text.contains('<'), "d{i}.json has no raw <");
        cards.extend(serde_json::from_str::<Vec<Card>>(&text).unwrap());
    }
    assert_eq!(cards.len(), manifest.docs);
    let files: BTreeSet<String> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        files.len(),
        manifest.tokens.len() + cards.len().div_ceil(manifest.docs_per_file),
        "no file the entry file does not name"
    );
    let postings = all.into_iter().collect();
    (
        out,
        Index {
            manifest,
            postings,
            cards,
        },
    )
}

impl Index {
    fn doc(&self, url: &str) -> u32 {
        self.cards
            .iter()
            .position(|c| c.u == url)
            .unwrap_or_else(|| panic!("no card {url}")) as u32
    }

    fn fields(&self, token: &str, doc: u32) -> Option<u8> {
        let list = self.postings.get(token)?;
        list.iter().find(|(d, _)| *d == doc).map(|(_, f)| *f)
    }

    fn docs(&self, token: &str) -> Vec<u32> {
        self.postings
            .get(token)
            .map(|l| l.iter().map(|(d, _)| *d).collect())
            .unwrap_or_default()
    }
}

#[test]
fn the_index_reads_back_as_the_content_says() {
    let (_out, index) = built_index();
    let site = generator::load_site(&options(&root().join("content"), &root().join("unused")))
        .expect("the sample loads");
    assert_eq!(
        index.manifest.docs,
        site.members.len() + site.events.len() + site.posts.len()
    );
    for list in index.postings.values() {
        assert!(
            list.windows(2).all(|w| w[0].0 < w[1].0),
            "documents in order, once each"
        );
        assert!(
            list.iter()
                .all(|(d, f)| (*d as usize) < index.manifest.docs && *f < 64)
        );
    }
    for member in &site.members {
        let doc = index.doc(&format!("/members/{}/", member.slug));
        let card = &index.cards[doc as usize];
        assert_eq!(
            (card.k, &card.t, &card.r),
            ('m', &member.name, &member.kana)
        );
        let has = |text: &str, bit: u8| {
            for token in tokens(text) {
                let fields = index.fields(&token, doc);
                assert!(
                    fields.is_some_and(|f| f & bit != 0),
                    "{}: {token} in {bit}",
                    member.slug
                );
            }
        };
        has(&member.name, field::NAME);
        member.kana.iter().for_each(|k| has(k, field::READING));
        member
            .organization
            .iter()
            .for_each(|o| has(o, field::ORGANIZATION));
        member
            .interests
            .iter()
            .for_each(|i| has(&i.value, field::TAGS));
        has(
            &generator::markdown::searchable_text(&member.body),
            field::BODY,
        );
        let sector = format!("\u{1}s:{}", model::Choice::slug(member.sector));
        assert!(
            index.docs(&sector).contains(&doc),
            "{} under {sector}",
            member.slug
        );
    }
    // Exact tokens: the whole name and reading, and each part.
    let sato = index.doc("/members/sato-kenta/");
    for exact in [
        "佐藤健太",
        "佐藤",
        "健太",
        "さとうけんた",
        "さとう",
        "けんた",
    ] {
        assert!(
            index.docs(&format!("\u{2}{exact}")).contains(&sato),
            "{exact}"
        );
    }
    // Filters name exactly the documents they filter.
    let local: BTreeSet<u32> = site
        .members
        .iter()
        .filter(|m| m.sector == model::Sector::LocalGov)
        .map(|m| index.doc(&format!("/members/{}/", m.slug)))
        .collect();
    assert_eq!(
        index
            .docs("\u{1}s:local-gov")
            .into_iter()
            .collect::<BTreeSet<_>>(),
        local
    );
    let okinawa = index.docs("\u{1}p:okinawa");
    assert_eq!(okinawa, vec![index.doc("/members/kimura-yumi/")]);
    // An event by its venue, a post by its author.
    let evening = index.doc("/events/sendai-bousai-evening/");
    assert!(
        index
            .fields("防災", evening)
            .is_some_and(|f| f & field::NAME != 0)
    );
    assert!(index.docs("\u{1}k:e").contains(&evening));
    let report = index.doc("/news/2026-11-kickoff-report/");
    assert!(
        index
            .fields("伊藤", report)
            .is_some_and(|f| f & field::ORGANIZATION != 0)
    );
}

#[test]
fn the_same_content_gives_the_same_index_and_a_change_a_new_fingerprint() {
    let (_a, first) = built_index();
    let (_b, second) = built_index();
    assert_eq!(first.manifest, second.manifest);
    let content = tempfile::tempdir().unwrap();
    let copy = content.path().join("content");
    copy_dir(&root().join("content"), &copy);
    let member = copy.join("members/sato-kenta.md");
    let text = fs::read_to_string(&member)
        .unwrap()
        .replace("佐藤 健太", "佐藤 健");
    fs::write(&member, text).unwrap();
    build(&copy, &content.path().join("public")).unwrap();
    let changed: Manifest = serde_json::from_slice(
        &fs::read(content.path().join("public/search-index/index.json")).unwrap(),
    )
    .unwrap();
    assert_ne!(changed.fingerprint, first.manifest.fingerprint);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}
