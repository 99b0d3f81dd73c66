//! Machine-readable outputs: the Atom feed of news, new events and members, and the sitemap.

use jiff::Timestamp;

use crate::markdown;
use crate::render::views::{Views, event_path, member_path, post_path};
use crate::urls::Urls;
use crate::validate::Site;

const FEED_ENTRIES: usize = 50;
/// The sitemap protocol's limit per file.
const SITEMAP_LIMIT: usize = 50_000;

/// A member, an event or a news post, by index; only the newest become entries.
#[derive(Clone, Copy)]
enum Source {
    Member(usize),
    Event(usize),
    Post(usize),
}

struct Entry {
    source: Source,
    path: String,
    updated: Timestamp,
}

/// An Atom feed (RFC 4287) of the newest members (by the day they joined), events (by
/// their start) and news posts (by their date), newest first. Its `updated` is that of its newest entry, so it only
/// changes when the content does.
pub fn atom(site: &Site, views: &Views, urls: &Urls) -> String {
    let ja = site.config.language == model::Language::Ja;
    let mut entries: Vec<Entry> = Vec::new();
    for (index, member) in site.members.iter().enumerate() {
        let updated = model::time::tokyo()
            .to_timestamp(member.joined.to_datetime(jiff::civil::Time::midnight()))
            .unwrap_or_default();
        entries.push(Entry {
            source: Source::Member(index),
            path: member_path(&member.slug),
            updated,
        });
    }
    for (index, event) in site.events.iter().enumerate() {
        entries.push(Entry {
            source: Source::Event(index),
            path: event_path(&event.slug),
            updated: event.start,
        });
    }
    for (index, post) in site.posts.iter().enumerate() {
        let updated = model::time::tokyo()
            .to_timestamp(post.date.to_datetime(jiff::civil::Time::midnight()))
            .unwrap_or_default();
        entries.push(Entry {
            source: Source::Post(index),
            path: post_path(&post.slug),
            updated,
        });
    }
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.path.cmp(&b.path)));
    entries.truncate(FEED_ENTRIES);
    // Titles and summaries (a Markdown pass each) only for the entries the feed keeps.
    let text = |source: Source| -> (String, String) {
        match source {
            Source::Member(i) => {
                let (member, card) = (&site.members[i], &views.members[i]);
                let prefix = if ja {
                    "新しいメンバー"
                } else {
                    "New member"
                };
                let mut about = vec![card.sector.label.clone()];
                about.extend(member.organization.clone());
                (
                    format!("{prefix}: {}（{}）", member.name, about.join("・")),
                    markdown::plain_text(&member.body, 200),
                )
            }
            Source::Post(i) => {
                let post = &site.posts[i];
                let prefix = if ja { "お知らせ" } else { "News" };
                (
                    format!("{prefix}: {}", post.title),
                    markdown::plain_text(&post.body, 200),
                )
            }
            Source::Event(i) => {
                let (event, card) = (&site.events[i], &views.events[i]);
                let prefix = if ja { "イベント" } else { "Event" };
                (
                    format!("{prefix}: {}", event.title),
                    format!("{} {}", card.when, markdown::plain_text(&event.body, 200))
                        .trim()
                        .to_owned(),
                )
            }
        }
    };

    let updated = entries
        .first()
        .map_or_else(|| Timestamp::UNIX_EPOCH, |e| e.updated);
    let lang = if ja { "ja" } else { "en" };
    let author = site.config.author.as_deref().unwrap_or(&site.config.title);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n"
    ));
    out.push_str(&format!("  <title>{}</title>\n", xml(&site.config.title)));
    out.push_str(&format!(
        "  <subtitle>{}</subtitle>\n",
        xml(&site.config.description)
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&urls.absolute("/"))
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(&urls.absolute("/feed.xml"))
    ));
    out.push_str(&format!("  <id>{}</id>\n", xml(&urls.absolute("/"))));
    out.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml(author)
    ));
    for entry in entries {
        let url = urls.absolute(&entry.path);
        let (title, summary) = text(entry.source);
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <title>{}</title>\n", xml(&title)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&url)
        ));
        out.push_str(&format!("    <id>{}</id>\n", xml(&url)));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            rfc3339(entry.updated)
        ));
        if !summary.is_empty() {
            out.push_str(&format!("    <summary>{}</summary>\n", xml(&summary)));
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// The sitemap of every listed page; past the protocol's 50,000 URLs it is an index of parts
/// (`sitemap-1.xml`, ...), which [`sitemap_parts`] renders.
pub fn sitemap(urls: &Urls, paths: &[String]) -> String {
    if paths.len() <= SITEMAP_LIMIT {
        return urlset(urls, paths);
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for part in 1..=paths.len().div_ceil(SITEMAP_LIMIT) {
        out.push_str(&format!(
            "  <sitemap><loc>{}</loc></sitemap>\n",
            xml(&urls.absolute(&format!("/sitemap-{part}.xml")))
        ));
    }
    out.push_str("</sitemapindex>\n");
    out
}

/// The part files of a sitemap index: empty when one sitemap holds every page.
pub fn sitemap_parts(urls: &Urls, paths: &[String]) -> Vec<(String, String)> {
    if paths.len() <= SITEMAP_LIMIT {
        return Vec::new();
    }
    paths
        .chunks(SITEMAP_LIMIT)
        .enumerate()
        .map(|(i, chunk)| (format!("sitemap-{}.xml", i + 1), urlset(urls, chunk)))
        .collect()
}

/// Whether `name` (an output's path) is one of the parts [`sitemap_parts`] makes.
pub fn is_sitemap_part(name: &str) -> bool {
    name.strip_prefix("sitemap-")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .is_some_and(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
}

fn urlset(urls: &Urls, paths: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        out.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            xml(&urls.absolute(path))
        ));
    }
    out.push_str("</urlset>\n");
    out
}

fn rfc3339(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Escapes text for XML content and attribute values.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids never reach the output.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sitemaps_are_one_file() {
        let urls = Urls::new("https://x.example");
        let map = sitemap(&urls, &["/".into(), "/interests/%E9%98%B2/".into()]);
        assert!(map.contains("<loc>https://x.example/interests/%E9%98%B2/</loc>"));
        assert!(sitemap_parts(&urls, &["/".into()]).is_empty());
    }

    #[test]
    fn large_sitemaps_become_an_index() {
        let urls = Urls::new("https://x.example");
        let paths: Vec<String> = (0..50_001).map(|i| format!("/members/m{i}/")).collect();
        assert!(sitemap(&urls, &paths).contains("<sitemapindex"));
        let parts = sitemap_parts(&urls, &paths);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].1.matches("<url>").count(), 1);
    }

    #[test]
    fn escapes_xml() {
        assert_eq!(xml("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;");
    }
}
