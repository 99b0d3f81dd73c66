//! Render stage: a pure function from the validated site and the theme to files.
//! [`Renderer::plan`] lists every output, [`Renderer::render`] makes one; nothing here
//! touches the output folder.

pub mod calendar;
pub mod feeds;
pub mod introductions;
pub mod views;

use std::collections::HashMap;

use jiff::Timestamp;
use model::{Choice, Event, Language, Member, Page};
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::error::BuildError;
use crate::markdown::{self, Trust};
use crate::theme::Theme;
use crate::urls::{Urls, file_for};
use crate::validate::Site;
use views::{LinkView, TaxonomyKind, Views, event_path, member_path, post_path};

/// One output file: its path inside the output folder and its bytes.
#[derive(Debug)]
pub struct RenderedFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// One thing to render. Pages are numbered from 1.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Home,
    MemberList {
        page: usize,
    },
    Member(usize),
    EventList,
    /// The form that announces an event (it posts to the functions).
    EventNew,
    Event(usize),
    EventCalendar(usize),
    Calendar,
    TaxonomyIndex(TaxonomyKind),
    /// Where the two sides already meet: one page per sector, and their index.
    IntroductionIndex,
    Introductions(model::Sector),
    Term {
        kind: TaxonomyKind,
        term: usize,
        page: usize,
    },
    Page(usize),
    /// Community news: the list (newest first) and each post.
    NewsList {
        page: usize,
    },
    Post(usize),
    /// The search page (the index itself is written by [`crate::search_index`]).
    Search,
    /// The editors' page: not indexed, not in the sitemap, linked from no public page.
    Admin,
    NotFound,
    Feed,
    Sitemap,
    Robots,
}

pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    urls: Urls,
    lang: Language,
    now: Timestamp,
    /// Everything derived from the site before any page is rendered.
    parts: RenderParts,
}

#[derive(Serialize)]
struct PageMeta {
    title: String,
    /// The site path, to mark the current menu entry.
    path: String,
    description: String,
    canonical: String,
    og_type: &'static str,
    image: Option<String>,
    /// Asks search engines not to index the page.
    noindex: bool,
}

#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<PageLink>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
    /// Pages were left out before this one.
    gap_before: bool,
}

#[derive(Serialize)]
struct MemberGroup {
    label: &'static str,
    id: &'static str,
    members: Vec<Value>,
}

/// A news post as lists and its page show it.
#[derive(Serialize)]
struct PostView {
    title: String,
    url: String,
    date: String,
    date_iso: String,
    author: Option<LinkView>,
    /// Linked to the interest's page when members or events share it.
    tags: Vec<TagView>,
    summary: String,
}

#[derive(Serialize)]
struct TagView {
    label: String,
    url: Option<String>,
}

/// An interest both sides have, with how many of each sector have it (the page's own sector
/// first).
#[derive(Serialize)]
struct IntroductionRow {
    label: String,
    url: String,
    sides: Vec<SectorCount>,
}

#[derive(Serialize)]
struct SectorCount {
    label: String,
    n: usize,
}

#[derive(Serialize)]
struct VenueView<'v> {
    name: &'v Option<String>,
    address: &'v Option<String>,
    url: &'v Option<String>,
}

/// Labels of the profile page that the editors' preview of a submission shows too.
const PREVIEW_LABELS: &[&str] = &[
    "sector",
    "organization",
    "role",
    "prefecture",
    "interests",
    "introduction",
    "links",
    "joined",
];

/// An event whose sign-ups editors can download.
#[derive(Serialize)]
struct AdminEvent<'e> {
    slug: &'e str,
    title: &'e str,
    when: &'e str,
    url: &'e str,
    upcoming: bool,
    capacity: u32,
}

#[derive(Serialize)]
struct TermView {
    label: String,
    url: Option<String>,
    members: usize,
    events: usize,
}

#[derive(Serialize)]
struct SearchFilters {
    sectors: Vec<FilterChoice>,
    prefectures: Vec<FilterGroup>,
    interests: Vec<FilterChoice>,
}

#[derive(Serialize)]
struct FilterGroup {
    label: Option<String>,
    choices: Vec<FilterChoice>,
}

/// One option of a filter: the term's key (as in the index's filter tokens), its label and
/// how many members and events it has.
#[derive(Serialize)]
struct FilterChoice {
    value: String,
    label: String,
    count: usize,
}

#[derive(Serialize)]
struct TermGroup {
    label: Option<String>,
    terms: Vec<TermView>,
}

/// What a [`Renderer`] derives from a site, without the site itself.
#[derive(Default)]
pub struct RenderParts {
    views: Views,
    member_values: Vec<Value>,
    event_values: Vec<Value>,
    /// Each member's card and each event's list item, rendered once with the theme's
    /// partials and reused by every list that shows them.
    member_cards: Vec<Value>,
    event_items: Vec<Value>,
    /// Whether each member's and event's view is the one `CardMemo` had (so its value and
    /// card were reused): a rebuild need not compare the value again.
    member_unchanged: Vec<bool>,
    event_unchanged: Vec<bool>,
    /// For each member, the events they organize (soonest first).
    organized_by: Vec<Vec<usize>>,
    /// For each event, its organizers as member indexes.
    organizers_of: Vec<Vec<usize>>,
    /// For each member, people of the other side to meet (see [`introductions`]).
    suggestions: Vec<Vec<introductions::Suggestion>>,
}

impl RenderParts {
    /// Makes member `index`'s card again after its organization or role changed (the only
    /// card fields that change without moving the member in any list).
    pub fn refresh_member_card(
        &mut self,
        theme: &Theme,
        index: usize,
        organization: &Option<String>,
        role: &Option<String>,
    ) -> Result<(), BuildError> {
        let card = &mut self.views.members[index];
        card.organization.clone_from(organization);
        card.role.clone_from(role);
        let (mut values, mut cards, _) = values_and_partials(
            theme,
            "partials/member_card.html",
            "m",
            std::slice::from_ref(&*card),
            |m| (&m.slug, &m.url),
            |_| None,
        )?;
        self.member_values[index] = values.remove(0);
        self.member_cards[index] = cards.remove(0);
        self.member_unchanged[index] = false;
        Ok(())
    }
}

/// One member of a kept render, changed so that it may move in the 50-on order or between
/// taxonomy terms, prepared by [`RenderParts::prepare_move`] without touching the parts.
pub struct MemberMove {
    pub from: usize,
    pub to: usize,
    terms: views::TermUses,
    card: views::MemberCard,
    value: Value,
    partial: Value,
    row: model::GojuonRow,
    interests: views::Taxonomy,
}

impl RenderParts {
    /// Ranks the people to meet of every member of `members` (the parts' order) again.
    fn rank_suggestions(&mut self, members: &[Member], events: &[Event]) {
        let latest_activity: Vec<Option<Timestamp>> = (self.organized_by.iter())
            .map(|organized| organized.iter().map(|&e| events[e].start).max())
            .collect();
        self.suggestions = introductions::Ranking {
            members,
            interests: self.views.taxonomy(TaxonomyKind::Interests),
            latest_activity: &latest_activity,
        }
        .suggestions();
    }

