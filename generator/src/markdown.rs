//! Markdown to HTML, the Japanese way (no space for a line break between Japanese
//! characters), with an allow-list for text written by members.
//!
//! Member-written Markdown never reaches the page as raw HTML: raw HTML becomes escaped
//! text, and only http(s), mailto and relative links survive. This works on the parser's
//! event stream, before any HTML exists, so there is nothing to re-parse or sanitize after;
//! every text and attribute is escaped by pulldown-cmark's own writer.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// Who wrote the Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Editors, through reviewed pull requests: raw HTML is kept.
    Editor,
    /// Members and event submitters: raw HTML is shown as text, unsafe links are dropped.
    Member,
}

pub(crate) fn options() -> Options {
    // Heading attributes (`{#id onclick=...}`) stay off: they would let members set attributes.
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// Renders Markdown to HTML. The body's headings are fitted below the page's own: its
/// highest heading becomes `top` (2 for a page body under the `h1`, 3 inside a section),
/// and no level is ever skipped, whatever levels the author used.
pub fn render(markdown: &str, trust: Trust, top: u8) -> String {
    let mut events = join_japanese_lines(Parser::new_ext(markdown, options()).collect());
    fit_headings(&mut events, top);
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    let mut dropped_links: Vec<bool> = Vec::new();
    let events = events.into_iter().filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) if trust == Trust::Member => {
            Some(Event::Text(raw))
        }
        Event::Start(Tag::Link {
            dest_url, title, ..
        }) if trust == Trust::Member => {
            let safe = is_safe_url(&dest_url, false);
            dropped_links.push(!safe);
            safe.then(|| member_link(&dest_url, &title))
        }
        Event::End(TagEnd::Link) if trust == Trust::Member => {
            let dropped = dropped_links.pop().unwrap_or(false);
            (!dropped).then_some(Event::Html(CowStr::Borrowed("</a>")))
        }
        Event::Start(Tag::Image { dest_url, .. })
            if trust == Trust::Member && !is_safe_url(&dest_url, true) =>
        {
            dropped_links.push(true);
            None
        }
        Event::Start(Tag::Image { .. }) if trust == Trust::Member => {
            dropped_links.push(false);
            Some(event)
        }
        Event::End(TagEnd::Image) if trust == Trust::Member => {
            let dropped = dropped_links.pop().unwrap_or(false);
            (!dropped).then_some(event)
        }
        other => Some(other),
    });
    html::push_html(&mut out, events);
    out
}

/// A member's link, marked so that search engines do not credit it and the page is not exposed.
fn member_link<'a>(dest: &str, title: &str) -> Event<'a> {
    let mut tag = String::from("<a href=\"");
    let _ = pulldown_cmark_escape::escape_href(&mut tag, dest);
    tag.push('"');
    if !title.is_empty() {
        tag.push_str(" title=\"");
        escape_attribute(&mut tag, title);
        tag.push('"');
    }
    tag.push_str(" rel=\"nofollow ugc noopener\">");
    Event::Html(CowStr::from(tag))
}

fn escape_attribute(out: &mut String, text: &str) {
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

fn fit_headings(events: &mut [Event<'_>], top: u8) {
    let levels = events.iter().filter_map(|e| match e {
        Event::Start(Tag::Heading { level, .. }) => Some(*level as u8),
        _ => None,
    });
    let Some(highest) = levels.min() else {
        return;
    };
    let mut previous = top.saturating_sub(1);
    let mut open = top;
    for event in events.iter_mut() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let wanted = (*level as u8 - highest + top).min(previous + 1).min(6);
                *level = heading_level(wanted);
                previous = wanted;
                open = wanted;
            }
            Event::End(TagEnd::Heading(level)) => *level = heading_level(open),
            _ => {}
        }
    }
}

