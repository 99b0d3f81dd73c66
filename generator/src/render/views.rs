//! The precomputed context templates receive: one card per member and event, made once
//! and shared by every page that lists them, plus the taxonomies. Templates never query content.

use std::collections::HashMap;

use jiff::Timestamp;
use model::{Choice, Event, GojuonRow, Language, Member, Prefecture, ReadingKey, Region, Sector};
use rayon::prelude::*;
use serde::Serialize;

use crate::dates;
use crate::urls::{Urls, encode_segment};

/// A label with the page it links to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkView {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberCard {
    pub slug: String,
    pub url: String,
    pub name: String,
    pub kana: Option<String>,
    pub sector: LinkView,
    pub organization: Option<String>,
    pub role: Option<String>,
    pub prefecture: Option<LinkView>,
    pub interests: Vec<LinkView>,
    pub photo: Option<String>,
    pub joined: String,
    pub joined_iso: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventCard {
    pub slug: String,
    pub url: String,
    pub title: String,
    /// 2026年12月10日(木) 19:00〜21:00
    pub when: String,
    pub start_iso: String,
    /// When the event is over; the script moves the event to the past after it.
    pub ends_iso: String,
    pub month: String,
    pub online: bool,
    pub venue: Option<String>,
    pub prefecture: Option<LinkView>,
    pub tags: Vec<LinkView>,
    pub capacity: Option<u32>,
    pub ics_url: String,
    pub upcoming: bool,
}

/// Which taxonomy a term belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaxonomyKind {
    Interests,
    Prefectures,
    Sectors,
}

impl TaxonomyKind {
    pub const ALL: [TaxonomyKind; 3] = [
        TaxonomyKind::Interests,
        TaxonomyKind::Prefectures,
        TaxonomyKind::Sectors,
    ];

    pub fn path(self) -> &'static str {
        match self {
            TaxonomyKind::Interests => "/interests/",
            TaxonomyKind::Prefectures => "/prefectures/",
            TaxonomyKind::Sectors => "/sectors/",
        }
    }

    /// The translation key of the taxonomy's title.
    pub fn title_key(self) -> &'static str {
        match self {
            TaxonomyKind::Interests => "interests",
            TaxonomyKind::Prefectures => "prefectures",
            TaxonomyKind::Sectors => "sectors",
        }
    }
}

/// One term of a taxonomy (防災, 神奈川県, 地方公務員) and what it lists.
#[derive(Debug, Clone)]
pub struct Term {
    /// The term's key: the interest's term slug, the prefecture's or sector's slug.
    pub key: String,
    pub label: String,
    /// The site path of its first page, percent-encoded.
    pub path: String,
    /// The group on the index page (the region of a prefecture), if any.
    pub group: Option<String>,
    /// Indexes into the member cards, in 50-on order.
    pub members: Vec<usize>,
    /// Indexes into the event cards, soonest first.
    pub events: Vec<usize>,
}

#[derive(Debug)]
pub struct Taxonomy {
    pub kind: TaxonomyKind,
    pub terms: Vec<Term>,
}

/// Everything derived from the site once, before any page is rendered.
#[derive(Default)]
pub struct Views {
    pub members: Vec<MemberCard>,
    pub events: Vec<EventCard>,
    /// The 50-on row of each member, for the directory's headings.
    pub member_rows: Vec<GojuonRow>,
    pub taxonomies: Vec<Taxonomy>,
}

