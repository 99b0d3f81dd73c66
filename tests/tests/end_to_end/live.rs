//! `portal serve`'s site in memory: after any sequence of edits, additions and deletions,
//! it holds exactly the bytes a full `portal build` of the same content writes, and an edit
//! renders again only the pages it touches.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use generator::live::{LiveSite, Update};
use portal_tests::{copy_dir, files, options, root};

struct Project {
    _dir: tempfile::TempDir,
    content: PathBuf,
    out: PathBuf,
    /// Files changed since the last rebuild, relative to the content folder (what the
    /// watcher of `portal serve` reports).
    changed: std::cell::RefCell<Vec<PathBuf>>,
}

impl Project {
    fn sample() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        copy_dir(&root().join("content"), &content);
        let out = dir.path().join("public");
        Project {
            _dir: dir,
            content,
            out,
            changed: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn write(&self, relative: &str, text: &str) {
        self.changed.borrow_mut().push(relative.into());
        let path = self.content.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn edit(&self, relative: &str, from: &str, to: &str) {
        self.changed.borrow_mut().push(relative.into());
        let path = self.content.join(relative);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{relative} has no `{from}`");
        fs::write(path, text.replacen(from, to, 1)).unwrap();
    }

    fn remove(&self, relative: &str) {
        self.changed.borrow_mut().push(relative.into());
        fs::remove_file(self.content.join(relative)).unwrap();
    }

    /// A full build of the content as it is now, file by file.
    fn full_build(&self) -> BTreeMap<String, Vec<u8>> {
        generator::build(&options(&self.content, &self.out)).unwrap();
        files(&self.out)
            .into_iter()
            .map(|name| {
                let bytes = fs::read(self.out.join(&name)).unwrap();
                (name, bytes)
            })
            .collect()
    }
}

fn rebuild(live: &mut LiveSite) -> Update {
    live.rebuild()
        .unwrap_or_else(|e| panic!("rebuild: {}", describe(&e)))
}

/// Rebuilds reading only the files changed since the last rebuild, as `portal serve` does.
fn rebuild_changed(live: &mut LiveSite, project: &Project) -> Update {
    let changed = std::mem::take(&mut *project.changed.borrow_mut());
    live.rebuild_changed(Some(&changed))
        .unwrap_or_else(|e| panic!("rebuild: {}", describe(&e)))
}

fn describe(error: &generator::BuildError) -> String {
    match error {
        generator::BuildError::Content(found) => found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

/// Fails with the paths that differ between the site in memory and a full build, once the
/// search index has followed the rebuild (as `portal serve` makes it right after).
fn assert_same_as_full_build(live: &mut LiveSite, project: &Project, step: &str) {
    live.refresh_search();
    let built = project.full_build();
    let served: BTreeMap<String, Vec<u8>> = live
        .files()
        .iter()
        .map(|(path, output)| (path.to_string(), output.read().unwrap().to_vec()))
        .collect();
    let only_built: Vec<&String> = built.keys().filter(|p| !served.contains_key(*p)).collect();
    let only_served: Vec<&String> = served.keys().filter(|p| !built.contains_key(*p)).collect();
    let differ: Vec<&String> = built
        .iter()
        .filter(|(p, bytes)| served.get(*p).is_some_and(|s| s != *bytes))
        .map(|(p, _)| p)
        .collect();
    assert!(
        only_built.is_empty() && only_served.is_empty() && differ.is_empty(),
        "after {step}: only in the build {only_built:?}, only served {only_served:?}, different {differ:?}"
    );
}

fn sorted(mut paths: Vec<String>) -> Vec<String> {
    paths.sort();
    paths
}

#[test]
fn every_edit_serves_what_a_full_build_writes() {
    let project = Project::sample();
    let mut live = LiveSite::new(options(&project.content, &project.out));
    let first = rebuild(&mut live);
    assert_eq!(first.rendered.len(), first.outputs - count_static(&live));
    assert_same_as_full_build(&mut live, &project, "the first build");

    type Step = (&'static str, Box<dyn Fn(&Project)>);
    let steps: Vec<Step> = vec![
        (
            "a bio edit",
            Box::new(|p| p.edit("members/abe-kaori.md", "統計データ", "人口統計データ")),
        ),
        (
            "a new role",
            Box::new(|p| {
                p.edit(
                    "members/abe-kaori.md",
                    "role: データサイエンティスト",
                    "role: 主任データサイエンティスト",
                )
            }),
        ),
        (
            "another organization",
            Box::new(|p| {
                p.edit(
                    "members/abe-kaori.md",
                    "株式会社ローカルデータ",
                    "合同会社データと地域",
                )
            }),
        ),
        (
            "a new link",
            Box::new(|p| {
                p.edit(
                    "members/abe-kaori.md",
                    "links:",
                    "links:\n  website: https://example.org/abe",
                )
            }),
        ),
        (
            "an organizer's new role",
            Box::new(|p| p.edit("members/ito-yui.md", "role: 事務局長", "role: 副事務局長")),
        ),
        (
            "a new interest",
            Box::new(|p| {
                p.edit(
                    "members/abe-kaori.md",
                    "[データ分析,",
                    "[データ分析, 日本酒,",
                )
            }),
        ),
        (
            "another sector",
            Box::new(|p| {
                p.edit(
                    "members/abe-kaori.md",
                    "sector: private",
                    "sector: local-gov",
                )
            }),
        ),
        (
            "a new reading",
            Box::new(|p| {
                p.edit(
                    "members/abe-kaori.md",
                    "kana: あべ かおり",
                    "kana: わたなべ かおり",
                )
            }),
        ),
        (
            "a new member",
            Box::new(|p| {
                p.write("members/zz-new.md", "---\nname: 新井 一郎\nkana: あらい いちろう\nsector: national-gov\nprefecture: okinawa\ninterests: [泡盛]\njoined: 2026-11-24\n---\nはじめまして。\n")
            }),
        ),
        (
            "a deleted member",
            Box::new(|p| p.remove("members/mori-yusuke.md")),
        ),
        (
            "a draft",
            Box::new(|p| p.edit("members/zz-new.md", "joined:", "draft: true\njoined:")),
        ),
        ("an event edit", Box::new(|p| p.edit_first_event_title())),
        (
            "a new event",
            Box::new(|p| {
                p.write("events/zz-party.md", "---\ntitle: 年末の交流会\nstart: 2026-12-20T18:00:00+09:00\nonline: true\ntags: [泡盛, 交流会]\norganizers: [abe-kaori]\ncapacity: 2\n---\n気軽にどうぞ。\n")
            }),
        ),
        (
            "a deleted event",
            Box::new(|p| p.remove("events/online-kickoff.md")),
        ),
        ("a page in the menu", Box::new(|p| p.edit_about_title())),
        (
            "a new post",
            Box::new(|p| {
                p.write("posts/zz-news.md", "---\ntitle: 年末のお知らせ\ndate: 2026-12-01\nauthor: abe-kaori\ntags: [泡盛]\n---\n今年もありがとうございました。\n")
            }),
        ),
        (
            "a post's title",
            Box::new(|p| p.edit("posts/zz-news.md", "年末のお知らせ", "年末年始のお知らせ")),
        ),
        (
            "a deleted post",
            Box::new(|p| p.remove("posts/2026-11-welcome.md")),
        ),
        (
            "site.yaml",
            Box::new(|p| p.edit("site.yaml", "title:", "title: 新")),
        ),
        (
            "a static file",
            Box::new(|p| p.write("static/files/guide.txt", "案内\n")),
        ),
    ];
    for (step, change) in steps {
        change(&project);
        rebuild_changed(&mut live, &project);
        assert_same_as_full_build(&mut live, &project, step);
    }
    // A whole new load finds the same.
    let update = rebuild(&mut live);
    assert_eq!(update.rendered.len(), 4, "{:?}", update.rendered);
}

impl Project {
    fn edit_first_event_title(&self) {
        self.changed
            .borrow_mut()
            .push("events/sendai-bousai-evening.md".into());
        let path = self.content.join("events/sendai-bousai-evening.md");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(path, text.replacen("title: ", "title: 【改】", 1)).unwrap();
    }

    fn edit_about_title(&self) {
        self.changed.borrow_mut().push("pages/about.md".into());
        let path = self.content.join("pages/about.md");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(path, text.replacen("title: ", "title: 改 ", 1)).unwrap();
    }
}

fn count_static(live: &LiveSite) -> usize {
    live.files()
        .values()
        .filter(|o| matches!(o, generator::live::Output::File(_)))
        .count()
        + theme_assets()
}

/// The theme's static files, and a fingerprinted copy of each style sheet and script.
fn theme_assets() -> usize {
    let all = files(&root().join("themes/default/static"));
    let copies = all
        .iter()
        .filter(|f| f.ends_with(".css") || f.ends_with(".js"))
        .count();
    all.len() + copies
}

#[test]
fn a_bio_edit_renders_only_the_pages_that_show_it() {
    let project = Project::sample();
    let mut live = LiveSite::new(options(&project.content, &project.out));
    rebuild(&mut live);
    let unchanged = rebuild(&mut live);
    assert_eq!(
        sorted(unchanged.rendered),
        [
            "events/calendar.ics",
            "feed.xml",
            "robots.txt",
            "sitemap.xml"
        ],
        "a rebuild without changes renders only what reads everything"
    );
    project.edit("members/abe-kaori.md", "統計データ", "人口統計データ");
    let update = rebuild_changed(&mut live, &project);
    // The introduction is on the profile and in the feed only: nothing else is made.
    assert_eq!(
        sorted(update.rendered),
        ["feed.xml", "members/abe-kaori/index.html"],
        "the bio is on the profile only"
    );
    assert_same_as_full_build(&mut live, &project, "an introduction edit");
    assert!(update.removed.is_empty());

    // The name is on the card: every list that shows the card.
    project.edit(
        "members/abe-kaori.md",
        "name: 阿部 かおり",
        "name: 阿部 香織",
    );
    let update = rebuild(&mut live);
    let pages: Vec<String> = sorted(update.rendered)
        .into_iter()
        .filter(|p| p.ends_with(".html"))
        .collect();
    for page in [
        "members/abe-kaori/index.html",
        "members/index.html",
        "interests/データ分析/index.html",
        "prefectures/saitama/index.html",
        "sectors/private/index.html",
    ] {
        assert!(pages.iter().any(|p| p == page), "{page} not in {pages:?}");
    }
    assert!(
        !pages.iter().any(|p| p == "members/ito-yui/index.html"),
        "another profile was rendered: {pages:?}"
    );
    assert!(pages.len() < 15, "{pages:?}");

    // A new role is on the card: the lists that show it are made from the kept render
    // (the general rebuild would also make the calendar, sitemap and robots.txt again).
    project.edit(
        "members/abe-kaori.md",
        "role: データサイエンティスト",
        "role: 主任研究員",
    );
    let update = rebuild_changed(&mut live, &project);
    let rendered = sorted(update.rendered);
    for page in [
        "feed.xml",
        "members/abe-kaori/index.html",
        "members/index.html",
        "prefectures/saitama/index.html",
    ] {
        assert!(
            rendered.iter().any(|p| p == page),
            "{page} not in {rendered:?}"
        );
    }
    assert!(!rendered.iter().any(|p| p == "sitemap.xml"), "{rendered:?}");
    assert_same_as_full_build(&mut live, &project, "a new role");
}

#[test]
fn a_content_error_keeps_the_last_good_site() {
    let project = Project::sample();
    let mut live = LiveSite::new(options(&project.content, &project.out));
    rebuild(&mut live);
    let before = live.files();
    project.edit("members/abe-kaori.md", "sector: private", "sector: privat");
    let error = live.rebuild().expect_err("an unknown sector");
    let text = describe(&error);
    assert!(text.contains("abe-kaori.md"), "{text}");
    assert!(std::sync::Arc::ptr_eq(&before, &live.files()));
    project.edit("members/abe-kaori.md", "sector: privat", "sector: private");
    rebuild(&mut live);
    assert_same_as_full_build(&mut live, &project, "the fix");
}

#[test]
fn a_new_file_in_a_subfolder_and_an_editor_swap_file_read_as_a_full_load_would() {
    let project = Project::sample();
    let mut live = LiveSite::new(options(&project.content, &project.out));
    rebuild(&mut live);
    project.write(
        "members/kanto/aoki-jun.md",
        "---\nname: 青木 純\nkana: あおき じゅん\nsector: private\njoined: 2026-11-01\n---\n",
    );
    project.write("members/.abe-kaori.md.swp", "binary junk");
    rebuild_changed(&mut live, &project);
    assert_same_as_full_build(&mut live, &project, "a subfolder and a swap file");
    // A stray file is a content error either way.
    project.write("members/notes.txt", "memo");
    let error = live
        .rebuild_changed(Some(&[PathBuf::from("members/notes.txt")]))
        .expect_err("a stray file");
    assert!(
        describe(&error).contains("notes.txt"),
        "{}",
        describe(&error)
    );
}

#[test]
fn an_editor_saving_through_a_temporary_file_and_a_moved_folder_read_as_a_full_load_would() {
    let project = Project::sample();
    let mut live = LiveSite::new(options(&project.content, &project.out));
    project.write(
        "members/kanto/aoki-jun.md",
        "---\nname: 青木 純\nkana: あおき じゅん\nsector: private\njoined: 2026-11-01\n---\n",
    );
    rebuild(&mut live);
    project.changed.borrow_mut().clear();
    // sed -i and many editors write a temporary file and rename it over the original.
    let target = project.content.join("members/abe-kaori.md");
    let temporary = project.content.join("members/sedX1b2c3");
    let text = fs::read_to_string(&target)
        .unwrap()
        .replace("統計データ", "統計");
    fs::write(&temporary, text).unwrap();
    fs::rename(&temporary, &target).unwrap();
    let changed = [
        PathBuf::from("members/sedX1b2c3"),
        PathBuf::from("members/abe-kaori.md"),
    ];
    live.rebuild_changed(Some(&changed)).unwrap();
    assert_same_as_full_build(&mut live, &project, "a save through a temporary file");
    // A folder moved out of the content folder takes its members along.
    let outside = project.out.with_file_name("kanto");
    fs::rename(project.content.join("members/kanto"), &outside).unwrap();
    live.rebuild_changed(Some(&[PathBuf::from("members/kanto")]))
        .unwrap();
    assert_same_as_full_build(&mut live, &project, "a moved folder");
    assert!(!live.files().contains_key("members/aoki-jun/index.html"));
}

#[test]
fn while_one_file_has_a_mistake_an_edit_elsewhere_does_not_hide_it() {
    let project = Project::sample();
    let mut live = LiveSite::new(options(&project.content, &project.out));
    rebuild(&mut live);
    project.edit("members/abe-kaori.md", "sector: private", "sector: privat");
    live.rebuild_changed(Some(&std::mem::take(&mut *project.changed.borrow_mut())))
        .expect_err("an unknown sector");
    // An introduction edit of another member would take the kept render; the mistake in
    // abe-kaori.md must still be reported.
    project.edit("members/ito-yui.md", "。", "。！");
    let error = live
        .rebuild_changed(Some(&std::mem::take(&mut *project.changed.borrow_mut())))
        .expect_err("the mistake is still there");
    assert!(
        describe(&error).contains("abe-kaori.md"),
        "{}",
        describe(&error)
    );
    project.edit("members/abe-kaori.md", "sector: privat", "sector: private");
    rebuild_changed(&mut live, &project);
    assert_same_as_full_build(&mut live, &project, "the fix");
}

/// Whether an update came from the kept render: the general rebuild always makes the outputs
/// that read everything (robots.txt among them) again.
fn from_kept_render(update: &Update) -> bool {
    !update.rendered.iter().any(|p| p == "robots.txt")
}

#[test]
fn a_member_moving_in_paged_lists_serves_what_a_full_build_writes() {
    let project = Project::sample();
    // Three to a page, so that the directory and the larger terms have several pages.
    project.edit(
        "site.yaml",
        "language: ja",
        "language: ja\nmembers_per_page: 3",
    );
    let mut live = LiveSite::new(options(&project.content, &project.out));
    rebuild(&mut live);
    project.changed.borrow_mut().clear();
    assert_same_as_full_build(&mut live, &project, "the first build");

    // (what, the edit, whether the kept render can make it)
    type Step = (&'static str, Box<dyn Fn(&Project)>, bool);
    let abe = "members/abe-kaori.md";
    let steps: Vec<Step> = vec![
        (
            "a reading that moves the first member to the last page",
            Box::new(move |p| p.edit(abe, "kana: あべ かおり", "kana: わだ かおり")),
            true,
        ),
        (
            "a later joined date (the home page's newest)",
            Box::new(move |p| p.edit(abe, "joined: 2026-09-28", "joined: 2026-11-30")),
            true,
        ),
        (
            "a prefecture nobody else is in",
            Box::new(move |p| p.edit(abe, "prefecture: saitama", "prefecture: gunma")),
            true,
        ),
        (
            "an interest nobody else has",
            Box::new(move |p| p.edit(abe, "オープンデータ]", "オープンデータ, 盆栽]")),
            true,
        ),
        (
            "that interest given up again",
            Box::new(move |p| p.edit(abe, ", 盆栽]", "]")),
            true,
        ),
        (
            "another sector (every directory page counts the sectors)",
            Box::new(move |p| p.edit(abe, "sector: private", "sector: academic")),
            true,
        ),
        (
            "no more introduction requests (out of everyone's people to meet)",
            Box::new(move |p| {
                p.edit(
                    abe,
                    "sector: academic",
                    "sector: academic\nintroductions: closed",
                )
            }),
            true,
        ),
        (
            "requests welcome again",
            Box::new(move |p| p.edit(abe, "introductions: closed", "introductions: open")),
            true,
        ),
        (
            "a post's author renamed",
            Box::new(|p| p.edit("members/ito-yui.md", "name: 伊藤 結衣", "name: 伊藤 ゆい")),
            true,
        ),
        (
            "an organizer moving",
            Box::new(|p| p.edit("members/ito-yui.md", "kana: いとう ゆい", "kana: ん ゆい")),
            true,
        ),
        (
            "a name and reading back to the first page",
            Box::new(move |p| {
                p.edit(abe, "name: 阿部 かおり", "name: 阿 かおり");
                p.edit(abe, "kana: わだ かおり", "kana: あ かおり");
            }),
            true,
        ),
        (
            "a later user of an interest spelling it otherwise (the first user's label stays)",
            Box::new(|p| p.edit("members/hayashi-ken.md", "データ分析]", "ﾃﾞｰﾀ分析]")),
            true,
        ),
        (
            "the first user of an interest spelling it otherwise (its label changes everywhere)",
            Box::new(move |p| p.edit(abe, "[データ分析,", "[ﾃﾞｰﾀ分析,")),
            false,
        ),
        (
            "a member turned draft",
            Box::new(move |p| p.edit(abe, "joined:", "draft: true\njoined:")),
            false,
        ),
    ];
    for (step, change, kept) in steps {
        change(&project);
        let update = rebuild_changed(&mut live, &project);
        assert_same_as_full_build(&mut live, &project, step);
        assert_eq!(
            from_kept_render(&update),
            kept,
            "{step}: rendered {:?}",
            update.rendered
        );
    }
}

#[test]
fn a_photo_that_is_not_there_is_reported_and_the_last_good_site_kept() {
    let project = Project::sample();
    let mut live = LiveSite::new(options(&project.content, &project.out));
    rebuild(&mut live);
    project.changed.borrow_mut().clear();
    let before = live.files();
    project.edit(
        "members/abe-kaori.md",
        "joined:",
        "photo: images/nobody.jpg\njoined:",
    );
    let error = live
        .rebuild_changed(Some(&std::mem::take(&mut *project.changed.borrow_mut())))
        .expect_err("a missing photo");
    assert!(
        describe(&error).contains("images/nobody.jpg"),
        "{}",
        describe(&error)
    );
    assert!(std::sync::Arc::ptr_eq(&before, &live.files()));
    project.edit("members/abe-kaori.md", "photo: images/nobody.jpg\n", "");
    rebuild_changed(&mut live, &project);
    assert_same_as_full_build(&mut live, &project, "the fix");
}