fn heading_level(n: u8) -> HeadingLevel {
    match n {
        0..=1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Whether a link target is harmless: relative, or http(s)/mailto (images: https or relative).
/// Browsers ignore ASCII whitespace and control characters inside a scheme, so they are
/// removed before looking ("java\tscript:" is "javascript:").
pub fn is_safe_url(url: &str, image: bool) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect();
    let scheme_end = cleaned.find(':');
    let path_start = cleaned.find(['/', '?', '#']);
    match scheme_end {
        Some(colon) if path_start.is_none_or(|p| colon < p) => {
            let scheme = cleaned[..colon].to_ascii_lowercase();
            if image {
                scheme == "https"
            } else {
                matches!(scheme.as_str(), "http" | "https" | "mailto")
            }
        }
        _ => !cleaned.starts_with("//") || !image,
    }
}

/// Drops a soft line break that stands between two Japanese characters: in Japanese
/// text a line break inside a paragraph is only a break in the source, never a space.
fn join_japanese_lines(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut keep = vec![true; events.len()];
    for (index, event) in events.iter().enumerate() {
        if !matches!(event, Event::SoftBreak) {
            continue;
        }
        let before = events[..index]
            .iter()
            .rev()
            .find_map(text_of)
            .and_then(|t| t.chars().last());
        let after = events[index + 1..]
            .iter()
            .find_map(text_of)
            .and_then(|t| t.chars().next());
        if let (Some(b), Some(a)) = (before, after)
            && is_japanese(b)
            && is_japanese(a)
        {
            keep[index] = false;
        }
    }
    let mut flags = keep.into_iter();
    events.retain(|_| flags.next().unwrap_or(true));
    events
}

fn text_of<'e>(event: &'e Event<'_>) -> Option<&'e str> {
    match event {
        Event::Text(t) | Event::Code(t) => Some(t),
        _ => None,
    }
}

/// Kana, kanji and Japanese punctuation (including full-width forms).
pub fn is_japanese(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3040..=0x309F | 0x30A0..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

/// Plain text of Markdown, for meta descriptions and feed summaries, cut at `max_chars`.
pub fn plain_text(markdown: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for event in join_japanese_lines(Parser::new_ext(markdown, options()).collect()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                // Japanese sentences need no space after 。, and take a full-width one elsewhere.
                match out.chars().last() {
                    None | Some(' ' | '\u{3000}' | '。' | '！' | '？') => {}
                    Some(c) if is_japanese(c) => out.push('\u{3000}'),
                    Some(_) => out.push(' '),
                }
            }
            _ => {}
        }
    }
    cut(out.trim_matches([' ', '\u{3000}']), max_chars)
}

/// All the text a reader sees of Markdown, for the search index, in one pass: what
/// [`plain_text`] gives without a limit, table cells apart.
pub fn searchable_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut soft_break = false;
    let separate = |out: &mut String| match out.chars().last() {
        None | Some(' ' | '\u{3000}' | '。' | '！' | '？') => {}
        Some(c) if is_japanese(c) => out.push('\u{3000}'),
        Some(_) => out.push(' '),
    };
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => {
                if std::mem::take(&mut soft_break) {
                    // A line break between Japanese characters is not a space (see render).
                    let joins = out.chars().last().is_some_and(is_japanese)
                        && t.chars().next().is_some_and(is_japanese);
                    if !joins {
                        separate(&mut out);
                    }
                }
                out.push_str(&t);
            }
            Event::SoftBreak => soft_break = true,
            Event::HardBreak
            | Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => {
                soft_break = false;
                separate(&mut out);
            }
            _ => {}
        }
    }
    let trimmed = out.trim_matches([' ', '\u{3000}']);
    if trimmed.len() != out.len() {
        out = trimmed.to_owned();
    }
    out
}

