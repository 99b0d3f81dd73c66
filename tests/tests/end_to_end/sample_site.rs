//! The shipped sample content builds into a complete, consistent site.
//!
//! Over 600 lines on purpose: every check reads the one build of the sample (`sample()`),
//! one test per kind of page, feed and calendar, so a reader finds them all in one place.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use portal_tests::{attribute_values, broken_links, files, read, root};

/// Builds the sample site once for all tests of this file.
fn sample() -> &'static PathBuf {
    static OUT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &OUT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let out = dir.path().join("public");
        portal_tests::build(&root().join("content"), &out).expect("the sample content builds");
        (dir, out)
    })
    .1
}

fn html_pages() -> Vec<String> {
    files(sample())
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect()
}

#[test]
fn every_page_type_is_built() {
    let all = files(sample());
    for expected in [
        "index.html",
        "members/index.html",
        "members/yamada-hanako/index.html",
        "events/index.html",
        "events/sendai-bousai-evening/index.html",
        "events/sendai-bousai-evening/sendai-bousai-evening.ics",
        "events/calendar.ics",
        "interests/index.html",
        "interests/防災/index.html",
        "prefectures/index.html",
        "prefectures/kanagawa/index.html",
        "sectors/index.html",
        "sectors/local-gov/index.html",
        "introductions/index.html",
        "events/new/index.html",
        "news/index.html",
        "news/2026-11-kickoff-report/index.html",
        "introductions/local-gov/index.html",
        "about/index.html",
        "join/index.html",
        "privacy/index.html",
        "code-of-conduct/index.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "css/style.css",
        "js/portal.js",
    ] {
        assert!(all.contains(expected), "{expected} is missing");
    }
}

#[test]
fn every_page_has_the_required_head_and_landmarks() {
    for page in html_pages() {
        let html = read(sample(), &page);
        for needle in [
            "<!DOCTYPE html>",
            "<html lang=\"ja\">",
            "<title>",
            "<meta name=\"description\" content=\"",
            "<link rel=\"canonical\" href=\"https://portal.example.org/",
            "<meta property=\"og:title\"",
            "<meta property=\"og:url\"",
            "<header",
            "<nav class=\"main-nav\" aria-label=\"メインメニュー\">",
            "<main id=\"main\"",
            "<footer",
        ] {
            assert!(html.contains(needle), "{page} lacks {needle}");
        }
        let description = attribute_values(&html, "content")
            .into_iter()
            .next()
            .unwrap_or_default();
        assert!(
            !description.trim().is_empty() || page == "404.html",
            "{page} has an empty description"
        );
        assert_eq!(html.matches("<h1").count(), 1, "{page} should have one h1");
        // A template given a map where it expects text prints it as {"key": ...}.
        assert!(
            !html.contains("{&quot;") && !html.contains("[&quot;"),
            "{page} prints a raw value"
        );
    }
}

