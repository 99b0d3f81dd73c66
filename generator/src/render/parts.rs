//! What a render derives from a site before any page (views, card values and partials,
//! organizers, people to meet), kept by `portal serve` between rebuilds and changed in place
//! when one member changes or moves (the live-rebuild bookkeeping).

use std::collections::HashMap;

use jiff::Timestamp;
use model::{Event, Language, Member};
use tera::Value;

use super::views::{self, TaxonomyKind, Views};
use super::{introductions, values_and_partials};
use crate::error::BuildError;
use crate::theme::Theme;
use crate::urls::Urls;

/// What a [`Renderer`] derives from a site, without the site itself.
#[derive(Default)]
pub struct RenderParts {
    pub(in crate::render) views: Views,
    /// What the render keeps of each member, in the views' order.
    pub(in crate::render) members: Vec<MemberParts>,
    pub(in crate::render) event_values: Vec<Value>,
    /// Each event's list item, rendered once with the theme's partial and reused by every
    /// list that shows it.
    pub(in crate::render) event_items: Vec<Value>,
    /// Whether each event's view is the one `CardMemo` had (see [`MemberParts::unchanged`]).
    pub(in crate::render) event_unchanged: Vec<bool>,
    /// For each event, its organizers as member indexes.
    pub(in crate::render) organizers_of: Vec<Vec<usize>>,
    /// The past events with attendees the ranking counts ("met at"): the event's index and
    /// its attendees' indexes, ascending. Made again by every ranking.
    pub(in crate::render) met_at: Vec<(usize, Vec<usize>)>,
}

/// What a render keeps of one member besides its view: one value, so that a member who moves
/// in the 50-on order moves with everything that is theirs.
#[derive(Clone)]
pub struct MemberParts {
    /// The card's template value.
    pub(in crate::render) value: Value,
    /// The card rendered once with the theme's partial, reused by every list that shows it.
    pub(in crate::render) card: Value,
    /// Whether the view is the one `CardMemo` had (so value and card were reused): a rebuild
    /// need not compare the value again.
    pub(in crate::render) unchanged: bool,
    /// The events they organize (soonest first).
    pub(in crate::render) organizes: Vec<usize>,
    /// People of the other side to meet (see [`introductions`]).
    pub(in crate::render) suggestions: Vec<introductions::Suggestion>,
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
        let parts = &mut self.members[index];
        parts.value = values.remove(0);
        parts.card = cards.remove(0);
        parts.unchanged = false;
        Ok(())
    }
}

/// One member of a kept render, changed so that it may move in the 50-on order or between
/// taxonomy terms, prepared by [`RenderParts::prepare_move`] without touching the parts.
pub struct MemberMove {
    pub from: usize,
    pub to: usize,
    pub(in crate::render) card: views::MemberCard,
    pub(in crate::render) value: Value,
    pub(in crate::render) partial: Value,
    pub(in crate::render) interests: views::Taxonomy,
}

impl RenderParts {
    /// Ranks the people to meet of every member of `members` (the parts' order) again.
    pub(in crate::render) fn rank_suggestions(&mut self, members: &[Member], events: &[Event]) {
        let latest_activity: Vec<Option<Timestamp>> = (self.members.iter())
            .map(|m| m.organizes.iter().map(|&e| events[e].start).max())
            .collect();
        let index: HashMap<&str, usize> = (members.iter().enumerate())
            .map(|(i, m)| (m.slug.as_str(), i))
            .collect();
        // A past event two or more members attended (an upcoming one has met nobody yet).
        self.met_at = (events.iter().enumerate())
            .filter(|(e, event)| !self.views.events[*e].upcoming && !event.attendees.is_empty())
            .filter_map(|(e, event)| {
                let mut attendees: Vec<usize> = (event.attendees.iter())
                    .filter_map(|a| index.get(a.value.as_str()).copied())
                    .collect();
                attendees.sort_unstable();
                attendees.dedup();
                (attendees.len() >= 2).then_some((e, attendees))
            })
            .collect();
        let lists: Vec<Vec<usize>> = self.met_at.iter().map(|(_, m)| m.clone()).collect();
        let ranked = introductions::Ranking {
            members,
            interests: self.views.taxonomy(TaxonomyKind::Interests),
            latest_activity: &latest_activity,
            met_at: &lists,
        }
        .suggestions();
        for (member, suggestions) in self.members.iter_mut().zip(ranked) {
            member.suggestions = suggestions;
        }
    }

    /// What `member`, member `index` of the render, is listed under (see
    /// [`views::listed_under`]).
    pub fn listed_under(&self, member: &Member, index: usize) -> Vec<(TaxonomyKind, String)> {
        views::listed_under(member, &self.views.members[index].terms)
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
                (&members[old], &self.views.members[old].terms)
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
            card,
            value: values.remove(0),
            partial: partials.remove(0),
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
        move_item(&mut self.members, from, to);
        self.views.members[to] = change.card;
        let moved = &mut self.members[to];
        moved.value = change.value;
        moved.card = change.partial;
        moved.unchanged = false;
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
        // Past events follow the interests in a reason's terms; a move changes neither
        // the events nor who attended them, only the indexes of the interests before them.
        let new_len = change.interests.terms.len();
        let events_met = self.met_at.len();
        let old_to_new: Vec<Option<usize>> = (old_terms.iter())
            .map(|t| new_index.get(t.key.as_str()).copied())
            .chain((0..events_met).map(|k| Some(new_len + k)))
            .collect();
        let recounted: Vec<bool> = (change.interests.terms.iter())
            .map(|t| {
                let old = (old_terms.iter()).find(|o| o.key == t.key);
                old.is_none_or(|o| o.members.len() != t.members.len())
            })
            .chain(std::iter::repeat_n(false, events_met))
            .collect();
        let before: Vec<Vec<(usize, Vec<Option<usize>>)>> = (self.members.iter())
            .map(|m| &m.suggestions)
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
        (self.members.iter().map(|m| &m.suggestions))
            .zip(&before)
            .enumerate()
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
    pub(in crate::render) parts: &'p RenderParts,
    pub(in crate::render) members: std::collections::HashMap<&'p str, usize>,
    pub(in crate::render) events: std::collections::HashMap<&'p str, usize>,
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

    pub(in crate::render) fn member(
        &self,
        slug: &str,
    ) -> Option<(&views::MemberCard, &Value, &Value)> {
        let &i = self.members.get(slug)?;
        let parts = self.parts;
        Some((
            &parts.views.members[i],
            &parts.members[i].value,
            &parts.members[i].card,
        ))
    }

    pub(in crate::render) fn event(
        &self,
        slug: &str,
    ) -> Option<(&views::EventCard, &Value, &Value)> {
        let &i = self.events.get(slug)?;
        let parts = self.parts;
        Some((
            &parts.views.events[i],
            &parts.event_values[i],
            &parts.event_items[i],
        ))
    }
}
