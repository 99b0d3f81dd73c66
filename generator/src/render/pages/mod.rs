//! The context of each HTML page, one file per family of pages.

mod events;
mod members;
mod news;
mod site;
mod terms;

use tera::Context;

use super::{Job, Renderer};

impl Renderer<'_> {
    /// The template and context of `job`'s page, served at `path`.
    pub(in crate::render) fn page_context(&self, job: &Job, path: &str) -> (&'static str, Context) {
        match job {
            Job::Home => self.home_page(path),
            Job::MemberList { page } => self.member_list_page(page, path),
            Job::Member(i) => self.member_page(i, path),
            Job::EventList => self.event_list_page(path),
            Job::Search => self.search_page(path),
            Job::EventNew => self.event_new_page(path),
            Job::Event(i) => self.event_page(i, path),
            Job::TaxonomyIndex(kind) => self.taxonomy_index_page(kind, path),
            Job::IntroductionIndex => self.introduction_index_page(path),
            Job::Introductions(sector) => self.introductions_page(sector, path),
            Job::Term { kind, term, page } => self.term_page(kind, term, page, path),
            Job::NewsList { page } => self.news_list_page(page, path),
            Job::Post(i) => self.post_page(i, path),
            Job::Page(i) => self.site_page(i, path),
            Job::Admin => self.admin_page(path),
            Job::NotFound => self.not_found_page(path),
            Job::Calendar | Job::EventCalendar(_) | Job::Feed | Job::Sitemap | Job::Robots => {
                unreachable!("rendered without a template")
            }
        }
    }
}