impl Views {
    pub fn new(
        members: &[Member],
        events: &[Event],
        urls: &Urls,
        lang: Language,
        now: Timestamp,
    ) -> Views {
        // Each member's and event's interests as (term key, spelling), keyed once: NFKC is not free.
        let member_terms: Vec<Vec<(String, &str)>> = members
            .par_iter()
            .map(|m| term_keys(m.interests.iter().map(|i| i.value.as_str())))
            .collect();
        let event_terms: Vec<Vec<(String, &str)>> = events
            .par_iter()
            .map(|e| term_keys(e.tags.iter().map(|t| t.value.as_str())))
            .collect();
        let interests = interests_taxonomy(&member_terms, &event_terms);
        let labels: HashMap<&str, &str> = interests
            .terms
            .iter()
            .map(|t| (t.key.as_str(), t.label.as_str()))
            .collect();
        let term_links = |terms: &[(String, &str)]| -> Vec<LinkView> {
            terms
                .iter()
                .map(|(key, spelling)| LinkView {
                    label: labels
                        .get(key.as_str())
                        .copied()
                        .unwrap_or(spelling)
                        .to_owned(),
                    url: urls.link(&term_path(key)),
                })
                .collect()
        };
        let prefecture_link = |p: Prefecture| LinkView {
            label: prefecture_name(p, lang).to_owned(),
            url: urls.link(&prefecture_path(p)),
        };

        let member_cards = members
            .par_iter()
            .zip(&member_terms)
            .map(|(m, terms)| MemberCard {
                slug: m.slug.clone(),
                url: urls.link(&member_path(&m.slug)),
                name: m.name.clone(),
                kana: m.kana.clone(),
                sector: LinkView {
                    label: sector_name(m.sector, lang).to_owned(),
                    url: urls.link(&sector_path(m.sector)),
                },
                organization: m.organization.clone(),
                role: m.role.clone(),
                prefecture: m.prefecture.map(prefecture_link),
                interests: term_links(terms),
                photo: m
                    .photo
                    .as_ref()
                    .map(|p| urls.link(&format!("/{}", p.value))),
                joined: dates::date(m.joined, lang),
                joined_iso: m.joined.to_string(),
            })
            .collect();
        let event_cards = events
            .par_iter()
            .zip(&event_terms)
            .map(|(e, terms)| EventCard {
                slug: e.slug.clone(),
                url: urls.link(&event_path(&e.slug)),
                title: e.title.clone(),
                when: dates::event_range(e.start, e.end, lang),
                start_iso: dates::iso(e.start),
                ends_iso: dates::iso(e.finishes()),
                month: dates::month(e.start, lang),
                online: e.online,
                venue: e.venue.as_ref().and_then(|v| v.name.clone()),
                prefecture: e.prefecture.map(prefecture_link),
                tags: term_links(terms),
                capacity: e.capacity,
                ics_url: urls.link(&ics_path(&e.slug)),
                upcoming: e.is_upcoming(now),
            })
            .collect();
        let member_rows = members
            .par_iter()
            .map(|m| ReadingKey::new(m.reading(), &m.name).row())
            .collect();
        let taxonomies = vec![
            interests,
            prefectures_taxonomy(members, events, lang),
            sectors_taxonomy(members, lang),
        ];
        Views {
            members: member_cards,
            events: event_cards,
            member_rows,
            taxonomies,
        }
    }

    pub fn taxonomy(&self, kind: TaxonomyKind) -> &Taxonomy {
        &self.taxonomies[TaxonomyKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0)]
    }
}

pub fn member_path(slug: &str) -> String {
    format!("/members/{slug}/")
}

pub fn event_path(slug: &str) -> String {
    format!("/events/{slug}/")
}

pub fn ics_path(slug: &str) -> String {
    format!("/events/{slug}/{slug}.ics")
}

/// The page of an interest, from its term key (see [`model::slug::term_slug`]).
pub fn term_path(key: &str) -> String {
    format!("/interests/{}/", encode_segment(key))
}

pub fn prefecture_path(p: Prefecture) -> String {
    format!("/prefectures/{}/", p.slug())
}

pub fn sector_path(s: Sector) -> String {
    format!("/sectors/{}/", s.slug())
}

pub fn sector_name(s: Sector, lang: Language) -> &'static str {
    match lang {
        Language::Ja => s.name_ja(),
        Language::En => s.name_en(),
    }
}

