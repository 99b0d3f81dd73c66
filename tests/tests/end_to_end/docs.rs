//! docs/content.md stays in step with the model: every field, link kind, sector and
//! prefecture the model accepts, and every reserved page slug, is documented there.

use model::Choice;

fn content_md() -> String {
    std::fs::read_to_string(portal_tests::root().join("docs/content.md")).expect("docs/content.md")
}

/// The text of the section that starts with `heading` (up to the next `## `).
fn section<'d>(doc: &'d str, heading: &str) -> &'d str {
    let start = doc
        .find(heading)
        .unwrap_or_else(|| panic!("no section {heading}"));
    let rest = &doc[start + heading.len()..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

#[test]
fn every_field_the_model_accepts_is_documented_in_its_section() {
    let doc = content_md();
    let cases: [(&str, &[&str]); 6] = [
        ("## Site settings", model::site_config::SITE_FIELDS),
        ("## Members", &model::member::MEMBER_FIELDS),
        ("## Members", model::member::LINK_KINDS),
        ("## Events", model::event::EVENT_FIELDS),
        ("## Pages", model::page::PAGE_FIELDS),
        ("## News", model::post::POST_FIELDS),
    ];
    for (heading, fields) in cases {
        let text = section(&doc, heading);
        for field in fields {
            assert!(
                text.contains(&format!("`{field}`")),
                "`{field}` is not documented under {heading}"
            );
        }
    }
    let venue = section(&doc, "## Events");
    for field in model::event::VENUE_FIELDS {
        assert!(
            venue.contains(&format!("`{field}`")),
            "venue `{field}` is not documented"
        );
    }
}

#[test]
fn every_sector_prefecture_and_reserved_slug_is_documented() {
    let doc = content_md();
    let sectors = section(&doc, "## Sectors");
    for sector in model::Sector::all() {
        assert!(
            sectors.contains(&format!("`{}`", sector.slug())),
            "{}",
            sector.slug()
        );
        assert!(sectors.contains(sector.name_ja()), "{}", sector.name_ja());
    }
    let prefectures: Vec<&str> = section(&doc, "## Prefectures").split_whitespace().collect();
    for prefecture in model::Prefecture::all() {
        assert!(
            prefectures.contains(&prefecture.slug()),
            "{}",
            prefecture.slug()
        );
    }
    let pages = section(&doc, "## Pages");
    for slug in generator::validate::RESERVED_SLUGS {
        assert!(pages.contains(&format!("`{slug}`")), "reserved `{slug}`");
    }
}
