//! Pages of a long list: how many, which items each shows, the pagination bar and paths.

use serde::Serialize;

use super::Renderer;

#[derive(Serialize)]
pub(in crate::render) struct Pagination {
    pub(in crate::render) current: usize,
    pub(in crate::render) total: usize,
    pub(in crate::render) prev: Option<String>,
    pub(in crate::render) next: Option<String>,
    pub(in crate::render) pages: Vec<PageLink>,
}

#[derive(Serialize)]
pub(in crate::render) struct PageLink {
    pub(in crate::render) number: usize,
    pub(in crate::render) url: String,
    pub(in crate::render) current: bool,
    /// Pages were left out before this one.
    pub(in crate::render) gap_before: bool,
}

impl Renderer<'_> {
    pub(in crate::render) fn titled(&self, title: &str, page: usize) -> String {
        if page > 1 {
            format!(
                "{title} ({})",
                self.t("page_n").replace("{n}", &page.to_string())
            )
        } else {
            title.to_owned()
        }
    }

    pub(in crate::render) fn pagination(
        &self,
        first: &str,
        items: usize,
        current: usize,
    ) -> Pagination {
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
