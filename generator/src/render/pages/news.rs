//! Community news: the list and each post.

use serde::Serialize;
use tera::Context;

use crate::markdown::{self, Trust};
use crate::render::Renderer;
use crate::render::paging::page_range;
use crate::render::views::{self, LinkView, TaxonomyKind, post_path};

/// A news post as lists and its page show it.
#[derive(Serialize)]
pub(in crate::render) struct PostView {
    pub(in crate::render) title: String,
    pub(in crate::render) url: String,
    pub(in crate::render) date: String,
    pub(in crate::render) date_iso: String,
    pub(in crate::render) author: Option<LinkView>,
    /// Linked to the interest's page when members or events share it.
    pub(in crate::render) tags: Vec<TagView>,
    pub(in crate::render) summary: String,
}

#[derive(Serialize)]
pub(in crate::render) struct TagView {
    pub(in crate::render) label: String,
    pub(in crate::render) url: Option<String>,
}

impl Renderer<'_> {
    pub(in crate::render) fn news_list_page(
        &self,
        page: &usize,
        path: &str,
    ) -> (&'static str, Context) {
        let title = self.t("news");
        let mut c = self.context(self.meta(
            self.titled(&title, *page),
            self.t("news_description"),
            path,
            "website",
        ));
        let posts: Vec<PostView> = page_range(self.site.posts.len(), self.per_page(), *page)
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

    pub(in crate::render) fn post_page(&self, i: &usize, path: &str) -> (&'static str, Context) {
        let post = &self.site.posts[*i];
        let view = self.post_view(*i);
        let mut c =
            self.context(self.meta(post.title.clone(), view.summary.clone(), path, "article"));
        c.insert("post", &view);
        c.insert("body", &markdown::render(&post.body, Trust::Member, 2));
        ("post.html", c)
    }

    /// What lists and the post page show of post `index`.
    pub(in crate::render) fn post_view(&self, index: usize) -> PostView {
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
}