    /// What `member`, member `index` of the render, is listed under (see
    /// [`views::listed_under`]).
    pub fn listed_under(&self, member: &Member, index: usize) -> Vec<(TaxonomyKind, String)> {
        views::listed_under(member, &self.views.member_terms[index])
    }

    /// Prepares member `from` of `members` (the kept render's order) to become `member` at
    /// `to` (its place once the others close up). `None` when the change would relabel an
    /// interest that others show too: a term is labelled with its first user's spelling on
    /// every card and event, so the caller derives the whole site again.
    #[allow(clippy::too_many_arguments)]
    pub fn prepare_move(
        &self,
        theme: &Theme,
        urls: &Urls,
        lang: Language,
        members: &[Member],
        events: &[Event],
        (from, to): (usize, usize),
        member: &Member,
    ) -> Result<Option<MemberMove>, BuildError> {
        let terms = views::term_keys(&member.interests);
        let new_order = (0..members.len()).map(|k| {
            if k == to {
                (member, &terms)
            } else {
                let old = index_before_move(k, from, to);
                (&members[old], &self.views.member_terms[old])
            }
        });
        let interests = views::interests_taxonomy(
            new_order,
            events
                .iter()
                .map(|e| &e.tags[..])
                .zip(&self.views.event_terms),
        );
        let old_labels = self.views.taxonomy(TaxonomyKind::Interests).labels();
        if interests.terms.iter().any(|t| {
            old_labels
                .get(t.key.as_str())
                .is_some_and(|label| *label != t.label)
        }) {
            return Ok(None);
        }
        let card = views::member_card(member, &terms, &interests.labels(), urls, lang);
        let (mut values, mut partials, _) = values_and_partials(
            theme,
            "partials/member_card.html",
            "m",
            std::slice::from_ref(&card),
            |m| (&m.slug, &m.url),
            |_| None,
        )?;
        Ok(Some(MemberMove {
            from,
            to,
            terms,
            card,
            value: values.remove(0),
            partial: partials.remove(0),
            row: views::member_row(member),
            interests,
        }))
    }

    /// Makes the parts those of the site whose `members` (the new order) moved as `change`
    /// says. Returns the members (new indexes) whose people to meet changed: those the
    /// ranking now gives others, those who suggest the moved member, and those whose reasons
    /// name an interest whose count changed.
    pub fn apply_move(
        &mut self,
        change: MemberMove,
        members: &[Member],
        events: &[Event],
        lang: Language,
    ) -> Vec<usize> {
        let (from, to) = (change.from, change.to);
        move_item(&mut self.views.members, from, to);
        move_item(&mut self.member_values, from, to);
        move_item(&mut self.member_cards, from, to);
        move_item(&mut self.member_unchanged, from, to);
        move_item(&mut self.views.member_rows, from, to);
        move_item(&mut self.views.member_terms, from, to);
        move_item(&mut self.organized_by, from, to);
        move_item(&mut self.suggestions, from, to);
        self.views.members[to] = change.card;
        self.member_values[to] = change.value;
        self.member_cards[to] = change.partial;
        self.member_unchanged[to] = false;
        self.views.member_rows[to] = change.row;
        self.views.member_terms[to] = change.terms;
        for organizers in &mut self.organizers_of {
            for member in organizers {
                *member = index_after_move(*member, from, to);
            }
        }
        // The interests' new indexes and counts, by key, to compare the old reasons with.
        let old_terms = &self.views.taxonomy(TaxonomyKind::Interests).terms;
        let new_index: HashMap<&str, usize> = (change.interests.terms.iter().enumerate())
            .map(|(i, t)| (t.key.as_str(), i))
            .collect();
        let old_to_new: Vec<Option<usize>> = (old_terms.iter())
            .map(|t| new_index.get(t.key.as_str()).copied())
            .collect();
        let recounted: Vec<bool> = (change.interests.terms.iter())
            .map(|t| {
                let old = (old_terms.iter()).find(|o| o.key == t.key);
                old.is_none_or(|o| o.members.len() != t.members.len())
            })
            .collect();
        let before: Vec<Vec<(usize, Vec<Option<usize>>)>> = (self.suggestions.iter())
            .map(|list| {
                list.iter()
                    .map(|s| {
                        let shared = s.shared.iter().map(|&t| old_to_new[t]).collect();
                        (index_after_move(s.member, from, to), shared)
                    })
                    .collect()
            })
            .collect();
        self.views.taxonomies = vec![
            change.interests,
            views::prefectures_taxonomy(members, events, lang),
            views::sectors_taxonomy(members, lang),
        ];
        self.rank_suggestions(members, events);
        (self.suggestions.iter().zip(&before).enumerate())
            .filter(|(k, (now, was))| {
                *k == to
                    || now.len() != was.len()
                    || now.iter().zip(was.iter()).any(|(s, (member, shared))| {
                        s.member != *member
                            || s.member == to
                            || s.shared.len() != shared.len()
                            || s.shared.iter().zip(shared).any(|(t, old)| Some(*t) != *old)
                            || s.shared.iter().any(|&t| recounted[t])
                    })
            })
            .map(|(k, _)| k)
            .collect()
    }
}

/// Moves item `from` to `to`, shifting those between by one.
fn move_item<T>(items: &mut [T], from: usize, to: usize) {
    if from < to {
        items[from..=to].rotate_left(1);
    } else {
        items[to..=from].rotate_right(1);
    }
}

/// Where item `index` is after item `from` moved to `to`.
pub fn index_after_move(index: usize, from: usize, to: usize) -> usize {
    if index == from {
        to
    } else if from < to && (from + 1..=to).contains(&index) {
        index - 1
    } else if to < from && (to..from).contains(&index) {
        index + 1
    } else {
        index
    }
}

/// Where item `index` was before item `from` moved to `to` (the inverse of
/// [`index_after_move`]).
fn index_before_move(index: usize, from: usize, to: usize) -> usize {
    if index == to {
        from
    } else if from < to && (from..to).contains(&index) {
        index + 1
    } else if to < from && (to + 1..=from).contains(&index) {
        index - 1
    } else {
        index
    }
}

/// The cards of an earlier render (its [`RenderParts`]), by slug: a rebuild
/// (`portal serve`) renders again only the cards whose view changed.
pub struct CardMemo<'p> {
    parts: &'p RenderParts,
    members: std::collections::HashMap<&'p str, usize>,
    events: std::collections::HashMap<&'p str, usize>,
}

impl<'p> CardMemo<'p> {
    pub fn of(parts: &'p RenderParts) -> Self {
        CardMemo {
            parts,
            members: (parts.views.members.iter().enumerate())
                .map(|(i, m)| (m.slug.as_str(), i))
                .collect(),
            events: (parts.views.events.iter().enumerate())
                .map(|(i, e)| (e.slug.as_str(), i))
                .collect(),
        }
    }

    fn member(&self, slug: &str) -> Option<(&views::MemberCard, &Value, &Value)> {
        let &i = self.members.get(slug)?;
        let parts = self.parts;
        Some((
            &parts.views.members[i],
            &parts.member_values[i],
            &parts.member_cards[i],
        ))
    }

    fn event(&self, slug: &str) -> Option<(&views::EventCard, &Value, &Value)> {
        let &i = self.events.get(slug)?;
        let parts = self.parts;
        Some((
            &parts.views.events[i],
            &parts.event_values[i],
            &parts.event_items[i],
        ))
    }
}

