//! Render stage: a pure function from the validated site and the theme to files.
//! [`Renderer::plan`] lists every output, [`Renderer::render`] makes one; nothing here
//! touches the output folder.

pub mod calendar;
pub mod feeds;
pub mod introductions;
mod keys;
mod pages;
mod paging;
mod parts;
pub mod views;

pub use keys::JobKey;
pub use paging::{page_count, page_range, page_window, paged};
pub use parts::{CardMemo, MemberMove, MemberParts, RenderParts, index_after_move};

use jiff::Timestamp;
use model::{Choice, Language};
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::error::BuildError;
use crate::theme::Theme;
use crate::urls::{Urls, file_for};
use crate::validate::Site;
use views::{TaxonomyKind, Views, event_path, member_path, post_path};

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
        let members = (member_values.into_iter().zip(member_cards))
            .zip(member_unchanged.into_iter().zip(organized_by))
            .map(|((value, card), (unchanged, organizes))| MemberParts {
                value,
                card,
                unchanged,
                organizes,
                suggestions: Vec::new(),
            })
            .collect();
        let mut parts = RenderParts {
            views,
            members,
            event_values,
            event_items,
            event_unchanged,
            organizers_of,
            met_at: Vec::new(),
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

    /// The site this renders.
    pub fn site(&self) -> &Site {
        self.site
    }

    /// What the site's pages show of each member, event and term.
    pub fn views(&self) -> &Views {
        &self.parts.views
    }

    pub fn language(&self) -> Language {
        self.lang
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

    pub(in crate::render) fn per_page(&self) -> usize {
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
    pub(in crate::render) fn has_page(&self, kind: TaxonomyKind, term: &views::Term) -> bool {
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

    pub(in crate::render) fn t(&self, key: &str) -> String {
        self.theme.translate(key)
    }

    pub(in crate::render) fn meta(
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

    pub(in crate::render) fn context(&self, meta: PageMeta) -> Context {
        let mut context = Context::new();
        context.insert("page", &meta);
        context
    }
}

/// Each item's template value and its partial rendered into safe HTML (in parallel), and
/// whether both were reused: an item equal to the one `memo` has for its slug keeps that
/// value and partial, which costs neither a serialization nor a render.
#[allow(clippy::type_complexity)]
pub(in crate::render) fn values_and_partials<'m, T: serde::Serialize + PartialEq + Sync + 'm>(
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
