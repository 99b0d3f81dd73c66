//! Rules of `portal build` on small synthetic sites: pagination, escaping, reproducibility,
//! atomic output, language, base path, drafts and time zones.

use generator::BuildError;
use portal_tests::{ContentDir, attribute_values, broken_links, event_handlers, files, read};

fn directory_with(members: usize) -> ContentDir {
    let site = ContentDir::japanese();
    for i in 0..members {
        site.member(&format!("m{i:03}"), &format!("メンバー{i:03}"), "あ");
    }
    site.build().expect("builds");
    site
}

fn member_links(html: &str) -> usize {
    attribute_values(html, "href")
        .iter()
        .filter(|h| h.starts_with("/members/m"))
        .count()
}

#[test]
fn an_empty_directory_has_one_page_saying_so() {
    let site = directory_with(0);
    let html = site.read("members/index.html");
    assert!(html.contains("まだメンバーはいません。"));
    assert!(!html.contains("class=\"pagination\""));
    assert!(!site.out().join("members/page/2").exists());
}

#[test]
fn one_member_makes_one_page() {
    let site = directory_with(1);
    assert_eq!(member_links(&site.read("members/index.html")), 1);
    assert!(!site.out().join("members/page/2").exists());
}

#[test]
fn fifty_members_fit_on_one_page() {
    let site = directory_with(50);
    let html = site.read("members/index.html");
    assert_eq!(member_links(&html), 50);
    assert!(!html.contains("class=\"pagination\""));
    assert!(!site.out().join("members/page/2").exists());
}

#[test]
fn the_fifty_first_member_goes_to_page_two() {
    let site = directory_with(51);
    let first = site.read("members/index.html");
    let second = site.read("members/page/2/index.html");
    assert_eq!(member_links(&first), 50);
    assert_eq!(member_links(&second), 1);
    assert!(second.contains("href=\"/members/m050/\""));
    assert!(first.contains("<a href=\"/members/page/2/\" rel=\"next\">"));
    assert!(second.contains("<a href=\"/members/\" rel=\"prev\">"));
    assert!(
        second.contains(
            "<link rel=\"canonical\" href=\"https://portal.example.org/members/page/2/\">"
        )
    );
    assert!(!site.out().join("members/page/3").exists());
    assert!(broken_links(&site.out(), "https://portal.example.org", "").is_empty());
}

#[test]
fn script_injection_through_every_member_field_stays_text() {
    let site = ContentDir::japanese();
    let attack = "<script>alert(1)</script>";
    site.write(
        "members/attacker.md",
        &format!(
            "---\nname: \"{attack}\\\" onmouseover=\\\"alert(1)\"\nsector: private\norganization: \"<img src=x onerror=alert(1)>\"\nrole: \"</title><script>alert(2)</script>\"\ninterests: [\"<b onclick=alert(3)>x</b>\", \"\\\"><svg onload=alert(4)>\"]\njoined: 2026-11-01\n---\n{attack}\n\n<iframe src=\"javascript:alert(5)\"></iframe>\n\n[click](javascript:alert(6)) [x](JAVASCRIPT:alert(7)) <javascript:alert(8)>\n\n![img](x\" onerror=\"alert(9))\n\n<a href=\"https://ok.example\" onclick=\"alert(10)\">a</a>\n"
        ),
    );
    site.write(
        "events/evil.md",
        "---\ntitle: \"<script>alert(11)</script>\"\nstart: 2026-12-01T19:00\ntags: [\"<script>\"]\nvenue:\n  name: \"<script>alert(12)</script>\"\n  address: \"<img src=x onerror=alert(13)>\"\n---\n<script>alert(14)</script>\n",
    );
    site.build().expect("builds");
    for file in files(&site.out()) {
        // Calendars are plain text (no markup context); scripts and the icon are the theme's
        // own; the search index's token files are binary data, read by search.js only.
        if file.ends_with(".js")
            || file.ends_with(".ics")
            || file == "favicon.svg"
            || file.ends_with(".bin")
        {
            continue;
        }
        // The theme's own scripts, and the editors' page's data block (theme strings only).
        let text = without_theme_scripts(&read(&site.out(), &file))
            .replace("<script type=\"application/json\" id=\"admin-data\">", "");
        let lower = text.to_lowercase();
        for tag in ["<script", "<img src=x", "<iframe", "<svg", "<b onclick"] {
            assert!(!lower.contains(tag), "{file} contains the tag {tag}");
        }
        let handlers = event_handlers(&text);
        assert!(
            handlers.is_empty(),
            "{file} has event handlers {handlers:?}"
        );
        for url in attribute_values(&text, "href")
            .into_iter()
            .chain(attribute_values(&text, "src"))
        {
            let url = url.trim().to_lowercase();
            assert!(
                url.starts_with('/')
                    || url.starts_with("https://")
                    || url.starts_with("http://")
                    || url.starts_with('#'),
                "{file} links to {url}"
            );
        }
    }
    let profile = site.read("members/attacker/index.html");
    assert!(
        profile.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the bio shows the text"
    );
    assert!(
        profile.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the organization shows the text"
    );
}

