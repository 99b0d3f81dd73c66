//! The search index the build writes beside the pages: every word of every member, event and
//! news post, split into small files so that a query in the browser loads only what it needs.
//!
//! Layout (docs/search.md says why):
//! - `search-index/index.json`, the entry point, not fingerprinted (hosts revalidate it): the format
//!   version, the fingerprint, the number of documents, documents per card file and the first
//!   token of each token file.
//! - `search-index/<fingerprint>/t<i>.bin`: tokens in code-point order, each with its postings.
//!   A token is `varint length, UTF-8 bytes, varint count`, then per posting
//!   `varint (document gap * 64 + fields)`, where `fields` marks where the token occurs.
//! - `search-index/<fingerprint>/d<j>.json`: the cards of documents `j * DOCS_PER_FILE ..`.
//!
//! The fingerprint is a hash of every file of the index, so all of them can be cached forever.
//! Tokens come from [`crate::search_tokens`], which the browser mirrors for queries. Besides
//! words, the index holds filter tokens (`\u{1}s:<sector>`, `\u{1}p:<prefecture>`,
//! `\u{1}i:<interest>`, `\u{1}k:<kind>`) and exact tokens (`\u{2}` + a whole name, a part of a
//! name, a reading or a title, normalized and without spaces) that rank exact answers first.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use model::fields::Choice;
use model::{Event, Language, Member, Post};
use rayon::prelude::*;
use serde::Serialize;

use crate::render::views::{self, Views};
use crate::search_tokens::{each_normalized, is_japanese, normalize};
use crate::urls::Urls;

/// Where the index lives in the output folder (the page that searches is `search/`).
pub const FOLDER: &str = "search-index/";
/// Bumped when the layout above changes; the browser refuses an index it cannot read.
pub const FORMAT_VERSION: u32 = 1;
/// Cards per card file: a page of results loads a few small files.
pub const DOCS_PER_FILE: usize = 16;
/// A token file is closed once it holds this many bytes (a token is never split).
pub const TOKEN_FILE_BYTES: usize = 24 * 1024;

/// Where in a document a token occurs (bits of a posting's `fields`).
pub mod field {
    /// A member's name, an event's or a post's title.
    pub const NAME: u8 = 1;
    /// A member's reading (kana).
    pub const READING: u8 = 2;
    /// Organization, role, venue, organizer, author.
    pub const ORGANIZATION: u8 = 4;
    /// Interests and tags.
    pub const TAGS: u8 = 8;
    /// Prefecture, sector.
    pub const PLACE: u8 = 16;
    /// The text and the date.
    pub const BODY: u8 = 32;
}

/// What a result card shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Card {
    /// `m` member, `e` event, `p` news post.
    pub k: char,
    /// URL of the page.
    pub u: String,
    /// Name or title.
    pub t: String,
    /// Reading, for members who gave one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub r: Option<String>,
    /// The line under the title: organization and role, date and venue, date and author.
    pub s: String,
    /// Labels: sector, prefecture, interests or tags.
    pub c: Vec<String>,
    /// The start of the text.
    pub x: String,
    /// Photo URL, for members who have one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub i: Option<String>,
    /// Initials for members without a photo.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub n: Option<String>,
}

/// The entry point, `search-index/index.json`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub fingerprint: String,
    pub docs: usize,
    pub docs_per_file: usize,
    /// The first token of each token file, in order.
    pub tokens: Vec<String>,
}

/// One document to index: its card, its texts by field, its filter and exact tokens.
struct Doc<'a> {
    card: Card,
    texts: Vec<(u8, &'a str)>,
    owned_texts: Vec<(u8, String)>,
    specials: Vec<String>,
}

/// The index's files, by path inside the output folder.
pub fn files(
    site_members: &[Member],
    events: &[Event],
    posts: &[Post],
    views: &Views,
    urls: &Urls,
    lang: Language,
) -> Vec<(String, Vec<u8>)> {
    let mut docs = documents(site_members, events, posts, views, urls, lang);
    let postings = postings(&docs);
    let cards = docs
        .iter_mut()
        .map(|d| std::mem::take(&mut d.card))
        .collect();
    // The texts are freed on another thread, as the build frees its render.
    let texts: Vec<_> = (docs.iter_mut())
        .map(|d| {
            (
                std::mem::take(&mut d.owned_texts),
                std::mem::take(&mut d.specials),
            )
        })
        .collect();
    crate::live::drop_later(texts);
    write(cards, postings)
}

