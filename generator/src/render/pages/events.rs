//! The event list, an event's page and the form that announces one.

use serde::Serialize;
use tera::{Context, Value};

use crate::markdown::{self, Trust};
use crate::render::Renderer;

#[derive(Serialize)]
pub(in crate::render) struct VenueView<'v> {
    pub(in crate::render) name: &'v Option<String>,
    pub(in crate::render) address: &'v Option<String>,
    pub(in crate::render) url: &'v Option<String>,
}

impl Renderer<'_> {
    pub(in crate::render) fn event_list_page(&self, path: &str) -> (&'static str, Context) {
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

    pub(in crate::render) fn event_new_page(&self, path: &str) -> (&'static str, Context) {
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

    pub(in crate::render) fn event_page(&self, i: &usize, path: &str) -> (&'static str, Context) {
        let event = &self.site.events[*i];
        let card = &self.parts.views.events[*i];
        let description = format!("{} {}", card.when, markdown::plain_text(&event.body, 100));
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
            .map(|&m| self.parts.members[m].card.clone())
            .collect();
        c.insert_value("organizers", Value::from(organizers.as_slice()));
        c.insert("event_organizer_name", &event.organizer_name);
        ("event.html", c)
    }

    /// Indexes of events that have not finished, soonest first.
    pub(in crate::render) fn upcoming_indexes(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.site.events.len()).filter(|&i| self.parts.views.events[i].upcoming)
    }

    /// Splits events into upcoming (soonest first) and past (newest first).
    pub(in crate::render) fn insert_event_lists(
        &self,
        c: &mut Context,
        indexes: impl Iterator<Item = usize>,
    ) {
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
}