/// Everything one output is made from, besides the theme and the site-wide values (site.yaml,
/// the menu, the base URL), which a rebuild compares on their own. Two equal keys make the
/// same bytes, so a rebuild renders only the outputs whose key changed.
pub enum JobKey {
    /// A profile: the member, their card's value, the events they organize and the people
    /// to meet (each one's card value and the reason).
    Member {
        member: Member,
        value: Value,
        organizes: Vec<Value>,
        meet: Vec<(Value, String)>,
    },
    /// An event page: the event, its value and its organizers' cards.
    Event {
        event: Event,
        value: Value,
        organizers: Vec<Value>,
    },
    EventCalendar(Event),
    Page(Page),
    /// Lists and indexes: their whole (cheap, card-sharing) context.
    Context {
        template: &'static str,
        context: Context,
    },
    /// Made every time: feeds, calendars and the sitemap read everything.
    Always,
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        base_url: &str,
        now: Timestamp,
    ) -> Result<Self, BuildError> {
        Self::with_memo(site, theme, base_url, now, None)
    }

    /// [`Renderer::new`], reusing the cards of `memo` whose values have not changed.
    pub fn with_memo(
        site: &'a Site,
        theme: &'a Theme,
        base_url: &str,
        now: Timestamp,
        memo: Option<&CardMemo<'_>>,
    ) -> Result<Self, BuildError> {
        let urls = Urls::new(base_url);
        let lang = site.config.language;
        let views = Views::new(&site.members, &site.events, &urls, lang, now);
        let (member_values, member_cards, member_unchanged) = values_and_partials(
            theme,
            "partials/member_card.html",
            "m",
            &views.members,
            |m| (&m.slug, &m.url),
            |slug| memo.and_then(|m| m.member(slug)),
        )?;
        let (event_values, event_items, event_unchanged) = values_and_partials(
            theme,
            "partials/event_item.html",
            "e",
            &views.events,
            |e| (&e.slug, &e.url),
            |slug| memo.and_then(|m| m.event(slug)),
        )?;
        let member_index: std::collections::HashMap<&str, usize> = site
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.slug.as_str(), i))
            .collect();
        let mut organized_by = vec![Vec::new(); site.members.len()];
        let organizers_of: Vec<Vec<usize>> = site
            .events
            .iter()
            .enumerate()
            .map(|(event, e)| {
                let members: Vec<usize> = e
                    .organizers
                    .iter()
                    .filter_map(|o| member_index.get(o.value.as_str()).copied())
                    .collect();
                for &member in &members {
                    organized_by[member].push(event);
                }
                members
            })
            .collect();
        let mut parts = RenderParts {
            views,
            member_values,
            event_values,
            member_cards,
            event_items,
            member_unchanged,
            event_unchanged,
            organized_by,
            organizers_of,
            suggestions: Vec::new(),
        };
        parts.rank_suggestions(&site.members, &site.events);
        Ok(Renderer {
            site,
            theme,
            urls,
            lang,
            now,
            parts,
        })
    }

    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The search index of the site (see [`crate::search_index`]), by path.
    pub fn search_files(&self) -> Vec<(String, Vec<u8>)> {
        crate::search_index::files(
            &self.site.members,
            &self.site.events,
            &self.site.posts,
            &self.parts.views,
            &self.urls,
            self.lang,
        )
    }

    /// What the renderer derived from the site (views, values, cards, indexes), to keep for
    /// a later [`Renderer::from_parts`] or to free on another thread (freeing tens of
    /// thousands of values takes a noticeable share of a build).
    pub fn into_parts(self) -> RenderParts {
        self.parts
    }

    /// A renderer of `site` from what an earlier renderer of the same site derived: nothing
    /// is computed again. The caller keeps `parts` and `site` together: a change to the site
    /// must be reflected in the parts (see [`RenderParts::refresh_member_card`]), or it
    /// needs [`Renderer::new`].
    pub fn from_parts(
        site: &'a Site,
        theme: &'a Theme,
        base_url: &str,
        now: Timestamp,
        parts: RenderParts,
    ) -> Self {
        Renderer {
            site,
            theme,
            urls: Urls::new(base_url),
            lang: site.config.language,
            now,
            parts,
        }
    }

    /// `job`'s key when it differs from `old` (or there is none): the output must be made
    /// again. `None` when the output would be the same. Unlike [`Renderer::key`], an
    /// unchanged profile or event is compared in place, without copying it.
    pub fn key_if_changed(&self, job: &Job, old: Option<&JobKey>) -> Option<JobKey> {
        let same_items = |old: &[Value], indexes: &[usize], values: &[Value]| {
            old.len() == indexes.len() && old.iter().zip(indexes).all(|(v, &i)| *v == values[i])
        };
        let unchanged = match (job, old) {
            (
                Job::Member(i),
                Some(JobKey::Member {
                    member,
                    value,
                    organizes,
                    meet,
                }),
            ) => {
                *member == self.site.members[*i]
                    && (self.parts.member_unchanged[*i] || *value == self.parts.member_values[*i])
                    && same_items(
                        organizes,
                        &self.parts.organized_by[*i],
                        &self.parts.event_items,
                    )
                    && *meet == self.people_to_meet(*i)
            }
            (
                Job::Event(i),
                Some(JobKey::Event {
                    event,
                    value,
                    organizers,
                }),
            ) => {
                *event == self.site.events[*i]
                    && (self.parts.event_unchanged[*i] || *value == self.parts.event_values[*i])
                    && same_items(
                        organizers,
                        &self.parts.organizers_of[*i],
                        &self.parts.member_cards,
                    )
            }
            (Job::EventCalendar(i), Some(JobKey::EventCalendar(event))) => {
                *event == self.site.events[*i]
            }
            (Job::Page(i), Some(JobKey::Page(page))) => *page == self.site.pages[*i],
            // A list, index or feed: its whole context is its key (feeds are never the same).
            _ => {
                let key = self.key(job);
                let same = match (&key, old) {
                    (
                        JobKey::Context { template, context },
                        Some(JobKey::Context {
                            template: t,
                            context: c,
                        }),
                    ) => template == t && context == c,
                    _ => false,
                };
                return (!same).then_some(key);
            }
        };
        (!unchanged).then(|| self.key(job))
    }

    /// Every output that shows member `index`'s card or profile: the profile, the directory
    /// page and each taxonomy page that lists the member, the events they organize, the
    /// home page and the feed.
    pub fn jobs_showing_member(&self, index: usize) -> Vec<Job> {
        let per_page = self.per_page().max(1);
        let mut jobs = vec![
            Job::Member(index),
            Job::MemberList {
                page: index / per_page + 1,
            },
            Job::Home,
            Job::Feed,
        ];
        for kind in TaxonomyKind::ALL {
            for (term, t) in self.parts.views.taxonomy(kind).terms.iter().enumerate() {
                if let Some(at) = t.members.iter().position(|&m| m == index) {
                    jobs.push(Job::Term {
                        kind,
                        term,
                        page: at / per_page + 1,
                    });
                }
            }
        }
        jobs.extend(
            self.parts.organized_by[index]
                .iter()
                .map(|&e| Job::Event(e)),
        );
        jobs.extend(self.suggesting(index).map(Job::Member));
        jobs.extend(self.posts_by(index));
        jobs
    }

    /// The posts member `index` wrote and the news pages that list them (they show the
    /// member's name).
    fn posts_by(&self, index: usize) -> Vec<Job> {
        let slug = &self.site.members[index].slug;
        let written: Vec<Job> = (self.site.posts.iter().enumerate())
            .filter(|(_, p)| p.author.as_ref().is_some_and(|a| a.value == *slug))
            .map(|(i, _)| Job::Post(i))
            .collect();
        if written.is_empty() {
            return written;
        }
        let pages = page_count(self.site.posts.len(), self.per_page());
        (1..=pages)
            .map(|page| Job::NewsList { page })
            .chain(written)
            .collect()
    }

    /// The members whose profiles suggest member `index` to meet.
    fn suggesting(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        (self.parts.suggestions.iter().enumerate())
            .filter(move |(_, list)| list.iter().any(|s| s.member == index))
            .map(|(k, _)| k)
    }

    /// What member `index` is listed under (see [`views::listed_under`]).
    pub fn listed_under(&self, index: usize) -> Vec<(TaxonomyKind, String)> {
        self.parts.listed_under(&self.site.members[index], index)
    }

    /// Every output that can change when member `from` changed and moved to `to` (see
    /// [`RenderParts::apply_move`]), once this renderer has the new site: the profile, the
    /// directory pages between the two places (all of them when the sector changed, as each
    /// shows the sectors' counts), every page of each term the member was or is listed
    /// under, the taxonomy indexes when the member changed terms, the events they
    /// organize, the home page and the feed. `before` is what the member was listed under
    /// (see [`views::listed_under`]). Outputs that appear or disappear because a term
    /// gained or lost pages are not here: the caller compares [`Renderer::plan`] with what
    /// it had.
    pub fn jobs_after_move(
        &self,
        from: usize,
        to: usize,
        before: &[(TaxonomyKind, String)],
    ) -> Vec<Job> {
        let per_page = self.per_page().max(1);
        let after = self.listed_under(to);
        let mut jobs = vec![Job::Member(to), Job::Home, Job::Feed];
        let sector_changed = before.iter().find(|(k, _)| *k == TaxonomyKind::Sectors)
            != after.iter().find(|(k, _)| *k == TaxonomyKind::Sectors);
        let directory = if sector_changed {
            1..=page_count(self.site.members.len(), per_page)
        } else {
            from.min(to) / per_page + 1..=from.max(to) / per_page + 1
        };
        jobs.extend(directory.map(|page| Job::MemberList { page }));
        if before != after {
            jobs.extend(TaxonomyKind::ALL.map(Job::TaxonomyIndex));
            jobs.push(Job::IntroductionIndex);
            jobs.extend(model::Sector::ALL.map(Job::Introductions));
            // Its filters count the members of each term.
            jobs.push(Job::Search);
        }
        for kind in TaxonomyKind::ALL {
            for (index, term) in self.parts.views.taxonomy(kind).terms.iter().enumerate() {
                let listed = |under: &[(TaxonomyKind, String)]| {
                    under.iter().any(|(k, key)| *k == kind && *key == term.key)
                };
                if !self.has_page(kind, term) || !(listed(before) || listed(&after)) {
                    continue;
                }
                let pages = page_count(term.members.len(), per_page);
                jobs.extend((1..=pages).map(|page| Job::Term {
                    kind,
                    term: index,
                    page,
                }));
            }
        }
        jobs.extend(self.parts.organized_by[to].iter().map(|&e| Job::Event(e)));
        jobs.extend(self.posts_by(to));
        jobs
    }

    /// What `job`'s output is made from (see [`JobKey`]).
    pub fn key(&self, job: &Job) -> JobKey {
        let items = |indexes: &[usize], values: &[Value]| -> Vec<Value> {
            indexes.iter().map(|&i| values[i].clone()).collect()
        };
        match job {
            Job::Member(i) => JobKey::Member {
                member: self.site.members[*i].clone(),
                value: self.parts.member_values[*i].clone(),
                organizes: items(&self.parts.organized_by[*i], &self.parts.event_items),
                meet: self.people_to_meet(*i),
            },
            Job::Event(i) => JobKey::Event {
                event: self.site.events[*i].clone(),
                value: self.parts.event_values[*i].clone(),
                organizers: items(&self.parts.organizers_of[*i], &self.parts.member_cards),
            },
            Job::EventCalendar(i) => JobKey::EventCalendar(self.site.events[*i].clone()),
            Job::Page(i) => JobKey::Page(self.site.pages[*i].clone()),
            Job::Calendar | Job::Feed | Job::Sitemap | Job::Robots => JobKey::Always,
            _ => {
                let (template, context) = self.page_context(job, &self.path_of(job));
                JobKey::Context { template, context }
            }
        }
    }

    /// Member `index`'s people to meet: each one's card value and the reason
    /// ("防災・オープンデータに関心": the shared interests, rarest first, three at most).
    fn people_to_meet(&self, index: usize) -> Vec<(Value, String)> {
        let interests = &self.parts.views.taxonomy(TaxonomyKind::Interests).terms;
        let separator = self.t("meet_separator");
        let reason = self.t("meet_reason");
        self.parts.suggestions[index]
            .iter()
            .map(|s| {
                let shared: Vec<&str> = (s.shared.iter().take(3))
                    .map(|&t| interests[t].label.as_str())
                    .collect();
                (
                    self.parts.member_values[s.member].clone(),
                    reason.replace("{interests}", &shared.join(&separator)),
                )
            })
            .collect()
    }

    /// What lists and the post page show of post `index`.
    fn post_view(&self, index: usize) -> PostView {
        let post = &self.site.posts[index];
        let interests = self.parts.views.taxonomy(TaxonomyKind::Interests);
        let author = (post.author.as_ref())
            .and_then(|a| self.site.members.iter().position(|m| m.slug == a.value))
            .map(|m| LinkView {
                label: self.site.members[m].name.clone(),
                url: self.parts.views.members[m].url.clone(),
            });
        let tags = views::term_keys(&post.tags)
            .into_iter()
            .map(|(key, spelling)| {
                let term = interests.terms.iter().find(|t| t.key == key);
                TagView {
                    label: term
                        .map_or_else(|| post.tags[spelling].value.clone(), |t| t.label.clone()),
                    url: term.map(|t| self.urls.link(&t.path)),
                }
            })
            .collect();
        PostView {
            title: post.title.clone(),
            url: self.urls.link(&post_path(&post.slug)),
            date: crate::dates::date(post.date, self.lang),
            date_iso: post.date.to_string(),
            author,
            tags,
            summary: markdown::plain_text(&post.body, 120),
        }
    }

    /// How many members of each sector have each interest (see
    /// [`introductions::sector_counts`]).
    fn interest_sector_counts(&self) -> Vec<[usize; 6]> {
        introductions::sector_counts(
            &self.site.members,
            self.parts.views.taxonomy(TaxonomyKind::Interests),
        )
    }

    fn per_page(&self) -> usize {
        self.site.config.members_per_page
    }

    /// Every output of the site, in a stable order.
    pub fn plan(&self) -> Vec<Job> {
        let mut jobs = vec![
            Job::Home,
            Job::EventList,
            Job::EventNew,
            Job::Search,
            Job::Calendar,
            Job::Admin,
            Job::NotFound,
            Job::Feed,
            Job::Sitemap,
            Job::Robots,
        ];
        jobs.extend(
            (1..=page_count(self.site.members.len(), self.per_page()))
                .map(|page| Job::MemberList { page }),
        );
        jobs.extend((0..self.site.members.len()).map(Job::Member));
        jobs.extend(
            (0..self.site.events.len()).flat_map(|i| [Job::Event(i), Job::EventCalendar(i)]),
        );
        jobs.extend((0..self.site.pages.len()).map(Job::Page));
        jobs.extend(
            (1..=page_count(self.site.posts.len(), self.per_page()))
                .map(|page| Job::NewsList { page }),
        );
        jobs.extend((0..self.site.posts.len()).map(Job::Post));
        for kind in TaxonomyKind::ALL {
            jobs.push(Job::TaxonomyIndex(kind));
            if kind == TaxonomyKind::Sectors {
                jobs.push(Job::IntroductionIndex);
                jobs.extend(model::Sector::ALL.map(Job::Introductions));
            }
            for (index, term) in self.parts.views.taxonomy(kind).terms.iter().enumerate() {
                if !self.has_page(kind, term) {
                    continue;
                }
                let pages = page_count(term.members.len(), self.per_page());
                jobs.extend((1..=pages).map(|page| Job::Term {
                    kind,
                    term: index,
                    page,
                }));
            }
        }
        jobs
    }

    /// Sectors always have a page; prefectures and interests only when something is listed.
    fn has_page(&self, kind: TaxonomyKind, term: &views::Term) -> bool {
        kind == TaxonomyKind::Sectors || !term.members.is_empty() || !term.events.is_empty()
    }

    /// The site path a job is served at (percent-encoded).
    pub fn path_of(&self, job: &Job) -> String {
        match job {
            Job::Home => "/".into(),
            Job::MemberList { page } => paged("/members/", *page),
            Job::Member(i) => member_path(&self.site.members[*i].slug),
            Job::EventList => "/events/".into(),
            Job::EventNew => "/events/new/".into(),
            Job::Event(i) => event_path(&self.site.events[*i].slug),
            Job::EventCalendar(i) => views::ics_path(&self.site.events[*i].slug),
            Job::Calendar => "/events/calendar.ics".into(),
            Job::TaxonomyIndex(kind) => kind.path().into(),
            Job::IntroductionIndex => "/introductions/".into(),
            Job::Introductions(sector) => format!("/introductions/{}/", sector.slug()),
            Job::Term { kind, term, page } => {
                paged(&self.parts.views.taxonomy(*kind).terms[*term].path, *page)
            }
            Job::Page(i) => format!("/{}/", self.site.pages[*i].slug),
            Job::NewsList { page } => paged("/news/", *page),
            Job::Post(i) => post_path(&self.site.posts[*i].slug),
            Job::Search => "/search/".into(),
            Job::Admin => "/admin/".into(),
            Job::NotFound => "/404.html".into(),
            Job::Feed => "/feed.xml".into(),
            Job::Sitemap => "/sitemap.xml".into(),
            Job::Robots => "/robots.txt".into(),
        }
    }

    /// Whether a job is an HTML page that belongs in the sitemap.
    pub fn is_listed_page(job: &Job) -> bool {
        !matches!(
            job,
            Job::NotFound
                | Job::Admin
                | Job::Search
                | Job::Feed
                | Job::Sitemap
                | Job::Robots
                | Job::Calendar
                | Job::EventCalendar(_)
        )
    }

    pub fn render(&self, job: &Job, sitemap_paths: &[String]) -> Result<RenderedFile, BuildError> {
        self.render_from(job, None, sitemap_paths)
    }

    /// [`Renderer::render`] with the job's key already made, whose context it reuses.
    pub fn render_keyed(
        &self,
        job: &Job,
        key: &JobKey,
        sitemap_paths: &[String],
    ) -> Result<RenderedFile, BuildError> {
        self.render_from(job, Some(key), sitemap_paths)
    }

    fn render_from(
        &self,
        job: &Job,
        key: Option<&JobKey>,
        sitemap_paths: &[String],
    ) -> Result<RenderedFile, BuildError> {
        let path = self.path_of(job);
        let bytes = match job {
            Job::Calendar => calendar::calendar(self.site, &self.urls, self.now, None).into_bytes(),
            Job::EventCalendar(i) => {
                calendar::calendar(self.site, &self.urls, self.now, Some(*i)).into_bytes()
            }
            Job::Feed => feeds::atom(self.site, &self.parts.views, &self.urls).into_bytes(),
            Job::Sitemap => feeds::sitemap(&self.urls, sitemap_paths).into_bytes(),
            Job::Robots => format!(
                "User-agent: *\nAllow: /\n\nSitemap: {}\n",
                self.urls.absolute("/sitemap.xml")
            )
            .into_bytes(),
            _ => {
                let made;
                let (template, context) = match key {
                    Some(JobKey::Context { template, context }) => (*template, context),
                    _ => {
                        made = self.page_context(job, &path);
                        (made.0, &made.1)
                    }
                };
                self.theme
                    .render_bytes(template, context)
                    .map_err(|message| BuildError::Render {
                        template: template.to_owned(),
                        page: path.clone(),
                        message,
                    })?
            }
        };
        Ok(RenderedFile {
            path: file_for(&path),
            bytes,
        })
    }

    fn t(&self, key: &str) -> String {
        self.theme.translate(key)
    }

    fn meta(
        &self,
        title: String,
        description: String,
        path: &str,
        og_type: &'static str,
    ) -> PageMeta {
        PageMeta {
            title,
            description,
            path: path.to_owned(),
            canonical: self.urls.absolute(path),
            og_type,
            image: None,
            noindex: false,
        }
    }

    fn context(&self, meta: PageMeta) -> Context {
        let mut context = Context::new();
        context.insert("page", &meta);
        context
    }

    fn page_context(&self, job: &Job, path: &str) -> (&'static str, Context) {
        let site_title = &self.site.config.title;
        match job {
            Job::Home => {
                let mut c = self.context(self.meta(
                    site_title.clone(),
                    self.site.config.description.clone(),
                    path,
                    "website",
                ));
                let upcoming: Vec<Value> = self
                    .upcoming_indexes()
                    .take(3)
                    .map(|i| self.parts.event_items[i].clone())
                    .collect();
                let mut newest: Vec<usize> = (0..self.site.members.len()).collect();
                newest.sort_by(|&a, &b| {
                    let (ma, mb) = (&self.site.members[a], &self.site.members[b]);
                    mb.joined
                        .cmp(&ma.joined)
                        .then_with(|| ma.slug.cmp(&mb.slug))
                });
                let newest: Vec<Value> = newest
                    .into_iter()
                    .take(6)
                    .map(|i| self.parts.member_cards[i].clone())
                    .collect();
                c.insert_value("upcoming", Value::from(upcoming.as_slice()));
                c.insert_value("newest", Value::from(newest.as_slice()));
                let news: Vec<PostView> = (0..self.site.posts.len().min(3))
                    .map(|i| self.post_view(i))
                    .collect();
                c.insert("news", &news);
                c.insert("member_count", &self.site.members.len());
                c.insert("upcoming_count", &self.upcoming_indexes().count());
                ("index.html", c)
            }
            Job::MemberList { page } => {
                let title = self.t("members");
                let mut c = self.context(self.meta(
                    self.titled(&title, *page),
                    self.t("members_description"),
                    path,
                    "website",
                ));
                let range = page_range(self.site.members.len(), self.per_page(), *page);
                let mut groups: Vec<MemberGroup> = Vec::new();
                for i in range {
                    let row = self.parts.views.member_rows[i];
                    let label = match self.lang {
                        Language::Ja => row.label_ja(),
                        Language::En => row.label_en(),
                    };
                    if groups.last().is_none_or(|g| g.id != row.id()) {
                        groups.push(MemberGroup {
                            label,
                            id: row.id(),
                            members: Vec::new(),
                        });
                    }
                    if let Some(group) = groups.last_mut() {
                        group.members.push(self.parts.member_cards[i].clone());
                    }
                }
                c.insert("heading", &title);
                c.insert("groups", &groups);
                c.insert("total", &self.site.members.len());
                c.insert(
                    "pagination",
                    &self.pagination("/members/", self.site.members.len(), *page),
                );
                c.insert("sectors", &self.term_group(TaxonomyKind::Sectors).terms);
                ("members.html", c)
            }
            Job::Member(i) => {
                let member = &self.site.members[*i];
                let card = &self.parts.views.members[*i];
                let mut summary = vec![card.sector.label.clone()];
                summary.extend(member.organization.clone());
                let description = format!(
                    "{}（{}）{}",
                    member.name,
                    summary.join("・"),
                    markdown::plain_text(&member.body, 100)
                );
                let mut meta = self.meta(member.name.clone(), description, path, "profile");
                meta.image = member
                    .photo
                    .as_ref()
                    .map(|p| self.urls.absolute(&format!("/{}", p.value)));
                let mut c = self.context(meta);
                c.insert_value("member", self.parts.member_values[*i].clone());
                c.insert("bio", &markdown::render(&member.body, Trust::Member, 3));
                let links: Vec<LinkView> = member
                    .links
                    .iter()
                    .map(|l| LinkView {
                        label: self.t(&format!("link_{}", l.kind)),
                        url: l.url.clone(),
                    })
                    .collect();
                c.insert("links", &links);
                let organizes: Vec<Value> = self.parts.organized_by[*i]
                    .iter()
                    .map(|&e| self.parts.event_items[e].clone())
                    .collect();
                c.insert_value("organizes", Value::from(organizes.as_slice()));
                // The cards' values as they are (shared, not copied) and the reasons beside.
                let (meet, reasons): (Vec<Value>, Vec<String>) =
                    self.people_to_meet(*i).into_iter().unzip();
                c.insert_value("people_to_meet", Value::from(meet.as_slice()));
                c.insert("meet_reasons", &reasons);
                c.insert("member_sector", member.sector.slug());
                ("member.html", c)
            }
            Job::EventList => {
                let mut c = self.context(self.meta(
                    self.t("events"),
                    self.t("events_description"),
                    path,
                    "website",
                ));
                self.insert_event_lists(&mut c, 0..self.site.events.len());
                c.insert("calendar_url", &self.urls.link("/events/calendar.ics"));
                ("events.html", c)
            }
            Job::Search => {
                let title = self.t("search_title");
                let mut meta =
                    self.meta(title.clone(), self.t("search_description"), path, "website");
                // Results are made in the browser: the page itself says nothing to index.
                meta.noindex = true;
                let mut c = self.context(meta);
                c.insert("heading", &title);
                c.insert("filters", &self.search_filters());
                c.insert(
                    "index_url",
                    &self
                        .urls
                        .link(&format!("/{}index.json", crate::search_index::FOLDER)),
                );
                ("search.html", c)
            }
            Job::EventNew => {
                let title = self.t("announce_title");
                let mut c = self.context(self.meta(
                    title.clone(),
                    self.t("announce_description"),
                    path,
                    "website",
                ));
                c.insert("heading", &title);
                c.insert("join", &self.join_choices());
                ("event_new.html", c)
            }
            Job::Event(i) => {
                let event = &self.site.events[*i];
                let card = &self.parts.views.events[*i];
                let description =
                    format!("{} {}", card.when, markdown::plain_text(&event.body, 100));
                let mut c = self.context(self.meta(
                    event.title.clone(),
                    description.trim().to_owned(),
                    path,
                    "article",
                ));
                c.insert_value("event", self.parts.event_values[*i].clone());
                c.insert("body", &markdown::render(&event.body, Trust::Member, 3));
                c.insert(
                    "venue",
                    &event.venue.as_ref().map(|v| VenueView {
                        name: &v.name,
                        address: &v.address,
                        url: &v.url,
                    }),
                );
                c.insert("registration_url", &event.registration_url);
                let organizers: Vec<Value> = self.parts.organizers_of[*i]
                    .iter()
                    .map(|&m| self.parts.member_cards[m].clone())
                    .collect();
                c.insert_value("organizers", Value::from(organizers.as_slice()));
                c.insert("event_organizer_name", &event.organizer_name);
                ("event.html", c)
            }
            Job::TaxonomyIndex(kind) => {
                let title = self.t(kind.title_key());
                let mut c = self.context(self.meta(
                    title.clone(),
                    self.t(&format!("{}_description", kind.title_key())),
                    path,
                    "website",
                ));
                c.insert("heading", &title);
                let groups = if *kind == TaxonomyKind::Prefectures {
                    self.region_groups()
                } else {
                    vec![self.term_group(*kind)]
                };
                c.insert("groups", &groups);
                c.insert("kind", kind.title_key());
                ("taxonomy_index.html", c)
            }
            Job::IntroductionIndex => {
                let title = self.t("introductions");
                let mut c = self.context(self.meta(
                    title.clone(),
                    self.t("introductions_description"),
                    path,
                    "website",
                ));
                let counts = self.interest_sector_counts();
                let sectors: Vec<TermView> = model::Sector::ALL
                    .iter()
                    .map(|&sector| TermView {
                        label: views::sector_name(sector, self.lang).to_owned(),
                        url: Some(
                            self.urls
                                .link(&format!("/introductions/{}/", sector.slug())),
                        ),
                        members: introductions::shared_with_other_side(&counts, sector).len(),
                        events: 0,
                    })
                    .collect();
                c.insert("heading", &title);
                c.insert("sectors", &sectors);
                ("introductions.html", c)
            }
            Job::Introductions(sector) => {
                let label = views::sector_name(*sector, self.lang);
                let title = self.t("introductions_sector").replace("{sector}", label);
                let mut c = self.context(
                    self.meta(
                        title.clone(),
                        self.t("introductions_sector_description")
                            .replace("{sector}", label),
                        path,
                        "website",
                    ),
                );
                let counts = self.interest_sector_counts();
                let terms = &self.parts.views.taxonomy(TaxonomyKind::Interests).terms;
                let own = introductions::sector_position(*sector);
                let rows: Vec<IntroductionRow> =
                    introductions::shared_with_other_side(&counts, *sector)
                        .into_iter()
                        .map(|t| {
                            let mut sides = vec![SectorCount {
                                label: label.to_owned(),
                                n: counts[t][own],
                            }];
                            sides.extend(
                                (model::Sector::ALL.iter().zip(counts[t]))
                                    .filter(|(s, n)| {
                                        *n > 0
                                            && introductions::is_public(**s)
                                                != introductions::is_public(*sector)
                                    })
                                    .map(|(s, n)| SectorCount {
                                        label: views::sector_name(*s, self.lang).to_owned(),
                                        n,
                                    }),
                            );
                            IntroductionRow {
                                label: terms[t].label.clone(),
                                url: self.urls.link(&terms[t].path),
                                sides,
                            }
                        })
                        .collect();
                c.insert("heading", &title);
                c.insert("rows", &rows);
                c.insert("sector_url", &self.urls.link(&views::sector_path(*sector)));
                c.insert("index_url", &self.urls.link("/introductions/"));
                ("introductions.html", c)
            }
            Job::Term { kind, term, page } => {
                let t = &self.parts.views.taxonomy(*kind).terms[*term];
                let description = self
                    .t(&format!("{}_term_description", kind.title_key()))
                    .replace("{term}", &t.label);
                let mut c = self.context(self.meta(
                    self.titled(&t.label, *page),
                    description,
                    path,
                    "website",
                ));
                c.insert("heading", &t.label);
                c.insert("kind", kind.title_key());
                c.insert("kind_title", &self.t(kind.title_key()));
                c.insert("index_url", &self.urls.link(kind.path()));
                let members: Vec<Value> = page_range(t.members.len(), self.per_page(), *page)
                    .map(|i| self.parts.member_cards[t.members[i]].clone())
                    .collect();
                c.insert_value("members", Value::from(members.as_slice()));
                c.insert("member_total", &t.members.len());
                c.insert(
                    "pagination",
                    &self.pagination(&t.path, t.members.len(), *page),
                );
                let events = if *page == 1 {
                    t.events.clone()
                } else {
                    Vec::new()
                };
                self.insert_event_lists(&mut c, events.into_iter());
                ("taxonomy.html", c)
            }
            Job::NewsList { page } => {
                let title = self.t("news");
                let mut c = self.context(self.meta(
                    self.titled(&title, *page),
                    self.t("news_description"),
                    path,
                    "website",
                ));
                let posts: Vec<PostView> =
                    page_range(self.site.posts.len(), self.per_page(), *page)
                        .map(|i| self.post_view(i))
                        .collect();
                c.insert("heading", &title);
                c.insert("posts", &posts);
                c.insert(
                    "pagination",
                    &self.pagination("/news/", self.site.posts.len(), *page),
                );
                ("news.html", c)
            }
            Job::Post(i) => {
                let post = &self.site.posts[*i];
                let view = self.post_view(*i);
                let mut c = self.context(self.meta(
                    post.title.clone(),
                    view.summary.clone(),
                    path,
                    "article",
                ));
                c.insert("post", &view);
                c.insert("body", &markdown::render(&post.body, Trust::Member, 2));
                ("post.html", c)
            }
            Job::Page(i) => {
                let page = &self.site.pages[*i];
                let description = page
                    .description
                    .clone()
                    .unwrap_or_else(|| markdown::plain_text(&page.body, 120));
                let mut c =
                    self.context(self.meta(page.title.clone(), description, path, "article"));
                c.insert("heading", &page.title);
                c.insert("body", &markdown::render(&page.body, Trust::Editor, 2));
                c.insert("slug", &page.slug);
                if page.slug == "join" {
                    c.insert("join", &self.join_choices());
                }
                ("page.html", c)
            }
            Job::Admin => {
                let mut meta = self.meta(
                    self.t("admin_title"),
                    self.t("admin_description"),
                    path,
                    "website",
                );
                meta.noindex = true;
                let mut c = self.context(meta);
                let events: Vec<AdminEvent<'_>> = self
                    .site
                    .events
                    .iter()
                    .zip(&self.parts.views.events)
                    .filter(|(event, _)| event.capacity.is_some())
                    .map(|(event, view)| AdminEvent {
                        slug: &event.slug,
                        title: &event.title,
                        when: &view.when,
                        url: &view.url,
                        upcoming: view.upcoming,
                        capacity: event.capacity.unwrap_or_default(),
                    })
                    .collect();
                c.insert("events", &events);
                c.insert("admin_data", &self.admin_data());
                ("admin.html", c)
            }
            Job::NotFound => (
                "404.html",
                self.context(self.meta(
                    self.t("not_found"),
                    self.t("not_found_description"),
                    path,
                    "website",
                )),
            ),
            Job::Calendar | Job::EventCalendar(_) | Job::Feed | Job::Sitemap | Job::Robots => {
                unreachable!("rendered without a template")
            }
        }
    }

    /// What the editors' page script needs to show a submission as the site will: its UI
    /// strings (`admin_*` of the theme's translations) and the names of sectors and
    /// prefectures, as JSON that is safe inside a `<script type="application/json">`.
    fn admin_data(&self) -> String {
        use model::Choice;
        let strings: std::collections::BTreeMap<&str, &str> = self
            .theme
            .strings()
            .iter()
            .filter(|(key, _)| {
                key.starts_with("admin_")
                    || key.starts_with("link_")
                    || PREVIEW_LABELS.contains(&key.as_str())
            })
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        let name = |ja: &'static str, en: &'static str| match self.lang {
            Language::Ja => ja,
            Language::En => en,
        };
        let sectors: std::collections::BTreeMap<&str, &str> = model::Sector::all()
            .iter()
            .map(|s| (s.slug(), name(s.name_ja(), s.name_en())))
            .collect();
        let prefectures: std::collections::BTreeMap<&str, &str> = model::Prefecture::all()
            .iter()
            .map(|p| (p.slug(), name(p.name_ja(), p.name_en())))
            .collect();
        let data = serde_json::json!({
            "strings": strings,
            "sectors": sectors,
            "prefectures": prefectures,
            "locale": name("ja-JP", "en-GB"),
        });
        data.to_string().replace('<', "\\u003c")
    }

    /// The choices of the join form: every sector and prefecture by name in the site's
    /// language, and the kinds of links a member may give.
    fn join_choices(&self) -> serde_json::Value {
        use model::Choice;
        let name = |ja: &'static str, en: &'static str| match self.lang {
            Language::Ja => ja,
            Language::En => en,
        };
        let sectors: Vec<serde_json::Value> = model::Sector::all()
            .iter()
            .map(
                |s| serde_json::json!({ "slug": s.slug(), "name": name(s.name_ja(), s.name_en()) }),
            )
            .collect();
        let prefectures: Vec<serde_json::Value> = model::Prefecture::all()
            .iter()
            .map(
                |p| serde_json::json!({ "slug": p.slug(), "name": name(p.name_ja(), p.name_en()) }),
            )
            .collect();
        serde_json::json!({
            "sectors": sectors,
            "prefectures": prefectures,
            "link_kinds": model::member::LINK_KINDS,
        })
    }

    /// Indexes of events that have not finished, soonest first.
    fn upcoming_indexes(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.site.events.len()).filter(|&i| self.parts.views.events[i].upcoming)
    }

    /// Splits events into upcoming (soonest first) and past (newest first).
    fn insert_event_lists(&self, c: &mut Context, indexes: impl Iterator<Item = usize>) {
        let (upcoming, mut past): (Vec<usize>, Vec<usize>) =
            indexes.partition(|&i| self.parts.views.events[i].upcoming);
        past.reverse();
        let values = |list: Vec<usize>| -> Value {
            let values: Vec<Value> = list
                .into_iter()
                .map(|i| self.parts.event_items[i].clone())
                .collect();
            Value::from(values.as_slice())
        };
        c.insert_value("upcoming_events", values(upcoming));
        c.insert_value("past_events", values(past));
    }

    fn titled(&self, title: &str, page: usize) -> String {
        if page > 1 {
            format!(
                "{title} ({})",
                self.t("page_n").replace("{n}", &page.to_string())
            )
        } else {
            title.to_owned()
        }
    }

    fn pagination(&self, first: &str, items: usize, current: usize) -> Pagination {
        let total = page_count(items, self.per_page());
        let url = |n: usize| self.urls.link(&paged(first, n));
        Pagination {
            current,
            total,
            prev: (current > 1).then(|| url(current - 1)),
            next: (current < total).then(|| url(current + 1)),
            pages: page_window(total, current)
                .into_iter()
                .map(|(number, gap_before)| PageLink {
                    number,
                    url: url(number),
                    current: number == current,
                    gap_before,
                })
                .collect(),
        }
    }

    fn term_view(&self, kind: TaxonomyKind, term: &views::Term) -> TermView {
        TermView {
            label: term.label.clone(),
            url: self
                .has_page(kind, term)
                .then(|| self.urls.link(&term.path)),
            members: term.members.len(),
            events: term.events.len(),
        }
    }

    fn term_group(&self, kind: TaxonomyKind) -> TermGroup {
        let terms = self
            .parts
            .views
            .taxonomy(kind)
            .terms
            .iter()
            .map(|t| self.term_view(kind, t))
            .collect();
        TermGroup { label: None, terms }
    }

    /// The search page's filters: the sectors, the prefectures and the interests that have
    /// members or events, as the index's filter tokens name them.
    fn search_filters(&self) -> SearchFilters {
        let choices = |kind: TaxonomyKind| -> Vec<(Option<String>, FilterChoice)> {
            let taxonomy = self.parts.views.taxonomy(kind);
            (taxonomy.terms.iter())
                .filter(|t| !t.members.is_empty() || !t.events.is_empty())
                .map(|t| {
                    let count = t.members.len() + t.events.len();
                    let choice = FilterChoice {
                        value: t.key.clone(),
                        label: t.label.clone(),
                        count,
                    };
                    (t.group.clone(), choice)
                })
                .collect()
        };
        let mut prefectures: Vec<FilterGroup> = Vec::new();
        for (group, choice) in choices(TaxonomyKind::Prefectures) {
            match prefectures.last_mut() {
                Some(last) if last.label == group => last.choices.push(choice),
                _ => prefectures.push(FilterGroup {
                    label: group,
                    choices: vec![choice],
                }),
            }
        }
        let all = |kind| choices(kind).into_iter().map(|(_, c)| c).collect();
        SearchFilters {
            sectors: all(TaxonomyKind::Sectors),
            prefectures,
            interests: all(TaxonomyKind::Interests),
        }
    }

    fn region_groups(&self) -> Vec<TermGroup> {
        let mut groups: Vec<TermGroup> = Vec::new();
        for term in &self.parts.views.taxonomy(TaxonomyKind::Prefectures).terms {
            if groups.last().is_none_or(|g| g.label != term.group) {
                groups.push(TermGroup {
                    label: term.group.clone(),
                    terms: Vec::new(),
                });
            }
            if let Some(group) = groups.last_mut() {
                group
                    .terms
                    .push(self.term_view(TaxonomyKind::Prefectures, term));
            }
        }
        groups
    }
}