#[test]
fn the_handler_scan_finds_handlers() {
    assert_eq!(
        event_handlers("<p>x onclick=\"y\"</p><img src=x onerror=alert(1)>"),
        ["onerror"]
    );
    assert_eq!(
        event_handlers("<meta content=\"a onclick=b\"><a href='x' OnClick = \"y\">"),
        ["onclick"]
    );
    assert!(event_handlers("<a href=\"/x\" rel=\"nofollow\">").is_empty());
}

#[test]
fn javascript_links_are_rejected_in_front_matter() {
    let site = ContentDir::japanese();
    site.write("members/a.md", "---\nname: a\nsector: private\njoined: 2026-11-01\nlinks:\n  website: javascript:alert(1)\n---\n");
    let Err(BuildError::Content(diagnostics)) = site.build() else {
        panic!("must fail")
    };
    assert_eq!(
        diagnostics[0].message,
        "`website` must be an https:// address"
    );
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let site = ContentDir::japanese();
    site.member("a", "阿部", "あべ").write(
        "events/e.md",
        "---\ntitle: 交流会\nstart: 2026-12-10T19:00\nend: 2026-12-10T21:00\ncapacity: 10\ntags: [防災]\n---\n本文\n",
    );
    let first = site.dir.path().join("first");
    let second = site.dir.path().join("second");
    portal_tests::build(&site.content(), &first).expect("first build");
    portal_tests::build(&site.content(), &second).expect("second build");
    let names = files(&first);
    assert_eq!(names, files(&second));
    for name in names {
        assert_eq!(
            std::fs::read(first.join(&name)).ok(),
            std::fs::read(second.join(&name)).ok(),
            "{name} differs"
        );
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = ContentDir::japanese();
    site.member("a", "阿部", "あべ");
    site.build().expect("first build");
    let before = read(&site.out(), "members/a/index.html");
    site.write(
        "members/b.md",
        "---\nname: b\nsector: privat\njoined: 2026-11-01\n---\n",
    );
    assert!(matches!(site.build(), Err(BuildError::Content(_))));
    assert_eq!(read(&site.out(), "members/a/index.html"), before);
    assert!(!site.out().join("members/b").exists());
    let leftovers: Vec<_> = std::fs::read_dir(site.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary folders are left: {leftovers:?}"
    );
}

#[test]
fn a_successful_build_replaces_stale_files() {
    let site = ContentDir::japanese();
    site.member("a", "阿部", "あべ").member("b", "馬場", "ばば");
    site.build().expect("first build");
    std::fs::remove_file(site.content().join("members/b.md")).unwrap();
    site.build().expect("second build");
    assert!(!site.out().join("members/b").exists());
}

#[test]
fn times_without_offset_are_tokyo_and_utc_times_are_shown_in_tokyo() {
    let site = ContentDir::japanese();
    site.write(
        "events/local.md",
        "---\ntitle: a\nstart: 2026-12-10T19:00\n---\n",
    );
    site.write(
        "events/utc.md",
        "---\ntitle: b\nstart: 2026-12-10T16:00:00Z\n---\n",
    );
    site.build().expect("builds");
    assert!(
        site.read("events/local/index.html").contains(
            "<time datetime=\"2026-12-10T19:00:00+09:00\">2026年12月10日(木) 19:00</time>"
        )
    );
    assert!(
        site.read("events/utc/index.html").contains(
            "<time datetime=\"2026-12-11T01:00:00+09:00\">2026年12月11日(金) 01:00</time>"
        )
    );
    let ics = site.read("events/utc/utc.ics");
    assert!(ics.contains("DTSTART;TZID=Asia/Tokyo:20261211T010000\r\n"));
}

#[test]
fn an_event_counts_as_upcoming_until_it_ends() {
    // The fixed now is 2026-11-25 12:00 JST; this event runs 10:00-13:00 that day.
    let site = ContentDir::japanese();
    site.write(
        "events/now.md",
        "---\ntitle: いま開催中\nstart: 2026-11-25T10:00\nend: 2026-11-25T13:00\n---\n",
    );
    site.build().expect("builds");
    let html = site.read("events/index.html");
    let (upcoming, _) = html.split_once("id=\"past-heading\"").unwrap();
    assert!(upcoming.contains("href=\"/events/now/\""));
}

#[test]
fn english_ui_with_language_en() {
    let site = ContentDir::new(
        "title: Portal\ndescription: A test\nbase_url: https://x.example\nlanguage: en\n",
    );
    site.member("a", "Abe", "あべ");
    site.write(
        "events/e.md",
        "---\ntitle: Meetup\nstart: 2026-12-10T19:00\nprefecture: kanagawa\n---\n",
    );
    site.build().expect("builds");
    let home = site.read("index.html");
    assert!(home.contains("<html lang=\"en\">"));
    assert!(
        home.contains("Newest members")
            && home.contains("Register your profile") == site.out().join("join").exists()
    );
    let event = site.read("events/e/index.html");
    assert!(event.contains("Thu, 10 Dec 2026 19:00 JST"));
    assert!(event.contains(">Kanagawa</a>"));
    assert!(
        site.read("members/index.html")
            .contains(">Local government</a>")
    );
    // The editors' page and its script's strings follow the language too.
    let admin = site.read("admin/index.html");
    assert!(admin.contains("<label for=\"admin-token\">Editor token</label>"));
    assert!(admin.contains("\"admin_approve\":\"Approve\""));
    assert!(admin.contains("\"kanagawa\":\"Kanagawa\""));
    assert!(!admin.contains("編集者"));
}

#[test]
fn a_base_path_prefixes_every_link() {
    let site =
        ContentDir::new("title: T\ndescription: D\nbase_url: https://example.github.io/portal/\n");
    site.member("a", "阿部", "あべ").write(
        "events/e.md",
        "---\ntitle: e\nstart: 2026-12-10T19:00\ntags: [防災]\n---\n",
    );
    site.write("pages/about.md", "---\ntitle: About\nmenu: 1\n---\nhi\n");
    site.build().expect("builds");
    let home = site.read("index.html");
    assert!(home.contains("href=\"/portal/assets/") && home.contains("/css/style.css\""));
    assert!(home.contains("href=\"/portal/about/\""));
    assert!(home.contains("<link rel=\"canonical\" href=\"https://example.github.io/portal/\">"));
    let broken = broken_links(&site.out(), "https://example.github.io", "/portal");
    assert!(broken.is_empty(), "{broken:?}");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = ContentDir::japanese();
    site.member("a", "阿部", "あべ");
    site.write(
        "members/d.md",
        "---\nname: 下書き\nsector: other\njoined: 2026-11-01\ndraft: true\n---\n",
    );
    site.build().expect("builds");
    assert!(!site.out().join("members/d").exists());
    let mut options = portal_tests::options(&site.content(), &site.out());
    options.drafts = true;
    generator::build(&options).expect("builds with drafts");
    assert!(site.out().join("members/d/index.html").exists());
}

#[test]
fn japanese_terms_give_percent_encoded_utf8_urls() {
    let site = ContentDir::japanese();
    site.write("members/a.md", "---\nname: 阿部\nsector: other\njoined: 2026-11-01\ninterests: [まちづくり, ＤＸ推進, Open Data]\n---\n");
    site.write(
        "members/b.md",
        "---\nname: 馬場\nsector: other\njoined: 2026-11-01\ninterests: [DX推進]\n---\n",
    );
    site.build().expect("builds");
    let all = files(&site.out());
    assert!(all.contains("interests/まちづくり/index.html"));
    assert!(
        all.contains("interests/dx推進/index.html"),
        "full-width and half-width spellings are one term"
    );
    assert!(all.contains("interests/open-data/index.html"));
    let html = site.read("interests/dx推進/index.html");
    assert!(html.contains("href=\"/members/a/\"") && html.contains("href=\"/members/b/\""));
    let profile = site.read("members/a/index.html");
    assert!(profile.contains(
        "href=\"/interests/%E3%81%BE%E3%81%A1%E3%81%A5%E3%81%8F%E3%82%8A/\">まちづくり</a>"
    ));
    assert!(broken_links(&site.out(), "https://portal.example.org", "").is_empty());
}

#[test]
fn editor_pages_may_hold_raw_html() {
    let site = ContentDir::japanese();
    site.write(
        "pages/about.md",
        "---\ntitle: 概要\n---\n<div class=\"note\">お知らせ</div>\n",
    );
    site.build().expect("builds");
    assert!(
        site.read("about/index.html")
            .contains("<div class=\"note\">お知らせ</div>")
    );
}

#[test]
fn the_output_folder_may_not_hold_the_content() {
    let site = ContentDir::japanese();
    site.member("a", "阿部", "あべ");
    let options = portal_tests::options(&site.content(), site.dir.path());
    let error = generator::build(&options).unwrap_err();
    assert!(matches!(error, BuildError::Output { .. }), "{error}");
    assert!(
        error.to_string().contains("holds the content folder"),
        "{error}"
    );
    assert!(
        site.content().join("members/a.md").exists(),
        "nothing was deleted"
    );
}

#[test]
fn a_static_file_may_not_replace_a_generated_page() {
    let site = ContentDir::japanese();
    site.write("static/members/index.html", "<p>mine</p>");
    let Err(BuildError::Content(diagnostics)) = site.build() else {
        panic!("must fail")
    };
    assert_eq!(
        diagnostics[0].message,
        "`members/index.html` would replace a page the portal makes"
    );
}

#[test]
fn every_new_file_passes_check_as_written() {
    use generator::new::{Kind, new_file};
    let site = ContentDir::japanese();
    let content = site.dir.path().join("content");
    let today = "2026-11-25".parse().unwrap();
    for (kind, slug) in [
        (Kind::Member, "yamada-hanako"),
        (Kind::Event, "tea-party"),
        (Kind::Page, "guide"),
    ] {
        new_file(&content, kind, slug, today).expect("written");
    }
    for drafts in [false, true] {
        let mut options = portal_tests::options(&content, &site.dir.path().join("public"));
        options.drafts = drafts;
        let report = generator::check::check(&options).expect("checked");
        assert!(
            report.diagnostics.is_empty(),
            "drafts {drafts}: {:?}",
            report.diagnostics
        );
        assert_eq!(
            (report.members, report.events, report.pages),
            if drafts { (1, 1, 1) } else { (0, 0, 1) }
        );
    }
}

#[test]
fn the_built_in_theme_is_the_default_theme_byte_for_byte() {
    let out = tempfile::tempdir().unwrap();
    let content = portal_tests::root().join("content");
    let mut folder = portal_tests::options(&content, &out.path().join("folder"));
    folder.theme = generator::ThemeSource::Folder(portal_tests::root().join("themes/default"));
    let mut embedded = portal_tests::options(&content, &out.path().join("embedded"));
    embedded.theme = generator::ThemeSource::Embedded;
    generator::build(&folder).expect("builds with the theme folder");
    generator::build(&embedded).expect("builds with the built-in theme");
    let a = files(&out.path().join("folder"));
    let b = files(&out.path().join("embedded"));
    assert_eq!(a, b, "the same files");
    assert!(a.iter().any(|f| f == "css/style.css") && a.iter().any(|f| f == "js/admin.js"));
    for file in &a {
        // Compared without printing: the files are long (and the binary must be rebuilt
        // when the theme folder changes).
        let same = std::fs::read(out.path().join("folder").join(file)).unwrap()
            == std::fs::read(out.path().join("embedded").join(file)).unwrap();
        assert!(
            same,
            "{file} differs between the theme folder and the built-in theme"
        );
    }
}

/// `html` without the theme's own script tags (`<script src="/assets/<hash>/js/..." defer>`).
fn without_theme_scripts(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<script src=\"/assets/") {
        out.push_str(&rest[..at]);
        let tag_end = "defer></script>";
        match rest[at..].find(tag_end) {
            Some(end) => rest = &rest[at + end + tag_end.len()..],
            None => {
                out.push_str(&rest[at..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