fn documents<'a>(
    members: &'a [Member],
    events: &'a [Event],
    posts: &'a [Post],
    views: &Views,
    urls: &Urls,
    lang: Language,
) -> Vec<Doc<'a>> {
    let interests = views.taxonomy(views::TaxonomyKind::Interests).labels();
    let mut docs: Vec<Doc<'a>> = members
        .par_iter()
        .zip(&views.members)
        .zip(&views.member_terms)
        .map(|((m, card), terms)| member_doc(m, card, terms))
        .collect();
    docs.par_extend(
        events
            .par_iter()
            .zip(&views.events)
            .zip(&views.event_terms)
            .map(|((e, card), terms)| event_doc(e, card, terms, lang)),
    );
    docs.par_extend(
        posts
            .par_iter()
            .map(|p| post_doc(p, members, views, &interests, urls, lang)),
    );
    docs
}

fn member_doc<'a>(m: &'a Member, card: &views::MemberCard, terms: &views::TermUses) -> Doc<'a> {
    let mut texts = vec![(field::NAME, m.name.as_str())];
    texts.extend(m.kana.as_deref().map(|k| (field::READING, k)));
    texts.extend(m.organization.as_deref().map(|o| (field::ORGANIZATION, o)));
    texts.extend(m.role.as_deref().map(|r| (field::ORGANIZATION, r)));
    texts.extend(m.interests.iter().map(|i| (field::TAGS, i.value.as_str())));
    texts.push((field::PLACE, m.sector.name_ja()));
    texts.push((field::PLACE, m.sector.name_en()));
    if let Some(p) = m.prefecture {
        texts.push((field::PLACE, p.name_ja()));
        texts.push((field::PLACE, p.name_en()));
    }
    let mut specials = vec!["\u{1}k:m".to_owned(), format!("\u{1}s:{}", m.sector.slug())];
    specials.extend(m.prefecture.map(|p| format!("\u{1}p:{}", p.slug())));
    specials.extend(terms.iter().map(|(key, _)| format!("\u{1}i:{key}")));
    specials.extend(exact_tokens(&m.name, true));
    specials.extend(m.kana.iter().flat_map(|k| exact_tokens(k, true)));
    let sub = [m.organization.as_deref(), m.role.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut chips = vec![card.sector.label.clone()];
    chips.extend(card.prefecture.as_ref().map(|p| p.label.clone()));
    chips.extend(card.interests.iter().map(|i| i.label.clone()));
    let body = crate::markdown::searchable_text(&m.body);
    Doc {
        card: Card {
            k: 'm',
            u: card.url.clone(),
            t: m.name.clone(),
            r: m.kana.clone(),
            s: sub,
            c: chips,
            x: crate::markdown::cut(&body, EXCERPT_CHARS),
            i: card.photo.clone(),
            n: card.photo.is_none().then(|| card.initials.clone()),
        },
        texts,
        owned_texts: vec![(field::BODY, body)],
        specials,
    }
}

/// Characters of a text shown on a card.
const EXCERPT_CHARS: usize = 100;

