//! The index (Rust, at build time) and the query (JavaScript, in the browser) cut text into
//! the same tokens: both implementations run on the same sentences, the sample content's
//! own texts and the hard cases, and must agree on every one.

use std::io::Write;
use std::process::{Command, Stdio};

use generator::search_tokens::tokens;
use portal_tests::root;

/// Every sentence of the sample content's members, events, pages and posts, and the cases
/// where the rules are easiest to get wrong.
fn sentences() -> Vec<String> {
    let mut all: Vec<String> = [
        "ＡＩとＤＸ推進",
        "ｶﾅ入力とカナ入力",
        "ヤマダ　ハナコ",
        "やまだ はなこ",
        "キャッシュレス",
        "データ分析・オープンデータ",
        "2026年12月10日(木) 19:00〜21:00",
        "Open-Data & Civic Tech",
        "ΣΟΦΙΑ ΣΟΦΟΣ",
        "İstanbul",
        "ﾃﾞｰﾀ分析",
        "㍻と㌔",
        "々の繰り返し：人々",
        "emoji 😀 と記号 ★",
        "Straße",
        "ǅemal",
        "①②③",
        "ー長音ーだけ",
        "ゕゖ",
        "ヴァイオリン",
        "tab\tand\nnewline",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for folder in ["members", "events", "pages", "posts"] {
        let dir = root().join("content").join(folder);
        for entry in std::fs::read_dir(&dir).expect("the sample content") {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            all.extend(
                text.split(['\n', '。'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && *l != "---")
                    .map(str::to_owned),
            );
        }
    }
    all
}

#[test]
fn the_browser_cuts_every_sentence_as_the_index_does() {
    let sentences = sentences();
    assert!(
        sentences.len() > 200,
        "a real corpus ({} sentences)",
        sentences.len()
    );
    let script = root().join("themes/default/static/js/search-tokens.js");
    let mut node = Command::new("node")
        .arg("-e")
        .arg(format!(
            "const t = require({:?}); const lines = JSON.parse(require('fs').readFileSync(0, 'utf8')); process.stdout.write(JSON.stringify(lines.map(t.tokens)));",
            script.display().to_string()
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node (scripts/test installs it with the browser tests' tools)");
    node.stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&sentences).unwrap().as_bytes())
        .unwrap();
    let output = node.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let browser: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(browser.len(), sentences.len());
    let disagreements: Vec<String> = sentences
        .iter()
        .zip(&browser)
        .filter(|(sentence, theirs)| tokens(sentence) != **theirs)
        .map(|(sentence, theirs)| {
            format!(
                "{sentence:?}: index {:?}, browser {theirs:?}",
                tokens(sentence)
            )
        })
        .collect();
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