/// Each item's template value and its partial rendered into safe HTML (in parallel), and
/// whether both were reused: an item equal to the one `memo` has for its slug keeps that
/// value and partial, which costs neither a serialization nor a render.
#[allow(clippy::type_complexity)]
fn values_and_partials<'m, T: serde::Serialize + PartialEq + Sync + 'm>(
    theme: &Theme,
    template: &str,
    name: &'static str,
    items: &[T],
    slug_and_url: impl Fn(&T) -> (&String, &String) + Sync,
    memo: impl Fn(&str) -> Option<(&'m T, &'m Value, &'m Value)> + Sync,
) -> Result<(Vec<Value>, Vec<Value>, Vec<bool>), BuildError> {
    let made: Vec<(Value, Value, bool)> = items
        .par_iter()
        .map(|item| {
            let (slug, url) = slug_and_url(item);
            if let Some((previous, value, partial)) = memo(slug)
                && previous == item
            {
                return Ok((value.clone(), partial.clone(), true));
            }
            let value = Value::from_serializable(item);
            let mut context = Context::new();
            context.insert_value(name, value.clone());
            theme
                .render(template, &context)
                .map(|html| (value, Value::safe_string(&html), false))
                .map_err(|message| BuildError::Render {
                    template: template.to_owned(),
                    page: url.clone(),
                    message,
                })
        })
        .collect::<Result<_, BuildError>>()?;
    let mut values = Vec::with_capacity(made.len());
    let mut partials = Vec::with_capacity(made.len());
    let mut reused = Vec::with_capacity(made.len());
    for (value, partial, same) in made {
        values.push(value);
        partials.push(partial);
        reused.push(same);
    }
    Ok((values, partials, reused))
}

/// How many pages a list of `items` takes: at least one, so an empty directory still has a page.
pub fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page.max(1)).max(1)
}

