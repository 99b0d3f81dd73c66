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
pub use crate::urls::SEARCH_INDEX_FOLDER as FOLDER;
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
    card: CardView<'a>,
    texts: Vec<(u8, &'a str)>,
    owned_texts: Vec<(u8, String)>,
    specials: Vec<Special<'a>>,
}

/// A card as the files hold it, borrowing what the site and its views already have (the
/// same fields as [`Card`], which reads it back).
#[derive(Serialize)]
struct CardView<'a> {
    k: char,
    u: &'a str,
    t: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<&'a str>,
    s: String,
    c: Vec<&'a str>,
    x: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    i: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<&'a str>,
}

/// A token that is not a word of the text.
enum Special<'a> {
    /// `\u{1}<filter>:<value>`: kind (`k`), sector (`s`), prefecture (`p`), interest (`i`).
    Filter(char, &'a str),
    /// `\u{2}` + a name, reading or title, normalized and without spaces; for names also
    /// each part (佐藤 and 花子 of 佐藤 花子).
    Exact { text: &'a str, parts: bool },
}

/// The index's files of the site `renderer` renders, by path inside the output folder.
pub fn files_of(renderer: &crate::render::Renderer<'_>) -> Vec<(String, Vec<u8>)> {
    let site = renderer.site();
    files(
        &site.members,
        &site.events,
        &site.posts,
        renderer.views(),
        renderer.urls(),
        renderer.language(),
    )
}

/// The search index of these members, events and posts as the site shows them, by path.
pub fn files(
    members: &[Member],
    events: &[Event],
    posts: &[Post],
    views: &Views,
    urls: &Urls,
    lang: Language,
) -> Vec<(String, Vec<u8>)> {
    let mut timer = crate::timing::StageTimer::from_env();
    let interests = views.taxonomy(views::TaxonomyKind::Interests).labels();
    let post_urls: Vec<String> = (posts.iter())
        .map(|p| urls.link(&views::post_path(&p.slug)))
        .collect();
    let sources: Vec<Source> = (0..members.len())
        .map(Source::Member)
        .chain((0..events.len()).map(Source::Event))
        .chain((0..posts.len()).map(Source::Post))
        .collect();
    // One pass per stretch of documents: each is read, tokenized, its card written and the
    // document dropped, so no text is kept between two passes; the stretches are joined in
    // order. A stretch is a whole number of card files.
    let parts: Vec<(Part, Vec<Vec<u8>>)> = sources
        .par_chunks(DOCS_PER_PART)
        .enumerate()
        .map(|(chunk, sources)| {
            let mut part = Part::default();
            let mut cards = Vec::with_capacity(DOCS_PER_FILE);
            let mut card_files = Vec::new();
            for (offset, source) in sources.iter().enumerate() {
                let doc = match *source {
                    Source::Member(i) => {
                        member_doc(&members[i], &views.members[i], &views.member_terms[i])
                    }
                    Source::Event(i) => {
                        event_doc(&events[i], &views.events[i], &views.event_terms[i], lang)
                    }
                    Source::Post(i) => {
                        post_doc(&posts[i], &post_urls[i], members, views, &interests, lang)
                    }
                };
                part.index((chunk * DOCS_PER_PART + offset) as u32, &doc);
                cards.push(doc.card);
                if cards.len() == DOCS_PER_FILE {
                    card_files.push(card_file(&cards));
                    cards.clear();
                }
            }
            if !cards.is_empty() {
                card_files.push(card_file(&cards));
            }
            (part, card_files)
        })
        .collect();
    timer.stage("search: documents and tokens");
    let (parts, card_files): (Vec<Part>, Vec<Vec<Vec<u8>>>) = parts.into_iter().unzip();
    let postings = join(parts);
    timer.stage("search: postings");
    let files = write(
        sources.len(),
        card_files.into_iter().flatten().collect(),
        postings,
    );
    timer.stage("search: files");
    files
}

/// Documents tokenized together (a unit of parallel work): a whole number of card files.
const DOCS_PER_PART: usize = 32 * DOCS_PER_FILE;

fn card_file(cards: &[CardView<'_>]) -> Vec<u8> {
    json_without_tags(serde_json::to_vec(cards).unwrap_or_default())
}

/// Which document: members first (in 50-on order), then events, then posts.
#[derive(Clone, Copy)]
enum Source {
    Member(usize),
    Event(usize),
    Post(usize),
}

/// Texts joined by a space, leaving out those that are missing.
fn joined(texts: &[Option<&str>]) -> String {
    let mut out = String::new();
    for text in texts.iter().flatten() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(text);
    }
    out
}

fn member_doc<'a>(
    m: &'a Member,
    card: &'a views::MemberCard,
    terms: &'a views::TermUses,
) -> Doc<'a> {
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
    let mut specials = vec![
        Special::Filter('k', "m"),
        Special::Filter('s', m.sector.slug()),
    ];
    specials.extend(m.prefecture.map(|p| Special::Filter('p', p.slug())));
    specials.extend(terms.iter().map(|(key, _)| Special::Filter('i', key)));
    specials.push(Special::Exact {
        text: &m.name,
        parts: true,
    });
    specials.extend((m.kana.as_deref()).map(|text| Special::Exact { text, parts: true }));
    let mut chips = vec![card.sector.label.as_str()];
    chips.extend(card.prefecture.as_ref().map(|p| p.label.as_str()));
    chips.extend(card.interests.iter().map(|i| i.label.as_str()));
    let body = crate::markdown::searchable_text(&m.body);
    Doc {
        card: CardView {
            k: 'm',
            u: &card.url,
            t: &m.name,
            r: m.kana.as_deref(),
            s: joined(&[m.organization.as_deref(), m.role.as_deref()]),
            c: chips,
            x: crate::markdown::cut(&body, EXCERPT_CHARS),
            i: card.photo.as_deref(),
            n: card.photo.is_none().then_some(card.initials.as_str()),
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
    card: &'a views::EventCard,
    terms: &'a views::TermUses,
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
    let mut specials = vec![Special::Filter('k', "e")];
    specials.extend(e.prefecture.map(|p| Special::Filter('p', p.slug())));
    specials.extend(terms.iter().map(|(key, _)| Special::Filter('i', key)));
    specials.push(Special::Exact {
        text: &e.title,
        parts: false,
    });
    let mut chips: Vec<&str> = card.prefecture.iter().map(|p| p.label.as_str()).collect();
    chips.extend(card.tags.iter().map(|t| t.label.as_str()));
    let body = crate::markdown::searchable_text(&e.body);
    Doc {
        card: CardView {
            k: 'e',
            u: &card.url,
            t: &e.title,
            r: None,
            s: joined(&[Some(&card.when), card.venue.as_deref()]),
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
    url: &'a str,
    members: &'a [Member],
    views: &'a Views,
    interests: &HashMap<&'a str, &'a str>,
    lang: Language,
) -> Doc<'a> {
    let author = (p.author.as_ref())
        .and_then(|a| members.iter().position(|m| m.slug == a.value))
        .map(|i| views.members[i].name.as_str());
    let mut texts = vec![(field::NAME, p.title.as_str())];
    texts.extend(p.tags.iter().map(|t| (field::TAGS, t.value.as_str())));
    texts.extend(author.map(|a| (field::ORGANIZATION, a)));
    let date = crate::dates::date(p.date, lang);
    let body = crate::markdown::searchable_text(&p.body);
    let excerpt = crate::markdown::cut(&body, EXCERPT_CHARS);
    let sub = joined(&[Some(&date), author]);
    let tag_keys = views::term_keys(&p.tags);
    let mut specials = vec![Special::Filter('k', "p")];
    let chips = tag_keys
        .iter()
        .map(|(key, spelling)| {
            interests
                .get(key.as_str())
                .copied()
                .unwrap_or(p.tags[*spelling].value.as_str())
        })
        .collect();
    specials.push(Special::Exact {
        text: &p.title,
        parts: false,
    });
    Doc {
        card: CardView {
            k: 'p',
            u: url,
            t: &p.title,
            r: None,
            s: sub,
            c: chips,
            x: excerpt,
            i: None,
            n: None,
        },
        texts,
        owned_texts: vec![(field::BODY, body), (field::BODY, date)],
        // A tag is a filter when it is one of the interests the search page offers (the
        // key borrowed from there: the views keep no keys of post tags).
        specials: specials
            .into_iter()
            .chain(tag_keys.iter().filter_map(|(key, _)| {
                interests
                    .get_key_value(key.as_str())
                    .map(|(k, _)| Special::Filter('i', k))
            }))
            .collect(),
    }
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
        // Only token keys (u64) are hashed; bytes would go through FNV as the fingerprint's.
        let mut fnv = Fnv(self.0);
        fnv.write(bytes);
        self.0 = fnv.finish();
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type KeyMap<V> = HashMap<TokenKey, V, BuildHasherDefault<KeyHasher>>;

/// Postings of one part of the documents, per token, already encoded as the token files hold
/// them (a tenth of the memory of a list of pairs, which matters at 50,000 members).
#[derive(Default)]
struct Part {
    words: HashMap<String, u64>,
    lists: KeyMap<PartList>,
    /// Where special tokens are spelled before they are looked up.
    scratch: String,
}

/// One token's postings in a part: the first posting as it is (its gap depends on the part
/// before), the following ones as gaps, and the latest apart, since its fields may still grow
/// while the same document is read.
struct PartList {
    first: (u32, u8),
    /// The postings after the first and before the latest, encoded.
    encoded: Vec<u8>,
    latest: (u32, u8),
    /// The document before the latest (the first's while there is one posting).
    before_latest: u32,
    count: u32,
}

impl PartList {
    fn new(id: u32, fields: u8) -> PartList {
        PartList {
            first: (id, fields),
            encoded: Vec::new(),
            latest: (id, fields),
            before_latest: id,
            count: 1,
        }
    }

    fn add(&mut self, id: u32, fields: u8) {
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
    fn write(&self, previous: u32, out: &mut Vec<u8>) {
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
fn add_posting(lists: &mut KeyMap<PartList>, key: TokenKey, id: u32, fields: u8) {
    use std::collections::hash_map::Entry;
    match lists.entry(key) {
        Entry::Occupied(mut e) => e.get_mut().add(id, fields),
        Entry::Vacant(e) => {
            e.insert(PartList::new(id, fields));
        }
    }
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

    fn word_of(&self) -> Vec<&str> {
        let mut names = vec![""; self.words.len()];
        for (word, key) in &self.words {
            names[(key & !WORD_BIT) as usize] = word;
        }
        names
    }
}

impl Part {
    /// Adds the tokens of document `id` (the latest so far) to the part.
    fn index(&mut self, id: u32, doc: &Doc<'_>) {
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
    fn add_scratch(&mut self, id: u32) {
        let scratch = std::mem::take(&mut self.scratch);
        let key = self.word_key(&scratch);
        self.scratch = scratch;
        add_posting(&mut self.lists, key, id, 0);
    }
}

/// The parts' postings by token string, in code-point order; each token's lists stay one per
/// part, in document order (parts are in order), and are written one after the other.
fn join(parts: Vec<Part>) -> Joined {
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
type Joined = Vec<(String, Vec<PartList>)>;

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
fn encode_token(token: &str, lists: &[PartList]) -> Vec<u8> {
    let count: u64 = lists.iter().map(|l| u64::from(l.count)).sum();
    let bytes: usize = lists.iter().map(|l| l.encoded.len() + 8).sum();
    let mut out = Vec::with_capacity(token.len() + 8 + bytes);
    write_varint(&mut out, token.len() as u64);
    out.extend_from_slice(token.as_bytes());
    write_varint(&mut out, count);
    let mut previous = 0;
    for list in lists {
        list.write(previous, &mut out);
        previous = list.latest.0;
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

fn write(docs: usize, card_files: Vec<Vec<u8>>, postings: Joined) -> Vec<(String, Vec<u8>)> {
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
    let hashes: Vec<u64> = token_files
        .par_iter()
        .chain(card_files.par_iter())
        .map(|file| {
            let mut hash = Fnv::default();
            hash.write(file);
            hash.finish()
        })
        .collect();
    // Tens of megabytes of postings at 50,000 members: freed on another thread.
    crate::background::drop_later(postings);
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