fn event_doc<'a>(
    e: &'a Event,
    card: &views::EventCard,
    terms: &views::TermUses,
    lang: Language,
) -> Doc<'a> {
    let mut texts = vec![(field::NAME, e.title.as_str())];
    if let Some(venue) = &e.venue {
        texts.extend(venue.name.as_deref().map(|v| (field::ORGANIZATION, v)));
        texts.extend(venue.address.as_deref().map(|v| (field::ORGANIZATION, v)));
    }
    texts.extend(
        e.organizer_name
            .as_deref()
            .map(|o| (field::ORGANIZATION, o)),
    );
    texts.extend(e.tags.iter().map(|t| (field::TAGS, t.value.as_str())));
    if let Some(p) = e.prefecture {
        texts.push((field::PLACE, p.name_ja()));
        texts.push((field::PLACE, p.name_en()));
    }
    let mut specials = vec!["\u{1}k:e".to_owned()];
    specials.extend(e.prefecture.map(|p| format!("\u{1}p:{}", p.slug())));
    specials.extend(terms.iter().map(|(key, _)| format!("\u{1}i:{key}")));
    specials.extend(exact_tokens(&e.title, false));
    let sub = [Some(card.when.as_str()), card.venue.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut chips: Vec<String> = card.prefecture.iter().map(|p| p.label.clone()).collect();
    chips.extend(card.tags.iter().map(|t| t.label.clone()));
    let body = crate::markdown::searchable_text(&e.body);
    Doc {
        card: Card {
            k: 'e',
            u: card.url.clone(),
            t: e.title.clone(),
            r: None,
            s: sub,
            c: chips,
            x: crate::markdown::cut(&body, EXCERPT_CHARS),
            i: None,
            n: None,
        },
        texts,
        owned_texts: vec![
            (field::BODY, body),
            (field::BODY, crate::dates::event_range(e.start, e.end, lang)),
        ],
        specials,
    }
}

fn post_doc<'a>(
    p: &'a Post,
    members: &[Member],
    views: &Views,
    interests: &HashMap<&str, &str>,
    urls: &Urls,
    lang: Language,
) -> Doc<'a> {
    let author = (p.author.as_ref())
        .and_then(|a| members.iter().position(|m| m.slug == a.value))
        .map(|i| views.members[i].name.clone());
    let mut texts = vec![(field::NAME, p.title.as_str())];
    texts.extend(p.tags.iter().map(|t| (field::TAGS, t.value.as_str())));
    let date = crate::dates::date(p.date, lang);
    let body = crate::markdown::searchable_text(&p.body);
    let excerpt = crate::markdown::cut(&body, EXCERPT_CHARS);
    let mut owned_texts = vec![(field::BODY, body), (field::BODY, date.clone())];
    owned_texts.extend(author.iter().map(|a| (field::ORGANIZATION, a.clone())));
    let tag_keys = views::term_keys(&p.tags);
    let mut specials = vec!["\u{1}k:p".to_owned()];
    specials.extend(tag_keys.iter().map(|(key, _)| format!("\u{1}i:{key}")));
    specials.extend(exact_tokens(&p.title, false));
    let chips = tag_keys
        .iter()
        .map(|(key, spelling)| {
            interests
                .get(key.as_str())
                .map_or_else(|| p.tags[*spelling].value.clone(), |l| (*l).to_owned())
        })
        .collect();
    Doc {
        card: Card {
            k: 'p',
            u: urls.link(&views::post_path(&p.slug)),
            t: p.title.clone(),
            r: None,
            s: [Some(date), author]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            c: chips,
            x: excerpt,
            i: None,
            n: None,
        },
        texts,
        owned_texts,
        specials,
    }
}

/// The exact tokens of a name or title: the whole, and for names each part (佐藤 and 花子 of
/// 佐藤 花子), normalized and without spaces.
pub fn exact_tokens(text: &str, parts: bool) -> Vec<String> {
    let normalized = normalize(text);
    let whole: String = normalized.split_whitespace().collect();
    let mut out = Vec::new();
    if whole.is_empty() {
        return out;
    }
    out.push(format!("\u{2}{whole}"));
    if parts {
        let words: Vec<&str> = normalized.split_whitespace().collect();
        if words.len() > 1 {
            out.extend(words.iter().map(|w| format!("\u{2}{w}")));
        }
    }
    out
}

/// Each token with its postings: `(document, fields)` in document order.
pub type Postings = Vec<(String, Vec<(u32, u8)>)>;

/// A token as a number while indexing: Japanese characters and pairs are packed
/// (`first << 21 | second`, where a single character has no second); words and special tokens
/// are numbered by [`Words`] with the top bit set.
type TokenKey = u64;
const WORD_BIT: u64 = 1 << 63;

/// A hasher for keys that are already well spread after one multiplication.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type KeyMap<V> = HashMap<TokenKey, V, BuildHasherDefault<KeyHasher>>;

/// Postings of one part of the documents: per token, `(document, fields)` in document order.
#[derive(Default)]
struct Part {
    words: HashMap<String, u64>,
    lists: KeyMap<Vec<(u32, u8)>>,
}

