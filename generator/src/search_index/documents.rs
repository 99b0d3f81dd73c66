//! The index's first step: each member, event and post read into a document (its fields'
//! texts, where each counts, and the card a result shows).

use std::collections::HashMap;

use model::fields::Choice;
use model::{Event, Language, Member, Post};
use serde::Serialize;

use crate::render::views::{self, Views};

use super::*;

/// One document to index: its card, its texts by field, its filter and exact tokens.
pub(super) struct Doc<'a> {
    pub(super) card: CardView<'a>,
    pub(super) texts: Vec<(u8, &'a str)>,
    pub(super) owned_texts: Vec<(u8, String)>,
    pub(super) specials: Vec<Special<'a>>,
}

/// A card as the files hold it, borrowing what the site and its views already have (the
/// same fields as [`Card`], which reads it back).
#[derive(Serialize)]
pub(super) struct CardView<'a> {
    pub(super) k: char,
    pub(super) u: &'a str,
    pub(super) t: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) r: Option<&'a str>,
    pub(super) s: String,
    pub(super) c: Vec<&'a str>,
    pub(super) x: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) i: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) n: Option<&'a str>,
}

/// A token that is not a word of the text.
pub(super) enum Special<'a> {
    /// `\u{1}<filter>:<value>`: kind (`k`), sector (`s`), prefecture (`p`), interest (`i`).
    Filter(char, &'a str),
    /// `\u{2}` + a name, reading or title, normalized and without spaces; for names also
    /// each part (佐藤 and 花子 of 佐藤 花子).
    Exact { text: &'a str, parts: bool },
}

pub(super) fn card_file(cards: &[CardView<'_>]) -> Vec<u8> {
    json_without_tags(serde_json::to_vec(cards).unwrap_or_default())
}

/// Texts joined by a space, leaving out those that are missing.
pub(super) fn joined(texts: &[Option<&str>]) -> String {
    let mut out = String::new();
    for text in texts.iter().flatten() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(text);
    }
    out
}

pub(super) fn member_doc<'a>(
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
pub(super) const EXCERPT_CHARS: usize = 100;

pub(super) fn event_doc<'a>(
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

pub(super) fn post_doc<'a>(
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
