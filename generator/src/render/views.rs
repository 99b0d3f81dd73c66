//! The precomputed context templates receive: one card per member and event, made once
//! and shared by every page that lists them, plus the taxonomies. Templates never query content.

use std::collections::HashMap;

use jiff::Timestamp;
use model::{
    Choice, Event, GojuonRow, Language, Located, Member, Prefecture, ReadingKey, Region, Sector,
};
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
    /// What stands in for a missing photo: 山 for 山田 花子, EC for Emily Clark.
    pub initials: String,
    pub joined: String,
    pub joined_iso: String,
    /// The 50-on row, for the directory's headings (not part of the template value).
    #[serde(skip)]
    pub row: GojuonRow,
    /// The interests as term keys, kept so that moving the member derives the taxonomies
    /// again without keying every term again (NFKC is not free).
    #[serde(skip)]
    pub terms: TermUses,
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
    /// The fee as shown ("3,000円", "¥3,000"), `None` when it is free or not given.
    pub fee_yen: Option<String>,
    /// A fee of 0 was given.
    pub free: bool,
    pub fee_note: Option<String>,
    pub each_pays_own: bool,
    /// Over 10,000 yen: the page notes that national public servants may need to notify.
    pub fee_over_notice: bool,
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

impl Taxonomy {
    /// Each term's label by its key.
    pub fn labels(&self) -> HashMap<&str, &str> {
        self.terms
            .iter()
            .map(|t| (t.key.as_str(), t.label.as_str()))
            .collect()
    }
}

/// Everything derived from the site once, before any page is rendered.
#[derive(Default)]
pub struct Views {
    pub members: Vec<MemberCard>,
    pub events: Vec<EventCard>,
    /// Each event's tags as term keys (a member's are on its card), kept so that moving a
    /// member derives the taxonomies again without keying every term again.
    pub event_terms: Vec<TermUses>,
    pub taxonomies: Vec<Taxonomy>,
}

/// The terms of one member's interests or one event's tags: each term key once, with the
/// index of its first spelling in the member's or event's list.
pub type TermUses = Vec<(String, usize)>;