impl Part {
    fn word_key(&mut self, word: &str) -> TokenKey {
        if let Some(key) = self.words.get(word) {
            return *key;
        }
        let key = WORD_BIT | self.words.len() as u64;
        self.words.insert(word.to_owned(), key);
        key
    }

    /// Notes that document `id` (the latest so far) has `key` in `fields`.
    fn add(&mut self, key: TokenKey, id: u32, fields: u8) {
        let list = self.lists.entry(key).or_default();
        match list.last_mut() {
            Some((last, known)) if *last == id => *known |= fields,
            _ => list.push((id, fields)),
        }
    }

    fn word_of(&self) -> Vec<&str> {
        let mut names = vec![""; self.words.len()];
        for (word, key) in &self.words {
            names[(key & !WORD_BIT) as usize] = word;
        }
        names
    }
}

/// Every token of every document with the fields it occurs in, by token string.
fn postings(docs: &[Doc<'_>]) -> Postings {
    let threads = rayon::current_num_threads().max(1);
    let per_part = docs.len().div_ceil(threads).max(1);
    let parts: Vec<Part> = docs
        .par_chunks(per_part)
        .enumerate()
        .map(|(chunk, docs)| {
            let mut part = Part::default();
            for (offset, doc) in docs.iter().enumerate() {
                let id = (chunk * per_part + offset) as u32;
                let texts = doc.texts.iter().map(|(f, t)| (*f, *t));
                let owned = doc.owned_texts.iter().map(|(f, t)| (*f, t.as_str()));
                for (fields, text) in texts.chain(owned) {
                    each_token(text, |token| {
                        let key = match token {
                            Token::Japanese(first, second) => {
                                (u64::from(first) << 21) | second.map_or(0, u64::from)
                            }
                            Token::Word(word) => part.word_key(word),
                        };
                        part.add(key, id, fields);
                    });
                }
                for special in &doc.specials {
                    let key = part.word_key(special);
                    part.add(key, id, 0);
                }
            }
            part
        })
        .collect();
    // Join the parts by token string, keeping document order (parts are in order).
    let mut joined: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
    for mut part in parts {
        let lists = std::mem::take(&mut part.lists);
        let words = part.word_of();
        for (key, list) in lists {
            let token = if key & WORD_BIT != 0 {
                words[(key & !WORD_BIT) as usize].to_owned()
            } else {
                japanese_token(key)
            };
            match joined.entry(token) {
                std::collections::hash_map::Entry::Occupied(mut e) => e.get_mut().extend(list),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(list);
                }
            }
        }
    }
    let mut sorted: Postings = joined.into_iter().collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    sorted
}

fn japanese_token(key: TokenKey) -> String {
    let first = char::from_u32((key >> 21) as u32).unwrap_or('\u{FFFD}');
    let mut token = first.to_string();
    if let Some(second) = char::from_u32((key & 0x1F_FFFF) as u32).filter(|c| *c != '\0') {
        token.push(second);
    }
    token
}

enum Token<'w> {
    Japanese(u32, Option<u32>),
    Word(&'w str),
}

