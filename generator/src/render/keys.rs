//! What each output is made from ([`JobKey`]), so a rebuild renders only the outputs whose
//! key changed, and which outputs show a member who changed or moved.

use model::{Event, Member, Page};
use tera::{Context, Value};

use super::paging::page_count;
use super::views::TaxonomyKind;
use super::{Job, Renderer};

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

impl Renderer<'_> {
    /// `job`'s key when it differs from `old` (or there is none): the output must be made
    /// again. `None` when the output would be the same. Unlike [`Renderer::key`], an
    /// unchanged profile or event is compared in place, without copying it.
    pub fn key_if_changed(&self, job: &Job, old: Option<&JobKey>) -> Option<JobKey> {
        fn same_items<'v>(
            old: &[Value],
            indexes: &[usize],
            value: impl Fn(usize) -> &'v Value,
        ) -> bool {
            old.len() == indexes.len() && old.iter().zip(indexes).all(|(v, &i)| v == value(i))
        }
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
                    && (self.parts.members[*i].unchanged || *value == self.parts.members[*i].value)
                    && same_items(organizes, &self.parts.members[*i].organizes, |e| {
                        &self.parts.event_items[e]
                    })
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
                    && same_items(organizers, &self.parts.organizers_of[*i], |m| {
                        &self.parts.members[m].card
                    })
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
            self.parts.members[index]
                .organizes
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
        (self.parts.members.iter().enumerate())
            .filter(move |(_, m)| m.suggestions.iter().any(|s| s.member == index))
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
        jobs.extend(
            self.parts.members[to]
                .organizes
                .iter()
                .map(|&e| Job::Event(e)),
        );
        jobs.extend(self.posts_by(to));
        jobs
    }

    /// What `job`'s output is made from (see [`JobKey`]).
    pub fn key(&self, job: &Job) -> JobKey {
        fn items<'v>(indexes: &[usize], value: impl Fn(usize) -> &'v Value) -> Vec<Value> {
            indexes.iter().map(|&i| value(i).clone()).collect()
        }
        match job {
            Job::Member(i) => JobKey::Member {
                member: self.site.members[*i].clone(),
                value: self.parts.members[*i].value.clone(),
                organizes: items(&self.parts.members[*i].organizes, |e| {
                    &self.parts.event_items[e]
                }),
                meet: self.people_to_meet(*i),
            },
            Job::Event(i) => JobKey::Event {
                event: self.site.events[*i].clone(),
                value: self.parts.event_values[*i].clone(),
                organizers: items(&self.parts.organizers_of[*i], |m| {
                    &self.parts.members[m].card
                }),
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
}