pub fn prefecture_name(p: Prefecture, lang: Language) -> &'static str {
    match lang {
        Language::Ja => p.name_ja(),
        Language::En => p.name_en(),
    }
}

pub fn region_name(r: Region, lang: Language) -> &'static str {
    match lang {
        Language::Ja => r.name_ja(),
        Language::En => r.name_en(),
    }
}

/// Terms as (key, spelling), once each: 防災 written twice, or ＤＸ推進 and DX推進, are one.
fn term_keys<'a>(terms: impl Iterator<Item = &'a str>) -> Vec<(String, &'a str)> {
    let mut keyed: Vec<(String, &'a str)> = Vec::new();
    for term in terms {
        let key = model::slug::term_slug(term);
        if !keyed.iter().any(|(k, _)| *k == key) {
            keyed.push((key, term));
        }
    }
    keyed
}

/// Interests of members and tags of events. A term is labelled with the spelling of its
/// first user (members in 50-on order, then events), so the label is stable between builds.
fn interests_taxonomy(
    member_terms: &[Vec<(String, &str)>],
    event_terms: &[Vec<(String, &str)>],
) -> Taxonomy {
    let mut by_key: HashMap<&str, Term> = HashMap::new();
    let uses = member_terms
        .iter()
        .enumerate()
        .map(|(i, t)| (true, i, t))
        .chain(event_terms.iter().enumerate().map(|(i, t)| (false, i, t)));
    for (is_member, index, terms) in uses {
        for (key, spelling) in terms {
            let term = by_key.entry(key.as_str()).or_insert_with(|| Term {
                key: key.clone(),
                label: (*spelling).to_owned(),
                path: term_path(key),
                group: None,
                members: Vec::new(),
                events: Vec::new(),
            });
            if is_member {
                term.members.push(index)
            } else {
                term.events.push(index)
            }
        }
    }
    let mut terms: Vec<Term> = by_key.into_values().collect();
    // Most used first; equal counts in 50-on order of the label, then by key.
    terms.sort_by_cached_key(|t| {
        (
            std::cmp::Reverse(t.members.len() + t.events.len()),
            ReadingKey::new(&t.label, &t.key),
        )
    });
    Taxonomy {
        kind: TaxonomyKind::Interests,
        terms,
    }
}

fn prefectures_taxonomy(members: &[Member], events: &[Event], lang: Language) -> Taxonomy {
    let mut terms: Vec<Term> = Prefecture::all()
        .iter()
        .map(|&p| Term {
            key: p.slug().to_owned(),
            label: prefecture_name(p, lang).to_owned(),
            path: prefecture_path(p),
            group: Some(region_name(p.region(), lang).to_owned()),
            members: Vec::new(),
            events: Vec::new(),
        })
        .collect();
    for (index, p) in members
        .iter()
        .enumerate()
        .filter_map(|(i, m)| Some((i, m.prefecture?)))
    {
        terms[usize::from(p.code()) - 1].members.push(index);
    }
    for (index, p) in events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((i, e.prefecture?)))
    {
        terms[usize::from(p.code()) - 1].events.push(index);
    }
    Taxonomy {
        kind: TaxonomyKind::Prefectures,
        terms,
    }
}

fn sectors_taxonomy(members: &[Member], lang: Language) -> Taxonomy {
    let mut terms: Vec<Term> = Sector::ALL
        .iter()
        .map(|&s| Term {
            key: s.slug().to_owned(),
            label: sector_name(s, lang).to_owned(),
            path: sector_path(s),
            group: None,
            members: Vec::new(),
            events: Vec::new(),
        })
        .collect();
    for (index, member) in members.iter().enumerate() {
        let position = Sector::ALL
            .iter()
            .position(|s| *s == member.sector)
            .unwrap_or(0);
        terms[position].members.push(index);
    }
    Taxonomy {
        kind: TaxonomyKind::Sectors,
        terms,
    }
}