#[test]
fn no_internal_link_anchor_or_asset_is_broken() {
    let broken = broken_links(sample(), "https://portal.example.org", "");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_sitemap_lists_every_page_and_nothing_else() {
    let sitemap = read(sample(), "sitemap.xml");
    let listed: BTreeSet<String> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(|url| {
            let path = url
                .strip_prefix("https://portal.example.org/")
                .expect("absolute URL of the site");
            let decoded = percent_encoding::percent_decode_str(path)
                .decode_utf8()
                .expect("UTF-8")
                .into_owned();
            format!("{decoded}index.html")
        })
        .collect();
    // The 404 page, the editors' page and the search page (its results are made in the
    // browser) are not for search engines.
    let pages: BTreeSet<String> = html_pages()
        .into_iter()
        .filter(|p| !["404.html", "admin/index.html", "search/index.html"].contains(&p.as_str()))
        .collect();
    assert_eq!(listed, pages);
}

#[test]
fn the_editors_page_is_built_but_hidden_from_search_and_from_public_pages() {
    let admin = read(sample(), "admin/index.html");
    assert!(admin.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
    assert!(
        admin.contains("/js/admin.js\" defer></script>")
            && admin.contains("<script src=\"/assets/")
    );
    assert!(admin.contains("<label for=\"admin-token\">編集者トークン</label>"));
    // Only the site's own scripts: no third-party code.
    for src in admin.split("<script src=\"").skip(1) {
        assert!(src.starts_with('/'), "a script from elsewhere: {src}");
    }
    for page in html_pages().into_iter().filter(|p| p != "admin/index.html") {
        assert!(
            !read(sample(), &page).contains("/admin/"),
            "{page} links to the editors' page"
        );
    }
    assert!(!read(sample(), "sitemap.xml").contains("/admin/"));
}

#[test]
fn the_feed_is_atom_with_members_and_events() {
    let text = read(sample(), "feed.xml");
    let feed = atom_syndication::Feed::read_from(text.as_bytes()).expect("valid Atom");
    assert_eq!(feed.title().as_str(), "まじわる 官民交流ポータル");
    assert!(
        feed.entries()
            .iter()
            .any(|e| e.title().as_str().starts_with("新しいメンバー: 山田 花子"))
    );
    assert!(
        feed.entries()
            .iter()
            .any(|e| e.title().as_str() == "イベント: 防災を語る夕べ in 仙台")
    );
    for entry in feed.entries() {
        assert!(
            entry.id().starts_with("https://portal.example.org/"),
            "{}",
            entry.id()
        );
        assert_eq!(entry.links()[0].href(), entry.id());
    }
    let updated: Vec<_> = feed.entries().iter().map(|e| *e.updated()).collect();
    assert!(
        updated.windows(2).all(|w| w[0] >= w[1]),
        "entries are newest first"
    );
}

/// Unfolds RFC 5545 content lines after checking the transport rules.
fn content_lines(ics: &str) -> Vec<String> {
    assert!(ics.ends_with("\r\n"), "ends with CRLF");
    assert!(
        !ics.replace("\r\n", "").contains('\n'),
        "every line ends with CRLF"
    );
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line}");
    }
    ics.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_calendars_are_rfc5545_with_the_required_properties() {
    let calendar = read(sample(), "events/calendar.ics");
    let lines = content_lines(&calendar);
    let parsed = ical::IcalParser::new(calendar.as_bytes())
        .next()
        .expect("one calendar")
        .expect("parses");
    assert!(parsed.properties.iter().any(|p| p.name == "PRODID"));
    assert!(
        parsed
            .properties
            .iter()
            .any(|p| p.name == "VERSION" && p.value.as_deref() == Some("2.0"))
    );
    assert_eq!(parsed.timezones.len(), 1);
    // Only upcoming events (the fixed now is 2026-11-25): 5 of the 8.
    assert_eq!(parsed.events.len(), 5);
    for event in &parsed.events {
        for required in ["UID", "DTSTAMP", "DTSTART", "SUMMARY"] {
            assert!(
                event.properties.iter().any(|p| p.name == required),
                "VEVENT lacks {required}"
            );
        }
        let start = event
            .properties
            .iter()
            .find(|p| p.name == "DTSTART")
            .expect("DTSTART");
        let params = start.params.clone().unwrap_or_default();
        assert!(
            params
                .iter()
                .any(|(k, v)| k == "TZID" && v == &["Asia/Tokyo".to_owned()])
        );
    }
    assert!(lines.contains(&"UID:sendai-bousai-evening@portal.example.org".to_owned()));
    assert!(lines.contains(&"DTSTART;TZID=Asia/Tokyo:20270123T150000".to_owned()));
    assert!(lines.contains(&"DTSTAMP:20261125T030000Z".to_owned()));

    let one = read(sample(), "events/online-kickoff/online-kickoff.ics");
    content_lines(&one);
    let parsed = ical::IcalParser::new(one.as_bytes())
        .next()
        .expect("one calendar")
        .expect("parses");
    assert_eq!(
        parsed.events.len(),
        1,
        "a past event keeps its own calendar file"
    );
}

#[test]
fn the_directory_is_in_gojuon_order_with_row_headings() {
    let html = read(sample(), "members/index.html");
    let names: Vec<String> = attribute_values(&html, "href")
        .into_iter()
        .filter(|h| h.starts_with("/members/") && h.len() > "/members/".len())
        .collect();
    let first = [
        "/members/abe-kaori/",
        "/members/ito-yui/",
        "/members/inoue-daisuke/",
        "/members/emily-clark/",
    ];
    assert_eq!(&names[..4], first, "あべ, いとう, いのうえ, エミリー");
    assert_eq!(
        names.last().map(String::as_str),
        Some("/members/okada-hikaru/"),
        "a name without kana sorts last"
    );
    let rows: Vec<&str> = [
        "あ行",
        "か行",
        "さ行",
        "た行",
        "な行",
        "は行",
        "ま行",
        "や行",
        "わ行",
        "その他",
    ]
    .to_vec();
    let positions: Vec<usize> = rows
        .iter()
        .map(|r| {
            html.find(&format!(">{r}</h2>"))
                .unwrap_or_else(|| panic!("{r}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "row headings in order"
    );
}

#[test]
fn upcoming_and_past_events_are_kept_apart() {
    let html = read(sample(), "events/index.html");
    let (upcoming, past) = html
        .split_once("id=\"past-heading\"")
        .expect("a past section");
    let order = |text: &str| -> Vec<String> {
        attribute_values(text, "href")
            .into_iter()
            .filter(|h| {
                h.starts_with("/events/")
                    && h.len() > 8
                    && !h.ends_with(".ics")
                    && h != "/events/new/"
            })
            .collect()
    };
    assert_eq!(
        order(upcoming),
        [
            "/events/public-private-lightning-talks/",
            "/events/fukuoka-startup-night/",
            "/events/newyear-online-mixer/",
            "/events/sendai-bousai-evening/",
            "/events/nagano-workation-visit/",
        ],
        "soonest first"
    );
    assert_eq!(
        order(past),
        [
            "/events/yokohama-opendata-meetup/",
            "/events/online-kickoff/",
            "/events/summer-online-talk/"
        ],
        "newest first"
    );
    // The script that moves events that pass between builds reads these.
    assert!(upcoming.contains("data-ends=\"2026-12-10T21:00:00+09:00\""));
    assert!(upcoming.contains("data-upcoming data-past=\"past-events\""));
}

#[test]
fn an_event_page_shows_the_japanese_date_venue_capacity_and_organizers() {
    let html = read(sample(), "events/sendai-bousai-evening/index.html");
    assert!(html.contains(
        "<time datetime=\"2027-01-23T15:00:00+09:00\">2027年1月23日(土) 15:00〜18:00</time>"
    ));
    assert!(html.contains("仙台市内の市民活動センター 会議室"));
    // The capacity in text; the seats left come from the function, with script.
    assert!(html.contains("<dt>定員</dt><dd>30人 <span class=\"seats\" role=\"status\" data-seats=\"https://portal.example.org/api/events/sendai-bousai-evening/seats\""));
    assert!(html.contains("href=\"/members/ito-yui/\""));
    assert!(html.contains("href=\"/events/sendai-bousai-evening/sendai-bousai-evening.ics\""));
    let two_days = read(sample(), "events/nagano-workation-visit/index.html");
    assert!(two_days.contains("2027年2月20日(土) 10:00〜2月21日(日) 15:00"));
    let external = read(sample(), "events/fukuoka-startup-night/index.html");
    assert!(external.contains("href=\"https://events.example.com/fukuoka-startup-night\""));
}

#[test]
fn a_profile_links_interests_and_lists_organized_events() {
    let html = read(sample(), "members/yamada-hanako/index.html");
    assert!(html.contains("<h1>山田 花子</h1>"));
    assert!(html.contains("href=\"/interests/%E3%82%AA%E3%83%BC%E3%83%97%E3%83%B3%E3%83%87%E3%83%BC%E3%82%BF/\">オープンデータ</a>"));
    assert!(html.contains("href=\"/events/yokohama-opendata-meetup/\""));
    assert!(html.contains("href=\"https://example.org/hanako\""));
    // Japanese soft line breaks join without a space.
    assert!(html.contains("登録しました。"));
    assert!(html.contains("市役所で企画の仕事をしています。民間の方と一緒に"));
}

#[test]
fn taxonomies_have_japanese_titles_readable_urls_and_counts() {
    let kanagawa = read(sample(), "prefectures/kanagawa/index.html");
    assert!(kanagawa.contains("<h1>神奈川県</h1>"));
    assert!(
        kanagawa.contains("href=\"/members/sato-kenta/\"")
            && kanagawa.contains("href=\"/events/yokohama-opendata-meetup/\"")
    );
    let index = read(sample(), "prefectures/index.html");
    assert!(index.contains("<h2>関東</h2>"));
    assert!(index.contains(
        "<a href=\"/prefectures/kanagawa/\">神奈川県</a> <span class=\"count\">2人 ・ 1件</span>"
    ));
    assert!(
        index.contains("<span class=\"muted\">青森県</span>"),
        "a prefecture with nobody has no page"
    );
    let bousai = read(sample(), "interests/防災/index.html");
    assert!(bousai.contains("<h1>防災</h1>"));
    let interests = read(sample(), "interests/index.html");
    assert!(interests.contains("<a href=\"/interests/%E9%98%B2%E7%81%BD/\">防災</a>"));
    let sector = read(sample(), "sectors/nonprofit/index.html");
    assert!(sector.contains("<h1>NPO・団体</h1>") && sector.contains("href=\"/members/ito-yui/\""));
}

#[test]
fn the_home_page_introduces_the_community_and_shows_whats_next() {
    let html = read(sample(), "index.html");
    assert!(html.contains("<h1 id=\"site-heading\">まじわる 官民交流ポータル</h1>"));
    assert!(html.contains("href=\"/join/\""));
    assert!(
        html.contains("href=\"/events/public-private-lightning-talks/\""),
        "the next event"
    );
    assert!(
        !html.contains("href=\"/events/online-kickoff/\""),
        "no past event among the next ones"
    );
    assert!(
        html.contains("href=\"/members/okada-hikaru/\""),
        "the newest member"
    );
}

#[test]
fn pages_with_menu_are_in_the_menu_in_order() {
    let html = read(sample(), "privacy/index.html");
    let nav = html
        .split("<nav class=\"main-nav\"")
        .nth(1)
        .and_then(|n| n.split("</nav>").next())
        .unwrap_or_default();
    let links: Vec<String> = attribute_values(nav, "href");
    assert_eq!(
        links,
        [
            "/members/",
            "/events/",
            "/news/",
            "/about/",
            "/join/",
            "/code-of-conduct/"
        ]
    );
}

#[test]
fn robots_and_404() {
    assert_eq!(
        read(sample(), "robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://portal.example.org/sitemap.xml\n"
    );
    assert!(read(sample(), "404.html").contains("ページが見つかりません"));
}

#[test]
fn the_site_posts_to_the_functions_at_api_base() {
    // /join/ carries the form itself: it posts to the function and works without script.
    let join = read(sample(), "join/index.html");
    assert!(join.contains("<form id=\"join-form\" class=\"join-form\" method=\"post\" action=\"https://portal.example.org/api/members\""));
    assert!(join.contains("data-stamp=\"https://portal.example.org/api/members/new\""));
    for field in [
        "name=\"name\" type=\"text\" required",
        "<select id=\"join-sector\" name=\"sector\" required>",
        "<option value=\"local-gov\">地方公務員</option>",
        "<option value=\"kanagawa\">神奈川県</option>",
        "name=\"interests\"",
        "name=\"links.website\" type=\"url\"",
        "name=\"bio\"",
        "name=\"email\" type=\"email\" required",
        "name=\"consent\" type=\"checkbox\" value=\"yes\" required",
        "name=\"homepage\" type=\"text\" tabindex=\"-1\"",
        "<input type=\"hidden\" name=\"form_token\" value=\"\">",
    ] {
        assert!(join.contains(field), "{field}");
    }
    // Every input has its label.
    for id in portal_tests::attribute_values(&join, "id")
        .into_iter()
        .filter(|id| {
            id.starts_with("join-")
                && !["join-form", "join-form-heading"].contains(&id.as_str())
                && !id.ends_with("-hint")
        })
    {
        assert!(
            join.contains(&format!(" for=\"{id}\">")),
            "{id} has no label"
        );
    }
    assert!(read(sample(), "join-thanks/index.html").contains("確認のメールを送りました"));
    // An upcoming event with a capacity and no outside registration takes sign-ups here.
    let open = read(sample(), "events/sendai-bousai-evening/index.html");
    assert!(open.contains("<form method=\"post\" action=\"https://portal.example.org/api/events/sendai-bousai-evening/signups\""));
    for closed in [
        "events/online-kickoff/index.html",
        "events/yokohama-opendata-meetup/index.html",
        "events/fukuoka-startup-night/index.html",
    ] {
        assert!(
            !read(sample(), closed).contains("/signups\""),
            "{closed}: no capacity, over, or registration elsewhere"
        );
    }
    let profile = read(sample(), "members/yamada-hanako/index.html");
    assert!(
        profile.contains("action=\"https://portal.example.org/api/members/yamada-hanako/removal\"")
    );
}

/// The people a profile suggests to meet, as (profile slug, reason) in page order.
fn people_to_meet(slug: &str) -> Vec<(String, String)> {
    let page = read(sample(), &format!("members/{slug}/index.html"));
    let Some(section) = page.split("<ul class=\"meet-list\">").nth(1) else {
        return Vec::new();
    };
    let section = section.split("</ul>").next().unwrap_or_default();
    section
        .split("<li>")
        .skip(1)
        .map(|item| {
            let href = attribute_values(item, "href").remove(0);
            let slug = href
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
            let reason = item
                .split("<span class=\"reason\">")
                .nth(1)
                .and_then(|r| r.split('<').next())
                .unwrap_or_default()
                .to_owned();
            (slug, reason)
        })
        .collect()
}

#[test]
fn a_profile_suggests_people_from_the_other_side_by_shared_interests() {
    // 山田 花子 (local government, 神奈川県: オープンデータ, 地域活性化). Both interests have four
    // members, so every match weighs the same: 佐藤 健太 shares her prefecture, 中村 直子
    // organizes an event, then 50-on order. 鈴木 美咲 and 岡田 光 share 地域活性化 but are
    // public servants too. 井上 大輔 and 高橋 亮 were at the (past) 横浜オープンデータ・ミートアップ
    // with her: four attendees, so it weighs as a four-member interest, and says so.
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        people_to_meet("yamada-hanako"),
        pairs(&[
            ("sato-kenta", "オープンデータに関心"),
            ("nakamura-naoko", "オープンデータに関心"),
            ("abe-kaori", "オープンデータに関心"),
            (
                "inoue-daisuke",
                "11月の横浜オープンデータ・ミートアップに参加"
            ),
            (
                "takahashi-ryo",
                "11月の横浜オープンデータ・ミートアップに参加"
            ),
            ("matsumoto-aoi", "地域活性化に関心"),
        ])
    );
    // 中村 直子 (academic: 公共政策, オープンデータ, 防災) meets only public servants; 防災 (three
    // members) weighs more than オープンデータ (four).
    let nakamura = people_to_meet("nakamura-naoko");
    assert!(!nakamura.is_empty());
    for (slug, _) in &nakamura {
        let page = read(sample(), &format!("members/{slug}/index.html"));
        assert!(
            page.contains("/sectors/local-gov/") || page.contains("/sectors/national-gov/"),
            "{slug} is not a public servant"
        );
    }
    assert!(
        nakamura
            .iter()
            .all(|(_, reason)| reason.ends_with("に関心")),
        "{nakamura:?}"
    );
}

#[test]
fn the_introductions_page_of_a_sector_pairs_interests_both_sides_have() {
    let page = read(sample(), "introductions/local-gov/index.html");
    // 観光: two local government members (木村, 渡辺) and, from the other side, two in
    // business (井上, 高橋) and one other (松本): the most evenly shared, so first.
    let first = page
        .split("<ul class=\"introductions\">")
        .nth(1)
        .and_then(|list| list.split("</li>").next())
        .expect("a list of interests");
    assert!(first.contains(">観光</a>"), "{first}");
    assert!(
        first.contains("地方公務員 2人、民間企業 2人、その他 1人"),
        "{first}"
    );
    let index = read(sample(), "introductions/index.html");
    for sector in [
        "local-gov",
        "national-gov",
        "private",
        "nonprofit",
        "academic",
        "other",
    ] {
        assert!(
            index.contains(&format!("/introductions/{sector}/")),
            "{sector}"
        );
    }
}

#[test]
fn news_is_listed_newest_first_on_its_page_the_home_page_and_the_feed() {
    let list = read(sample(), "news/index.html");
    let newer = list
        .find("オンライン交流会のふりかえり")
        .expect("the newer post");
    let older = list.find("まじわるを始めました").expect("the older post");
    assert!(newer < older, "newest first");
    let post = read(sample(), "news/2026-11-kickoff-report/index.html");
    assert!(
        post.contains("<a href=\"/members/ito-yui/\">伊藤 結衣</a>"),
        "the author is linked"
    );
    assert!(post.contains("<time datetime=\"2026-11-22\">2026年11月22日</time>"));
    // 防災 is an interest of members: the tag links to its page.
    assert!(post.contains("href=\"/interests/%E9%98%B2%E7%81%BD/\">防災</a>"));
    assert!(post.contains(
        "<li>防災の分科会では、避難所の情報をオープンデータにする話で盛り上がりました</li>"
    ));
    let home = read(sample(), "index.html");
    assert!(home.contains("id=\"news-heading\""));
    assert!(home.contains("/news/2026-11-kickoff-report/"));
    let feed = read(sample(), "feed.xml");
    assert!(feed.contains("<title>お知らせ: オンライン交流会のふりかえり</title>"));
    assert!(feed.contains("https://portal.example.org/news/2026-11-kickoff-report/"));
    let menu = read(sample(), "members/index.html");
    assert!(menu.contains("href=\"/news/\""), "news is in the main menu");
}

#[test]
fn a_member_without_a_photo_gets_initials_not_a_broken_image() {
    let page = read(sample(), "members/emily-clark/index.html");
    assert!(
        page.contains("<span class=\"avatar avatar-placeholder\" aria-hidden=\"true\">EC</span>")
    );
    let page = read(sample(), "members/yamada-hanako/index.html");
    assert!(page.contains("aria-hidden=\"true\">山</span>"));
    assert!(!page.contains("<img class=\"avatar\""));
}

#[test]
fn an_organizer_who_is_not_a_member_is_shown_as_written() {
    let page = read(sample(), "events/newyear-online-mixer/index.html");
    assert!(
        page.contains("<p class=\"organizer-name\">まじわる運営事務局</p>"),
        "the organizer's name"
    );
    // An event organized by members only shows their cards and no name line.
    let page = read(sample(), "events/sendai-bousai-evening/index.html");
    assert!(!page.contains("organizer-name"));
    assert!(page.contains("/members/ito-yui/"));
}

#[test]
fn the_events_page_links_to_the_announcement_form_which_posts_to_the_functions() {
    let list = read(sample(), "events/index.html");
    assert!(list.contains("href=\"/events/new/\""));
    let form = read(sample(), "events/new/index.html");
    assert!(form.contains("action=\"https://portal.example.org/api/events\""));
    for name in [
        "title",
        "start",
        "end",
        "venue.name",
        "capacity",
        "tags",
        "organizer_name",
        "body",
        "email",
        "consent",
        "homepage",
        "form_token",
    ] {
        assert!(form.contains(&format!("name=\"{name}\"")), "{name}");
    }
}

#[test]
fn an_event_says_its_fee_and_who_pays_on_its_card_and_page() {
    let list = read(sample(), "events/index.html");
    assert!(
        list.contains("<span class=\"fee\">会費 3,000円・各自負担</span>"),
        "the card"
    );
    let page = read(sample(), "events/fukuoka-startup-night/index.html");
    assert!(page.contains("<dt>会費</dt><dd>3,000円・各自負担<br><span class=\"note\">懇親会は会場で各自お支払いください</span></dd>"));
    assert!(!page.contains("事前の届出"), "no notice at 3,000 yen");
    // Over 10,000 yen: the neutral note for national public servants.
    let over = read(sample(), "events/nagano-workation-visit/index.html");
    assert!(over.contains("12,000円") && over.contains("事前の届出が必要な場合があります"));
    // An event without a fee says nothing of one.
    let none = read(sample(), "events/sendai-bousai-evening/index.html");
    assert!(!none.contains("<dt>会費</dt>"));
}
