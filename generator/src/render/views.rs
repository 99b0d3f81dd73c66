//! The precomputed context templates receive: one card per member and event, made once
//! and shared by every page that lists them, plus the taxonomies. Templates never query content.

use std::collections::BTreeMap;

use jiff::Timestamp;
use model::{Choice, Event, GojuonRow, Language, Member, Prefecture, ReadingKey, Region, Sector};
use serde::Serialize;

use crate::dates;
use crate::urls::{Urls, encode_segment};

/// A label with the page it links to.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Clone, Serialize)]
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
        let interest_labels = interest_labels(members, events);
        let term_link = |term: &str| LinkView {
            label: interest_labels
                .get(&model::slug::term_slug(term))
                .cloned()
                .unwrap_or_else(|| term.to_owned()),
            url: urls.link(&interest_path(term)),
        };
        let prefecture_link = |p: Prefecture| LinkView {
            label: prefecture_name(p, lang).to_owned(),
            url: urls.link(&prefecture_path(p)),
        };

        let member_cards = members
            .iter()
            .map(|m| MemberCard {
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
                interests: dedup_terms(m.interests.iter().map(|i| i.value.as_str()))
                    .map(term_link)
                    .collect(),
                photo: m
                    .photo
                    .as_ref()
                    .map(|p| urls.link(&format!("/{}", p.value))),
                joined: dates::date(m.joined, lang),
                joined_iso: m.joined.to_string(),
            })
            .collect();
        let event_cards = events
            .iter()
            .map(|e| EventCard {
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
                tags: dedup_terms(e.tags.iter().map(|t| t.value.as_str()))
                    .map(term_link)
                    .collect(),
                capacity: e.capacity,
                ics_url: urls.link(&ics_path(&e.slug)),
                upcoming: e.is_upcoming(now),
            })
            .collect();
        let member_rows = members
            .iter()
            .map(|m| ReadingKey::new(m.reading(), &m.name).row())
            .collect();
        let taxonomies = vec![
            interests_taxonomy(members, events, &interest_labels),
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

pub fn interest_path(term: &str) -> String {
    format!(
        "/interests/{}/",
        encode_segment(&model::slug::term_slug(term))
    )
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

/// Terms once each, by their slug (防災 and 防災 written twice are one).
fn dedup_terms<'a>(terms: impl Iterator<Item = &'a str>) -> impl Iterator<Item = &'a str> {
    let mut seen = std::collections::HashSet::new();
    terms.filter(move |t| seen.insert(model::slug::term_slug(t)))
}

/// The label shown for each interest slug: the spelling its first user wrote
/// (members in 50-on order, then events), so that the choice is stable between builds.
fn interest_labels(members: &[Member], events: &[Event]) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let all = members
        .iter()
        .flat_map(|m| m.interests.iter())
        .chain(events.iter().flat_map(|e| e.tags.iter()));
    for term in all {
        labels
            .entry(model::slug::term_slug(&term.value))
            .or_insert_with(|| term.value.clone());
    }
    labels
}

fn interests_taxonomy(
    members: &[Member],
    events: &[Event],
    labels: &BTreeMap<String, String>,
) -> Taxonomy {
    let mut by_slug: BTreeMap<String, Term> = BTreeMap::new();
    fn term_for<'t>(
        by_slug: &'t mut BTreeMap<String, Term>,
        labels: &BTreeMap<String, String>,
        slug: String,
    ) -> &'t mut Term {
        by_slug.entry(slug.clone()).or_insert_with(|| Term {
            label: labels.get(&slug).cloned().unwrap_or_else(|| slug.clone()),
            path: format!("/interests/{}/", encode_segment(&slug)),
            group: None,
            members: Vec::new(),
            events: Vec::new(),
        })
    }
    for (index, member) in members.iter().enumerate() {
        for term in dedup_terms(member.interests.iter().map(|i| i.value.as_str())) {
            term_for(&mut by_slug, labels, model::slug::term_slug(term))
                .members
                .push(index);
        }
    }
    for (index, event) in events.iter().enumerate() {
        for term in dedup_terms(event.tags.iter().map(|t| t.value.as_str())) {
            term_for(&mut by_slug, labels, model::slug::term_slug(term))
                .events
                .push(index);
        }
    }
    let mut terms: Vec<Term> = by_slug.into_values().collect();
    // Most used first; equal counts in 50-on order of the label.
    terms.sort_by(|a, b| {
        (b.members.len() + b.events.len())
            .cmp(&(a.members.len() + a.events.len()))
            .then_with(|| {
                ReadingKey::new(&a.label, &a.label).cmp(&ReadingKey::new(&b.label, &b.label))
            })
    });
    Taxonomy {
        kind: TaxonomyKind::Interests,
        terms,
    }
}

fn prefectures_taxonomy(members: &[Member], events: &[Event], lang: Language) -> Taxonomy {
    let terms = Prefecture::all()
        .iter()
        .map(|&p| Term {
            label: prefecture_name(p, lang).to_owned(),
            path: prefecture_path(p),
            group: Some(region_name(p.region(), lang).to_owned()),
            members: members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.prefecture == Some(p))
                .map(|(i, _)| i)
                .collect(),
            events: events
                .iter()
                .enumerate()
                .filter(|(_, e)| e.prefecture == Some(p))
                .map(|(i, _)| i)
                .collect(),
        })
        .collect();
    Taxonomy {
        kind: TaxonomyKind::Prefectures,
        terms,
    }
}

fn sectors_taxonomy(members: &[Member], lang: Language) -> Taxonomy {
    let terms = Sector::ALL
        .iter()
        .map(|&s| Term {
            label: sector_name(s, lang).to_owned(),
            path: sector_path(s),
            group: None,
            members: members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.sector == s)
                .map(|(i, _)| i)
                .collect(),
            events: Vec::new(),
        })
        .collect();
    Taxonomy {
        kind: TaxonomyKind::Sectors,
        terms,
    }
}
