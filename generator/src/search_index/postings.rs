//! The index's second step: each document's tokens (words, Japanese pairs, exact and filter
//! tokens) counted into postings, one part per stretch of documents, joined in token order.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use crate::search_tokens::{each_normalized, is_japanese, normalize};

use super::*;

/// A token as a number while indexing: Japanese characters and pairs are packed
/// (`first << 21 | second`, where a single character has no second); words and special tokens
/// are numbered by [`Words`] with the top bit set.
pub(super) type TokenKey = u64;
pub(super) const WORD_BIT: u64 = 1 << 63;

/// A hasher for keys that are already well spread after one multiplication.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only token keys (u64) are hashed; bytes would go through FNV as the fingerprint's.
        let mut fnv = Fnv(self.0);
        fnv.write(bytes);
        self.0 = fnv.finish();
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub(super) type KeyMap<V> = HashMap<TokenKey, V, BuildHasherDefault<KeyHasher>>;

/// Postings of one part of the documents, per token, already encoded as the token files hold
/// them (a tenth of the memory of a list of pairs, which matters at 50,000 members).
#[derive(Default)]
pub(super) struct Part {
    pub(super) words: HashMap<String, u64>,
    pub(super) lists: KeyMap<PartList>,
    /// Where special tokens are spelled before they are looked up.
    pub(super) scratch: String,
}

/// One token's postings in a part: the first posting as it is (its gap depends on the part
/// before), the following ones as gaps, and the latest apart, since its fields may still grow
/// while the same document is read.
pub(super) struct PartList {
    pub(super) first: (u32, u8),
    /// The postings after the first and before the latest, encoded.
    pub(super) encoded: Vec<u8>,
    pub(super) latest: (u32, u8),
    /// The document before the latest (the first's while there is one posting).
    pub(super) before_latest: u32,
    pub(super) count: u32,
}

impl PartList {
    pub(super) fn new(id: u32, fields: u8) -> PartList {
        PartList {
            first: (id, fields),
            encoded: Vec::new(),
            latest: (id, fields),
            before_latest: id,
            count: 1,
        }
    }

    pub(super) fn add(&mut self, id: u32, fields: u8) {
        if self.latest.0 == id {
            self.latest.1 |= fields;
            if self.count == 1 {
                self.first.1 |= fields;
            }
            return;
        }
        if self.count > 1 {
            let gap = u64::from(self.latest.0 - self.before_latest);
            write_varint(&mut self.encoded, gap * 64 + u64::from(self.latest.1));
        }
        self.before_latest = self.latest.0;
        self.latest = (id, fields);
        self.count += 1;
    }

    /// Appends the postings to a token file's, `previous` being the document before them.
    pub(super) fn write(&self, previous: u32, out: &mut Vec<u8>) {
        let (doc, fields) = self.first;
        write_varint(out, u64::from(doc - previous) * 64 + u64::from(fields));
        out.extend_from_slice(&self.encoded);
        if self.count > 1 {
            let gap = u64::from(self.latest.0 - self.before_latest);
            write_varint(out, gap * 64 + u64::from(self.latest.1));
        }
    }
}

/// Notes that document `id` (the latest so far) has `key` in `fields`.
pub(super) fn add_posting(lists: &mut KeyMap<PartList>, key: TokenKey, id: u32, fields: u8) {
    use std::collections::hash_map::Entry;
    match lists.entry(key) {
        Entry::Occupied(mut e) => e.get_mut().add(id, fields),
        Entry::Vacant(e) => {
            e.insert(PartList::new(id, fields));
        }
    }
}

impl Part {
    pub(super) fn word_key(&mut self, word: &str) -> TokenKey {
        if let Some(key) = self.words.get(word) {
            return *key;
        }
        let key = WORD_BIT | self.words.len() as u64;
        self.words.insert(word.to_owned(), key);
        key
    }

    pub(super) fn word_of(&self) -> Vec<&str> {
        let mut names = vec![""; self.words.len()];
        for (word, key) in &self.words {
            names[(key & !WORD_BIT) as usize] = word;
        }
        names
    }
}