/// The item indexes shown on page `page` (1-based).
pub fn page_range(items: usize, per_page: usize, page: usize) -> std::ops::Range<usize> {
    let start = (page - 1) * per_page;
    start.min(items)..(start + per_page).min(items)
}

/// The page numbers a pagination bar shows: the first, the last and two on each side of the
/// current one, each with whether pages were skipped before it.
pub fn page_window(total: usize, current: usize) -> Vec<(usize, bool)> {
    let mut shown: Vec<(usize, bool)> = Vec::new();
    for number in 1..=total {
        if number == 1 || number == total || number.abs_diff(current) <= 2 {
            let gap = shown.last().is_some_and(|(last, _)| number > last + 1);
            shown.push((number, gap));
        }
    }
    shown
}

/// `/members/` for page 1, `/members/page/2/` after.
pub fn paged(first: &str, page: usize) -> String {
    if page <= 1 {
        first.to_owned()
    } else {
        format!("{first}page/{page}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_at_the_edges() {
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(1, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_range(51, 50, 2), 50..51);
        assert_eq!(page_range(0, 50, 1), 0..0);
    }

    #[test]
    fn the_pagination_bar_stays_short() {
        assert_eq!(page_window(3, 1), [(1, false), (2, false), (3, false)]);
        let window: Vec<usize> = page_window(1000, 500).into_iter().map(|(n, _)| n).collect();
        assert_eq!(window, [1, 498, 499, 500, 501, 502, 1000]);
        assert!(page_window(1000, 500)[1].1 && !page_window(1000, 500)[2].1);
    }

    #[test]
    fn paged_paths() {
        assert_eq!(paged("/members/", 1), "/members/");
        assert_eq!(paged("/members/", 3), "/members/page/3/");
    }
}
