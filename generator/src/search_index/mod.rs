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

mod documents;
mod files;
mod postings;

use model::{Event, Language, Member, Post};
use rayon::prelude::*;
use serde::Serialize;

use crate::render::views::{self, Views};
use crate::urls::Urls;

/// Where the index lives in the output folder (the page that searches is `search/`).
pub use crate::urls::SEARCH_INDEX_FOLDER as FOLDER;
pub use files::{Postings, read_token_file};

use documents::*;
use files::*;
use postings::*;
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
                        member_doc(&members[i], &views.members[i], &views.members[i].terms)
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

/// Which document: members first (in 50-on order), then events, then posts.
#[derive(Clone, Copy)]
enum Source {
    Member(usize),
    Event(usize),
    Post(usize),
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