impl Part {
    /// Adds the tokens of document `id` (the latest so far) to the part.
    pub(super) fn index(&mut self, id: u32, doc: &Doc<'_>) {
        let texts = doc.texts.iter().map(|(f, t)| (*f, *t));
        let owned = doc.owned_texts.iter().map(|(f, t)| (*f, t.as_str()));
        for (fields, text) in texts.chain(owned) {
            each_token(text, |token| {
                let key = match token {
                    Token::Japanese(first, second) => {
                        (u64::from(first) << 21) | second.map_or(0, u64::from)
                    }
                    Token::Word(word) => self.word_key(word),
                };
                add_posting(&mut self.lists, key, id, fields);
            });
        }
        for special in &doc.specials {
            match special {
                Special::Filter(filter, value) => {
                    self.scratch.clear();
                    self.scratch.push('\u{1}');
                    self.scratch.push(*filter);
                    self.scratch.push(':');
                    self.scratch.push_str(value);
                    self.add_scratch(id);
                }
                Special::Exact { text, parts } => {
                    let normalized = normalize(text);
                    self.scratch.clear();
                    self.scratch.push('\u{2}');
                    self.scratch.extend(normalized.split_whitespace());
                    if self.scratch.len() > 1 {
                        self.add_scratch(id);
                    }
                    if *parts && normalized.split_whitespace().nth(1).is_some() {
                        for word in normalized.split_whitespace() {
                            self.scratch.clear();
                            self.scratch.push('\u{2}');
                            self.scratch.push_str(word);
                            self.add_scratch(id);
                        }
                    }
                }
            }
        }
    }

    /// Adds the special token in `scratch` for document `id`.
    pub(super) fn add_scratch(&mut self, id: u32) {
        let scratch = std::mem::take(&mut self.scratch);
        let key = self.word_key(&scratch);
        self.scratch = scratch;
        add_posting(&mut self.lists, key, id, 0);
    }
}

/// The parts' postings by token string, in code-point order; each token's lists stay one per
/// part, in document order (parts are in order), and are written one after the other.
pub(super) fn join(parts: Vec<Part>) -> Joined {
    let mut words: HashMap<String, u64> = HashMap::new();
    let mut joined: KeyMap<Vec<PartList>> = KeyMap::default();
    for mut part in parts {
        let lists = std::mem::take(&mut part.lists);
        let names = part.word_of();
        for (key, list) in lists {
            let key = if key & WORD_BIT != 0 {
                let word = names[(key & !WORD_BIT) as usize];
                let next = WORD_BIT | words.len() as u64;
                *words.entry(word.to_owned()).or_insert(next)
            } else {
                key
            };
            joined.entry(key).or_default().push(list);
        }
    }
    let mut names = vec![String::new(); words.len()];
    for (word, key) in words {
        names[(key & !WORD_BIT) as usize] = word;
    }
    let mut sorted: Joined = joined
        .into_iter()
        .map(|(key, lists)| {
            let token = if key & WORD_BIT != 0 {
                std::mem::take(&mut names[(key & !WORD_BIT) as usize])
            } else {
                japanese_token(key)
            };
            (token, lists)
        })
        .collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    sorted
}

/// Tokens in code-point order, each with its postings in lists to be written in turn.
pub(super) type Joined = Vec<(String, Vec<PartList>)>;

pub(super) fn japanese_token(key: TokenKey) -> String {
    let first = char::from_u32((key >> 21) as u32).unwrap_or('\u{FFFD}');
    let mut token = first.to_string();
    if let Some(second) = char::from_u32((key & 0x1F_FFFF) as u32).filter(|c| *c != '\0') {
        token.push(second);
    }
    token
}

pub(super) enum Token<'w> {
    Japanese(u32, Option<u32>),
    Word(&'w str),
}

/// Calls `emit` with each token of `text`, as [`crate::search_tokens::tokens`] lists them
/// (a test holds the two together), without making a string per token.
pub(super) fn each_token(text: &str, mut emit: impl FnMut(Token<'_>)) {
    let mut previous_japanese: Option<u32> = None;
    let mut word = String::new();
    each_normalized(text, |c| {
        if is_japanese(c) {
            if !word.is_empty() {
                emit(Token::Word(&word));
                word.clear();
            }
            let code = c as u32;
            if let Some(previous) = previous_japanese {
                emit(Token::Japanese(previous, Some(code)));
            }
            previous_japanese = Some(code);
        } else {
            if let Some(last) = previous_japanese.take() {
                emit(Token::Japanese(last, None));
            }
            if c.is_alphanumeric() {
                word.push(c);
            } else if !word.is_empty() {
                emit(Token::Word(&word));
                word.clear();
            }
        }
    });
    if let Some(last) = previous_japanese {
        emit(Token::Japanese(last, None));
    }
    if !word.is_empty() {
        emit(Token::Word(&word));
    }
}
