//! The site's own pages: home, search, the editors' page, pages of content/pages/ and 404.

use model::Language;
use serde::Serialize;
use tera::{Context, Value};

use super::news::PostView;
use crate::markdown::{self, Trust};
use crate::render::Renderer;
use crate::render::views::TaxonomyKind;

/// Labels of the profile page that the editors' preview of a submission shows too.
pub(in crate::render) const PREVIEW_LABELS: &[&str] = &[
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
pub(in crate::render) struct AdminEvent<'e> {
    pub(in crate::render) slug: &'e str,
    pub(in crate::render) title: &'e str,
    pub(in crate::render) when: &'e str,
    pub(in crate::render) url: &'e str,
    pub(in crate::render) upcoming: bool,
    pub(in crate::render) capacity: u32,
}

#[derive(Serialize)]
pub(in crate::render) struct SearchFilters {
    pub(in crate::render) sectors: Vec<FilterChoice>,
    pub(in crate::render) prefectures: Vec<FilterGroup>,
    pub(in crate::render) interests: Vec<FilterChoice>,
}

#[derive(Serialize)]
pub(in crate::render) struct FilterGroup {
    pub(in crate::render) label: Option<String>,
    pub(in crate::render) choices: Vec<FilterChoice>,
}

/// One option of a filter: the term's key (as in the index's filter tokens), its label and
/// how many members and events it has.
#[derive(Serialize)]
pub(in crate::render) struct FilterChoice {
    pub(in crate::render) value: String,
    pub(in crate::render) label: String,
    pub(in crate::render) count: usize,
}

impl Renderer<'_> {
    pub(in crate::render) fn home_page(&self, path: &str) -> (&'static str, Context) {
        let site_title = &self.site.config.title;
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
            .map(|i| self.parts.members[i].card.clone())
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

    pub(in crate::render) fn search_page(&self, path: &str) -> (&'static str, Context) {
        let title = self.t("search_title");
        let mut meta = self.meta(title.clone(), self.t("search_description"), path, "website");
        // Results are made in the browser: the page itself says nothing to index.
        meta.noindex = true;
        let mut c = self.context(meta);
        c.insert("heading", &title);
        c.insert("filters", &self.search_filters());
        c.insert(
            "index_url",
            &self
                .urls
                .link(&format!("/{}index.json", crate::urls::SEARCH_INDEX_FOLDER)),
        );
        ("search.html", c)
    }

    pub(in crate::render) fn site_page(&self, i: &usize, path: &str) -> (&'static str, Context) {
        let page = &self.site.pages[*i];
        let description = page
            .description
            .clone()
            .unwrap_or_else(|| markdown::plain_text(&page.body, 120));
        let mut c = self.context(self.meta(page.title.clone(), description, path, "article"));
        c.insert("heading", &page.title);
        c.insert("body", &markdown::render(&page.body, Trust::Editor, 2));
        c.insert("slug", &page.slug);
        if page.slug == "join" {
            c.insert("join", &self.join_choices());
            // The form's fields from the one renderer the functions use too.
            let words = |key: &str| self.t(key);
            let fields = model::join_form::JoinFields {
                words: &words,
                language: self.lang,
                values: &model::profile::FormFields::new(),
                errors: &model::profile::FieldErrors::new(),
                form_token: "",
                edit_token: None,
                submit: &self.t("join_submit"),
            };
            c.insert("join_fields", &fields.render());
        }
        ("page.html", c)
    }

    pub(in crate::render) fn admin_page(&self, path: &str) -> (&'static str, Context) {
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

    pub(in crate::render) fn not_found_page(&self, path: &str) -> (&'static str, Context) {
        (
            "404.html",
            self.context(self.meta(
                self.t("not_found"),
                self.t("not_found_description"),
                path,
                "website",
            )),
        )
    }

    /// What the editors' page script needs to show a submission as the site will: its UI
    /// strings (`admin_*` of the theme's translations) and the names of sectors and
    /// prefectures, as JSON that is safe inside a `<script type="application/json">`.
    pub(in crate::render) fn admin_data(&self) -> String {
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
    pub(in crate::render) fn join_choices(&self) -> serde_json::Value {
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
            // The same limits the model checks (and the functions' own copy of the form uses).
            "limits": {
                "name": model::member::NAME.max_chars,
                "kana": model::member::KANA.max_chars,
                "organization": model::member::ORGANIZATION.max_chars,
                "role": model::member::ROLE.max_chars,
                "bio": model::profile::MAX_SUBMITTED_BIO_CHARS,
            },
        })
    }

    /// The search page's filters: the sectors, the prefectures and the interests that have
    /// members or events, as the index's filter tokens name them.
    pub(in crate::render) fn search_filters(&self) -> SearchFilters {
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
}
