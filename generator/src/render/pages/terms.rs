//! The taxonomies' indexes and each term's pages (interests, prefectures, sectors).

use serde::Serialize;
use tera::{Context, Value};

use crate::render::Renderer;
use crate::render::paging::page_range;
use crate::render::views::{self, TaxonomyKind};

#[derive(Serialize)]
pub(in crate::render) struct TermView {
    pub(in crate::render) label: String,
    pub(in crate::render) url: Option<String>,
    pub(in crate::render) members: usize,
    pub(in crate::render) events: usize,
}

#[derive(Serialize)]
pub(in crate::render) struct TermGroup {
    pub(in crate::render) label: Option<String>,
    pub(in crate::render) terms: Vec<TermView>,
}

impl Renderer<'_> {
    pub(in crate::render) fn taxonomy_index_page(
        &self,
        kind: &TaxonomyKind,
        path: &str,
    ) -> (&'static str, Context) {
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

    pub(in crate::render) fn term_page(
        &self,
        kind: &TaxonomyKind,
        term: &usize,
        page: &usize,
        path: &str,
    ) -> (&'static str, Context) {
        let t = &self.parts.views.taxonomy(*kind).terms[*term];
        let description = self
            .t(&format!("{}_term_description", kind.title_key()))
            .replace("{term}", &t.label);
        let mut c =
            self.context(self.meta(self.titled(&t.label, *page), description, path, "website"));
        c.insert("heading", &t.label);
        c.insert("kind", kind.title_key());
        c.insert("kind_title", &self.t(kind.title_key()));
        c.insert("index_url", &self.urls.link(kind.path()));
        let members: Vec<Value> = page_range(t.members.len(), self.per_page(), *page)
            .map(|i| self.parts.members[t.members[i]].card.clone())
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

    pub(in crate::render) fn term_view(&self, kind: TaxonomyKind, term: &views::Term) -> TermView {
        TermView {
            label: term.label.clone(),
            url: self
                .has_page(kind, term)
                .then(|| self.urls.link(&term.path)),
            members: term.members.len(),
            events: term.events.len(),
        }
    }

    pub(in crate::render) fn term_group(&self, kind: TaxonomyKind) -> TermGroup {
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

    pub(in crate::render) fn region_groups(&self) -> Vec<TermGroup> {
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
