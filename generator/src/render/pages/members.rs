//! The member directory, a member's profile and the pages where the two sides meet.

use model::{Choice, Language};
use serde::Serialize;
use tera::{Context, Value};

use super::terms::TermView;
use crate::markdown::{self, Trust};
use crate::render::paging::page_range;
use crate::render::views::{self, LinkView, TaxonomyKind};
use crate::render::{Renderer, introductions};

#[derive(Serialize)]
pub(in crate::render) struct MemberGroup {
    pub(in crate::render) label: &'static str,
    pub(in crate::render) id: &'static str,
    pub(in crate::render) members: Vec<Value>,
}

/// An interest both sides have, with how many of each sector have it (the page's own sector
/// first).
#[derive(Serialize)]
pub(in crate::render) struct IntroductionRow {
    pub(in crate::render) label: String,
    pub(in crate::render) url: String,
    pub(in crate::render) sides: Vec<SectorCount>,
}

#[derive(Serialize)]
pub(in crate::render) struct SectorCount {
    pub(in crate::render) label: String,
    pub(in crate::render) n: usize,
}

impl Renderer<'_> {
    pub(in crate::render) fn member_list_page(
        &self,
        page: &usize,
        path: &str,
    ) -> (&'static str, Context) {
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
            let row = self.parts.views.members[i].row;
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
                group.members.push(self.parts.members[i].card.clone());
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

    pub(in crate::render) fn member_page(&self, i: &usize, path: &str) -> (&'static str, Context) {
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
        c.insert_value("member", self.parts.members[*i].value.clone());
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
        let organizes: Vec<Value> = self.parts.members[*i]
            .organizes
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
        c.insert(
            "takes_introductions",
            &(member.introductions == model::Introductions::Open),
        );
        ("member.html", c)
    }

    pub(in crate::render) fn introduction_index_page(&self, path: &str) -> (&'static str, Context) {
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

    pub(in crate::render) fn introductions_page(
        &self,
        sector: &model::Sector,
        path: &str,
    ) -> (&'static str, Context) {
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
        let rows: Vec<IntroductionRow> = introductions::shared_with_other_side(&counts, *sector)
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

    /// Member `index`'s people to meet: each one's card value and the reason
    /// ("11月の防災を語る夕べに参加・オープンデータに関心": the past events both attended and
    /// the shared interests, rarest first, three at most).
    pub(in crate::render) fn people_to_meet(&self, index: usize) -> Vec<(Value, String)> {
        let interests = &self.parts.views.taxonomy(TaxonomyKind::Interests).terms;
        let separator = self.t("meet_separator");
        let reason = self.t("meet_reason");
        let met_at = self.t("meet_met_at");
        self.parts.members[index]
            .suggestions
            .iter()
            .map(|s| {
                let mut events = Vec::new();
                let mut shared = Vec::new();
                for &t in s.shared.iter().take(3) {
                    match t.checked_sub(interests.len()) {
                        None => shared.push(interests[t].label.as_str()),
                        Some(k) => {
                            let event = &self.site.events[self.parts.met_at[k].0];
                            let month = model::time::tokyo().to_datetime(event.start).month();
                            events.push(
                                met_at
                                    .replace("{month}", &month.to_string())
                                    .replace("{event}", &event.title),
                            );
                        }
                    }
                }
                if !shared.is_empty() {
                    events.push(reason.replace("{interests}", &shared.join(&separator)));
                }
                (
                    self.parts.members[s.member].value.clone(),
                    events.join(&separator),
                )
            })
            .collect()
    }

    /// How many members of each sector have each interest (see
    /// [`introductions::sector_counts`]).
    pub(in crate::render) fn interest_sector_counts(&self) -> Vec<[usize; 6]> {
        introductions::sector_counts(
            &self.site.members,
            self.parts.views.taxonomy(TaxonomyKind::Interests),
        )
    }
}