/// Calls `emit` with each token of `text`, as [`crate::search_tokens::tokens`] lists them
/// (a test holds the two together), without making a string per token.
fn each_token(text: &str, mut emit: impl FnMut(Token<'_>)) {
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

/// JSON with every `<` written `\u003c`: member text then cannot start a tag, even for a
/// host or tool that mistakes the file for HTML. (`<` occurs only inside JSON strings, and
/// never inside a UTF-8 sequence.)
fn json_without_tags(json: Vec<u8>) -> Vec<u8> {
    if !json.contains(&b'<') {
        return json;
    }
    let mut out = Vec::with_capacity(json.len() + 64);
    for byte in json {
        if byte == b'<' {
            out.extend_from_slice(b"\\u003c");
        } else {
            out.push(byte);
        }
    }
    out
}

/// A token and its postings as a token file holds them.
fn encode_token(token: &str, list: &[(u32, u8)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(token.len() + 4 + list.len() * 2);
    write_varint(&mut out, token.len() as u64);
    out.extend_from_slice(token.as_bytes());
    write_varint(&mut out, list.len() as u64);
    let mut previous = 0u64;
    for (doc, fields) in list {
        let doc = u64::from(*doc);
        write_varint(&mut out, (doc - previous) * 64 + u64::from(*fields));
        previous = doc;
    }
    out
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7F) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn write(cards: Vec<Card>, postings: Postings) -> Vec<(String, Vec<u8>)> {
    let encoded: Vec<Vec<u8>> = postings
        .par_iter()
        .map(|(token, list)| encode_token(token, list))
        .collect();
    let mut token_files: Vec<Vec<u8>> = Vec::new();
    let mut firsts = Vec::new();
    let mut current = Vec::new();
    for ((token, _), bytes) in postings.iter().zip(encoded) {
        if current.is_empty() {
            firsts.push(token.clone());
        }
        current.extend_from_slice(&bytes);
        if current.len() >= TOKEN_FILE_BYTES {
            token_files.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        token_files.push(current);
    }
    let docs = cards.len();
    let card_files: Vec<Vec<u8>> = cards
        .par_chunks(DOCS_PER_FILE)
        .map(|chunk| json_without_tags(serde_json::to_vec(chunk).unwrap_or_default()))
        .collect();
    let hashes: Vec<u64> = token_files
        .par_iter()
        .chain(card_files.par_iter())
        .map(|file| {
            let mut hash = Fnv::default();
            hash.write(file);
            hash.finish()
        })
        .collect();
    let mut hash = Fnv::default();
    for file_hash in hashes {
        hash.write(&file_hash.to_le_bytes());
    }
    let fingerprint = format!("{:016x}", hash.finish());
    let manifest = Manifest {
        version: FORMAT_VERSION,
        fingerprint: fingerprint.clone(),
        docs,
        docs_per_file: DOCS_PER_FILE,
        tokens: firsts,
    };
    let mut files = vec![(
        format!("{FOLDER}index.json"),
        serde_json::to_vec(&manifest).unwrap_or_default(),
    )];
    files.extend(
        token_files
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| (format!("{FOLDER}{fingerprint}/t{i}.bin"), bytes)),
    );
    files.extend(
        card_files
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| (format!("{FOLDER}{fingerprint}/d{i}.json"), bytes)),
    );
    files
}

/// FNV-1a, 64 bits: stable across Rust versions (the standard hasher is not promised to be).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A token file read back: each token with its `(document, fields)` postings. For tests and
/// tools; the browser has its own reader (themes/default/static/js/search.js).
pub fn read_token_file(bytes: &[u8]) -> Result<Postings, String> {
    let mut at = 0;
    let varint = |at: &mut usize| -> Result<u64, String> {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let byte = *bytes.get(*at).ok_or("the file ends inside a number")?;
            *at += 1;
            value |= u64::from(byte & 0x7F) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err("a number is too long".into());
            }
        }
    };
    let mut out = Vec::new();
    while at < bytes.len() {
        let len = varint(&mut at)? as usize;
        let text = bytes
            .get(at..at + len)
            .ok_or("the file ends inside a token")?;
        let token = std::str::from_utf8(text)
            .map_err(|e| e.to_string())?
            .to_owned();
        at += len;
        let count = varint(&mut at)?;
        let mut list = Vec::new();
        let mut doc = 0u64;
        for _ in 0..count {
            let value = varint(&mut at)?;
            doc += value / 64;
            list.push((doc as u32, (value % 64) as u8));
        }
        out.push((token, list));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens_of(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        each_token(text, |token| {
            out.push(match token {
                Token::Japanese(first, second) => {
                    japanese_token((u64::from(first) << 21) | second.map_or(0, u64::from))
                }
                Token::Word(word) => word.to_owned(),
            })
        });
        out
    }

    #[test]
    fn the_index_tokens_are_the_shared_rule_tokens() {
        for text in [
            "防災",
            "防",
            "DX推進 2026年",
            "山田　花子 Emily Clark",
            "地域の防災、ＡＩとｶﾅ。キャッシュ",
            "",
            "Open-Data と 々 の ー",
        ] {
            assert_eq!(
                tokens_of(text),
                crate::search_tokens::tokens(text),
                "{text:?}"
            );
        }
    }
}