/// `text` if it has at most `max_chars` characters, else its start and `…` in that many.
pub fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some(_) => {
            let mut cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
            cut.push('…');
            cut
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_searchable_text_is_the_plain_text_with_table_cells_apart() {
        let samples = [
            "市役所で企画の\n仕事をしています。\n\n## 関心\n\n- 防災\n- Open\ndata  \n改行\n\n[ブログ](https://example.org/b)と`code`",
            "**企画**の\n仕事",
            "",
        ];
        for sample in samples {
            assert_eq!(
                searchable_text(sample),
                plain_text(sample, usize::MAX),
                "{sample:?}"
            );
        }
        assert_eq!(
            searchable_text("| 年 | 内容 |\n|---|---|\n| 2024 | 防災 |"),
            "年　内容　2024 防災"
        );
    }

    #[test]
    fn a_line_break_between_japanese_characters_is_not_a_space() {
        assert_eq!(
            render("市役所で企画の\n仕事をしています。", Trust::Member, 2),
            "<p>市役所で企画の仕事をしています。</p>\n"
        );
        assert_eq!(
            render("**企画**の\n仕事", Trust::Member, 2),
            "<p><strong>企画</strong>の仕事</p>\n"
        );
    }

    #[test]
    fn a_line_break_next_to_latin_stays_a_space() {
        assert_eq!(
            render("Open\ndata", Trust::Member, 2),
            "<p>Open\ndata</p>\n"
        );
        assert_eq!(
            render("オープン\ndata", Trust::Member, 2),
            "<p>オープン\ndata</p>\n"
        );
    }

    #[test]
    fn member_html_is_shown_as_text() {
        let html = render(
            "<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)>",
            Trust::Member,
            2,
        );
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn editor_html_is_kept() {
        assert!(
            render("<div class=\"note\">x</div>", Trust::Editor, 2)
                .contains("<div class=\"note\">")
        );
    }

    #[test]
    fn unsafe_member_links_are_dropped_but_their_text_stays() {
        for link in [
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](java\tscript:alert(1))",
            "<javascript:alert(1)>",
            "[click](data:text/html,x)",
            "[click](vbscript:x)",
        ] {
            let html = render(link, Trust::Member, 2);
            assert!(!html.contains("href"), "{link} -> {html}");
            assert!(!html.to_lowercase().contains("<a"), "{link} -> {html}");
        }
        let html = render("[click](java&#x09;script:alert(1))", Trust::Member, 2);
        assert!(!html.contains("href"), "{html}");
    }

    #[test]
    fn safe_member_links_are_kept_and_marked_ugc() {
        let html = render(
            "[市のサイト](https://city.example.jp/a?b=1&c=2 \"t\\\"x\")",
            Trust::Member,
            2,
        );
        assert_eq!(
            html,
            "<p><a href=\"https://city.example.jp/a?b=1&amp;c=2\" title=\"t&quot;x\" rel=\"nofollow ugc noopener\">市のサイト</a></p>\n"
        );
    }

    #[test]
    fn unsafe_images_are_dropped() {
        assert!(!render("![x](javascript:alert(1))", Trust::Member, 2).contains("<img"));
        assert!(!render("![x](http://tracker.example/x.gif)", Trust::Member, 2).contains("<img"));
        assert!(
            render("![写真](https://example.org/a.jpg)", Trust::Member, 2)
                .contains("<img src=\"https://example.org/a.jpg\" alt=\"写真\"")
        );
    }

    #[test]
    fn headings_fit_below_the_page_heading() {
        assert_eq!(render("# 見出し", Trust::Member, 3), "<h3>見出し</h3>\n");
        assert_eq!(
            render("## 節\n\n### 項", Trust::Editor, 2),
            "<h2>節</h2>\n<h3>項</h3>\n"
        );
    }

    #[test]
    fn heading_levels_are_never_skipped() {
        assert_eq!(
            render("# a\n\n#### b\n\n## c", Trust::Member, 2),
            "<h2>a</h2>\n<h3>b</h3>\n<h3>c</h3>\n"
        );
        assert_eq!(render("#### only", Trust::Member, 3), "<h3>only</h3>\n");
    }

    #[test]
    fn plain_text_for_descriptions() {
        assert_eq!(
            plain_text("# 自己紹介\n\n市役所で\n企画をしています。", 100),
            "自己紹介　市役所で企画をしています。"
        );
        assert_eq!(plain_text("あいうえおかきくけこ", 5), "あいうえ…");
        assert_eq!(
            plain_text("一段落目です。\n\n二段落目。\n\nEnd", 100),
            "一段落目です。二段落目。End"
        );
    }
}