impl Views {
    pub fn new(
        members: &[Member],
        events: &[Event],
        urls: &Urls,
        lang: Language,
        now: Timestamp,
    ) -> Views {
        let member_terms: Vec<TermUses> = members
            .par_iter()
            .map(|m| term_keys(&m.interests))
            .collect();
        let event_terms: Vec<TermUses> = events.par_iter().map(|e| term_keys(&e.tags)).collect();
        let interests = interests_taxonomy(
            members.iter().zip(&member_terms),
            events.iter().map(|e| &e.tags[..]).zip(&event_terms),
        );
        let labels = interests.labels();
        let member_cards = members
            .par_iter()
            .zip(&member_terms)
            .map(|(m, terms)| member_card(m, terms, &labels, urls, lang))
            .collect();
        let prefecture_link = |p: Prefecture| prefecture_link(p, urls, lang);
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
                tags: term_links(&e.tags, terms, &labels, urls),
                capacity: e.capacity,
                fee_yen: e.fee.filter(|&f| f > 0).map(|f| dates::yen(f, lang)),
                free: e.fee == Some(0),
                fee_note: e.fee_note.clone(),
                each_pays_own: e.each_pays_own,
                fee_over_notice: e.fee.is_some_and(|f| f > 10_000),
                ics_url: urls.link(&ics_path(&e.slug)),
                upcoming: e.is_upcoming(now),
            })
            .collect();
        let taxonomies = vec![
            interests,
            prefectures_taxonomy(members, events, lang),
            sectors_taxonomy(members, lang),
        ];
        Views {
            members: member_cards,
            events: event_cards,
            event_terms,
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

pub fn post_path(slug: &str) -> String {
    format!("/news/{slug}/")
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

/// Terms as keys, once each, with the index of their first spelling: 防災 written twice, or
/// ＤＸ推進 and DX推進, are one.
pub fn term_keys(terms: &[Located<String>]) -> TermUses {
    let mut keyed: TermUses = Vec::new();
    for (index, term) in terms.iter().enumerate() {
        let key = model::slug::term_slug(&term.value);
        if !keyed.iter().any(|(k, _)| *k == key) {
            keyed.push((key, index));
        }
    }
    keyed
}

/// A member's card: what every list shows of them. `labels` are the interests' labels by
/// term key (see [`Taxonomy::labels`]).
pub fn member_card(
    m: &Member,
    terms: &TermUses,
    labels: &HashMap<&str, &str>,
    urls: &Urls,
    lang: Language,
) -> MemberCard {
    MemberCard {
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
        prefecture: m.prefecture.map(|p| prefecture_link(p, urls, lang)),
        interests: term_links(&m.interests, terms, labels, urls),
        photo: m
            .photo
            .as_ref()
            .map(|p| urls.link(&format!("/{}", p.value))),
        initials: initials(&m.name),
        joined: dates::date(m.joined, lang),
        joined_iso: m.joined.to_string(),
        row: member_row(m),
        terms: terms.clone(),
    }
}

/// A name's initials for a placeholder avatar: the first letters of the first two words of
/// a name in Latin letters (Emily Clark: EC), else the first character of the family name
/// (山田 花子: 山).
pub fn initials(name: &str) -> String {
    let mut words = name.split(|c: char| c.is_whitespace() || c == '・');
    let first = words.next().and_then(|w| w.chars().next());
    match first {
        Some(c) if c.is_ascii_alphabetic() => std::iter::once(c)
            .chain(words.filter_map(|w| w.chars().next()).take(1))
            .flat_map(char::to_uppercase)
            .collect(),
        Some(c) => c.to_string(),
        None => String::new(),
    }
}

/// The 50-on row a member is listed under in the directory.
pub fn member_row(m: &Member) -> GojuonRow {
    ReadingKey::new(m.reading(), &m.name).row()
}

fn term_links(
    spellings: &[Located<String>],
    terms: &TermUses,
    labels: &HashMap<&str, &str>,
    urls: &Urls,
) -> Vec<LinkView> {
    terms
        .iter()
        .map(|(key, index)| LinkView {
            label: labels
                .get(key.as_str())
                .copied()
                .unwrap_or(spellings[*index].value.as_str())
                .to_owned(),
            url: urls.link(&term_path(key)),
        })
        .collect()
}

fn prefecture_link(p: Prefecture, urls: &Urls, lang: Language) -> LinkView {
    LinkView {
        label: prefecture_name(p, lang).to_owned(),
        url: urls.link(&prefecture_path(p)),
    }
}

/// Interests of members and tags of events, from each one's spellings and term keys (members
/// in 50-on order). A term is labelled with the spelling of its first user (members first,
/// then events), so the label is stable between builds.
pub fn interests_taxonomy<'a>(
    members: impl Iterator<Item = (&'a Member, &'a TermUses)>,
    events: impl Iterator<Item = (&'a [Located<String>], &'a TermUses)>,
) -> Taxonomy {
    let mut by_key: HashMap<&str, Term> = HashMap::new();
    let uses = (members.map(|(m, t)| (&m.interests[..], t)).enumerate())
        .map(|(i, (spellings, t))| (true, i, spellings, t))
        .chain(
            events
                .enumerate()
                .map(|(i, (spellings, t))| (false, i, spellings, t)),
        );
    for (is_member, index, spellings, terms) in uses {
        for (key, spelling) in terms {
            let term = by_key.entry(key.as_str()).or_insert_with(|| Term {
                key: key.clone(),
                label: spellings[*spelling].value.clone(),
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

pub fn prefectures_taxonomy(members: &[Member], events: &[Event], lang: Language) -> Taxonomy {
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

pub fn sectors_taxonomy(members: &[Member], lang: Language) -> Taxonomy {
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

/// The taxonomy terms (by key) a member is listed under: their sector, their prefecture and
/// each interest.
pub fn listed_under(member: &Member, terms: &TermUses) -> Vec<(TaxonomyKind, String)> {
    let mut under = vec![(TaxonomyKind::Sectors, member.sector.slug().to_owned())];
    under.extend((member.prefecture).map(|p| (TaxonomyKind::Prefectures, p.slug().to_owned())));
    under.extend(
        terms
            .iter()
            .map(|(key, _)| (TaxonomyKind::Interests, key.clone())),
    );
    under.sort_by(|a, b| (a.0 as u8, &a.1).cmp(&(b.0 as u8, &b.1)));
    under
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_follow_how_the_name_is_written() {
        assert_eq!(initials("山田 花子"), "山");
        assert_eq!(initials("山田　花子"), "山");
        assert_eq!(initials("Emily Clark"), "EC");
        assert_eq!(initials("emily"), "E");
        assert_eq!(initials("エミリー・クラーク"), "エ");
        assert_eq!(initials(""), "");
    }
}
