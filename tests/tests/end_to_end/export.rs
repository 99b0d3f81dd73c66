//! `portal export` against the real moderation API (served on 127.0.0.1 with the SQLite
//! store): files, commits on a new branch, acknowledgement exactly once, failures kept.
//!
//! Over 600 lines on purpose: each test is one story of the export (a repository, the API,
//! a run and its outcome) and they share the set-up below.

use functions::store::Submissions;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use functions::catalog::Catalog;
use functions::config::{Config, FixedClock};
use functions::mail::OutboxMailer;
use functions::services::Services;
use functions::store::sqlite::SqliteStore;
use functions::store::{Status, Submission, SubmissionKind};
use generator::export::{ExportOptions, ExportReport, export};

const TOKEN: &str = "token-of-editor-sato";
const NOW: &str = "2026-11-25T03:00:00Z";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A repository with a small site, one member, one commit, and unrelated uncommitted work.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content/members")).unwrap();
    std::fs::create_dir_all(root.join("content/static/members")).unwrap();
    std::fs::write(
        root.join("content/site.yaml"),
        "title: テスト\ndescription: 書き出しのテスト\nbase_url: https://portal.example.org\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/members/leaving-member.md"),
        "---\nname: 去る 人\nsector: other\njoined: 2026-01-01\nphoto: members/leaving-member.jpg\n---\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/static/members/leaving-member.jpg"),
        "jpeg",
    )
    .unwrap();
    std::fs::write(root.join("README.md"), "first\n").unwrap();
    git(root, &["init", "--quiet", "--initial-branch=main"]);
    git(root, &["config", "user.name", "Export Test"]);
    git(root, &["config", "user.email", "export@example.org"]);
    git(root, &["add", "--all"]);
    git(root, &["commit", "--quiet", "-m", "start"]);
    // Unrelated work in progress that the export must not touch.
    std::fs::write(root.join("README.md"), "edited, not committed\n").unwrap();
    std::fs::write(root.join("notes.txt"), "untracked\n").unwrap();
    dir
}

struct Api {
    url: String,
    store: Arc<SqliteStore>,
    _data: tempfile::TempDir,
}

async fn start_api(content: &Path) -> Api {
    let data = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&data.path().join("portal.sqlite3")).unwrap());
    let services = Arc::new(Services::new(
        store.clone(),
        Arc::new(OutboxMailer::new(
            data.path().join("outbox"),
            "portal@example.org",
        )),
        Config::local(b"export test secret").with_editor("sato", TOKEN),
        Arc::new(FixedClock::new(NOW.parse().unwrap())),
        Catalog::load(content).unwrap(),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, functions::http::app(services))
            .await
            .unwrap()
    });
    Api {
        url,
        store,
        _data: data,
    }
}

/// A submission as the sign-up function stores it, then confirmed and decided.
async fn submission(
    store: &SqliteStore,
    id: &str,
    kind: SubmissionKind,
    slug: &str,
    fields: &[(&str, &str)],
    decision: Option<Status>,
) {
    let at = NOW.parse().unwrap();
    let mut s = Submission::pending(
        id.into(),
        kind,
        slug.into(),
        format!("{slug}@example.org"),
        "iphash".into(),
        at,
        48 * 3600,
    );
    s.fields = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<BTreeMap<_, _>>();
    store.create_submission(&s).await.unwrap();
    let Some(decision) = decision else { return };
    assert!(store.confirm_submission(id, at).await.unwrap());
    let reason = (decision == Status::Rejected).then_some("not a real person");
    store
        .decide(id, decision, "sato", reason, at)
        .await
        .unwrap()
        .unwrap();
}

fn profile(name: &str, kana: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_owned()),
        ("kana", kana.to_owned()),
        ("sector", "local-gov".into()),
        ("prefecture", "kanagawa".into()),
        ("interests", "防災\nオープンデータ".into()),
        ("joined", "2026-11-25".into()),
        ("bio", "よろしくお願いします。\n".into()),
    ]
}

/// A profile sign-up of `name` (read `kana`) at `slug`, confirmed and decided as given.
async fn profile_submission(
    store: &SqliteStore,
    id: &str,
    slug: &str,
    (name, kana): (&str, &str),
    decision: Option<Status>,
) {
    let fields = profile(name, kana);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    submission(store, id, SubmissionKind::Profile, slug, &fields, decision).await;
}

async fn run_export(options: ExportOptions) -> ExportReport {
    tokio::task::spawn_blocking(move || export(&options))
        .await
        .unwrap()
        .unwrap()
}

fn options(api: &Api, content: &Path, commit: bool) -> ExportOptions {
    ExportOptions {
        content: content.to_owned(),
        api: api.url.clone(),
        token: TOKEN.into(),
        commit,
        branch: None,
        push: None,
        today: "2026-11-25".parse().unwrap(),
        check: None,
    }
}

async fn status_of(store: &SqliteStore, id: &str) -> Status {
    store.submission(id).await.unwrap().unwrap().status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_commits_on_a_new_branch_once_and_leaves_the_working_tree_alone() {
    let repo = repository();
    let root = repo.path();
    let content = root.join("content");
    let api = start_api(&content).await;
    let hanako = ("山田 花子", "やまだ はなこ");
    let ken = ("佐藤 健", "さとう けん");
    let spam = ("宣伝 太郎", "せんでん たろう");
    profile_submission(
        &api.store,
        "idHanako",
        "yamada-hanako",
        hanako,
        Some(Status::Approved),
    )
    .await;
    profile_submission(&api.store, "idKen", "sato-ken", ken, Some(Status::Approved)).await;
    submission(
        &api.store,
        "idRemoval",
        SubmissionKind::Removal,
        "leaving-member",
        &[],
        Some(Status::Approved),
    )
    .await;
    profile_submission(
        &api.store,
        "idSpam",
        "senden-taro",
        spam,
        Some(Status::Rejected),
    )
    .await;
    profile_submission(&api.store, "idLapsed", "mikakunin", spam, None).await;

    let head_before = git(root, &["rev-parse", "HEAD"]);
    let status_before = git(root, &["status", "--porcelain"]);

    let report = run_export(options(&api, &content, true)).await;
    assert_eq!(report.failed, []);
    assert_eq!(report.written, ["yamada-hanako", "sato-ken"]);
    assert_eq!(report.removed, ["leaving-member"]);
    assert_eq!(report.branch.as_deref(), Some("submissions/2026-11-25-1"));

    // The current branch, its commit and the uncommitted work are as they were.
    assert_eq!(
        git(root, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "main"
    );
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head_before);
    assert_eq!(git(root, &["status", "--porcelain"]), status_before);
    assert_eq!(
        std::fs::read_to_string(root.join("README.md")).unwrap(),
        "edited, not committed\n"
    );
    assert!(!content.join("members/yamada-hanako.md").exists());
    assert!(content.join("members/leaving-member.md").exists());

    // One commit per item, each naming its submission.
    let log = git(
        root,
        &["log", "--format=%s%n%b", "main..submissions/2026-11-25-1"],
    );
    for line in [
        "Add member yamada-hanako\n",
        "Submission: idHanako",
        "Add member sato-ken\n",
        "Submission: idKen",
        "Remove member leaving-member at their request",
        "Submission: idRemoval",
        "Approved-by: sato",
    ] {
        assert!(log.contains(line), "{line} not in\n{log}");
    }
    // Git history outlives a removal: it names slugs, never people.
    assert!(!log.contains("山田") && !log.contains("佐藤"), "{log}");
    assert_eq!(
        git(
            root,
            &["rev-list", "--count", "main..submissions/2026-11-25-1"]
        )
        .trim(),
        "3"
    );
    let file = git(
        root,
        &[
            "show",
            "submissions/2026-11-25-1:content/members/yamada-hanako.md",
        ],
    );
    assert!(file.starts_with("---\nname: 山田 花子\n"), "{file}");
    assert!(
        !file.contains('@'),
        "no e-mail address in a member file:\n{file}"
    );
    let tree = git(
        root,
        &["ls-tree", "-r", "--name-only", "submissions/2026-11-25-1"],
    );
    assert!(
        !tree.contains("leaving-member"),
        "file and photo removed:\n{tree}"
    );

    // Rejected and lapsed submissions never enter history.
    let history = git(root, &["log", "--all", "-p"]);
    assert!(
        !history.contains("宣伝") && !history.contains("senden") && !history.contains("mikakunin")
    );

    // Acknowledged: a second run finds nothing and makes no branch.
    for id in ["idHanako", "idKen", "idRemoval"] {
        assert_eq!(status_of(&api.store, id).await, Status::Exported);
    }
    assert_eq!(status_of(&api.store, "idSpam").await, Status::Rejected);
    let again = run_export(options(&api, &content, true)).await;
    assert_eq!(again, ExportReport::default());
    assert_eq!(
        git(root, &["branch", "--list", "submissions/*"])
            .lines()
            .count(),
        1
    );
    assert_eq!(
        git(root, &["worktree", "list"]).lines().count(),
        1,
        "no worktree left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_committed_but_not_acknowledged_is_acknowledged_without_a_second_commit() {
    let repo = repository();
    let content = repo.path().join("content");
    let api = start_api(&content).await;
    let ken = ("佐藤 健", "さとう けん");
    profile_submission(&api.store, "idKen", "sato-ken", ken, Some(Status::Approved)).await;
    // An earlier run committed it, then lost the API's answer.
    git(
        repo.path(),
        &[
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            "Add member sato-ken\n\nSubmission: idKen",
        ],
    );

    let report = run_export(options(&api, &content, true)).await;
    assert_eq!(report.already_done, ["sato-ken"]);
    assert_eq!(report.branch, None);
    assert_eq!(status_of(&api.store, "idKen").await, Status::Exported);
    assert_eq!(git(repo.path(), &["branch", "--list", "submissions/*"]), "");
}

/// The export's pull request is opened with the workflow's own token, which starts no
/// checks on GitHub: `--check` runs `portal check` on the branch before it is pushed, and an
/// error pushes nothing and acknowledges nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_that_fails_the_check_is_neither_pushed_nor_acknowledged() {
    let repo = repository();
    let root = repo.path();
    let content = root.join("content");
    // An event the leaving member organizes: removing them breaks it.
    std::fs::create_dir_all(content.join("events")).unwrap();
    std::fs::write(
        content.join("events/meetup.md"),
        "---\ntitle: 交流会\nstart: 2026-12-10T19:00\nonline: true\norganizers: [leaving-member]\n---\n",
    )
    .unwrap();
    git(root, &["add", "content/events"]);
    git(root, &["commit", "--quiet", "-m", "an event"]);
    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), &["init", "--quiet", "--bare"]);
    let remote_path = remote.path().to_str().unwrap().to_owned();
    git(root, &["remote", "add", "origin", &remote_path]);
    let api = start_api(&content).await;
    submission(
        &api.store,
        "idRemoval",
        SubmissionKind::Removal,
        "leaving-member",
        &[],
        Some(Status::Approved),
    )
    .await;
    let mut checked = options(&api, &content, true);
    checked.push = Some("origin".into());
    checked.check = Some(generator::report::Format::Github);
    let result = tokio::task::spawn_blocking(move || export(&checked))
        .await
        .unwrap();
    let error = result.unwrap_err().to_string();
    assert!(
        error.contains("1 error(s)") && error.contains("nothing was pushed"),
        "{error}"
    );
    assert_eq!(status_of(&api.store, "idRemoval").await, Status::Approved);
    assert_eq!(
        git(remote.path(), &["branch", "--list"]).trim(),
        "",
        "nothing pushed"
    );
    assert!(
        !git(root, &["branch", "--list"]).contains("submissions/"),
        "no branch left behind"
    );
    // Once the event no longer names them, the same export goes through.
    std::fs::write(
        content.join("events/meetup.md"),
        "---\ntitle: 交流会\nstart: 2026-12-10T19:00\nonline: true\n---\n",
    )
    .unwrap();
    git(
        root,
        &[
            "commit",
            "--quiet",
            "-am",
            "the event without its organizer",
        ],
    );
    let mut checked = options(&api, &content, true);
    checked.push = Some("origin".into());
    checked.check = Some(generator::report::Format::Github);
    let report = run_export(checked).await;
    assert_eq!(report.removed, ["leaving-member"]);
    assert_eq!(status_of(&api.store, "idRemoval").await, Status::Exported);
    assert!(git(remote.path(), &["branch", "--list"]).contains("submissions/2026-11-25-1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_leaves_the_item_in_the_queue() {
    let repo = repository();
    let content = repo.path().join("content");
    let api = start_api(&content).await;
    let ken = ("佐藤 健", "さとう けん");
    profile_submission(&api.store, "idKen", "sato-ken", ken, Some(Status::Approved)).await;
    // Something in the way: the file cannot be written.
    std::fs::create_dir_all(content.join("members/sato-ken.md")).unwrap();

    let report = run_export(options(&api, &content, false)).await;
    assert_eq!(report.written, Vec::<String>::new());
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(status_of(&api.store, "idKen").await, Status::Approved);

    std::fs::remove_dir(content.join("members/sato-ken.md")).unwrap();
    let report = run_export(options(&api, &content, false)).await;
    assert_eq!(report.written, ["sato-ken"]);
    assert_eq!(status_of(&api.store, "idKen").await, Status::Exported);
    let site = generator::load_site(&generator::BuildOptions {
        content: content.clone(),
        theme: generator::ThemeSource::Folder(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes/default"),
        ),
        out: repo.path().join("public"),
        base_url: None,
        api_base: None,
        drafts: false,
        now: NOW.parse().unwrap(),
    })
    .unwrap();
    assert!(
        site.members
            .iter()
            .any(|m| m.slug == "sato-ken" && m.name == "佐藤 健")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_reported_and_nothing_is_written() {
    let repo = repository();
    let content = repo.path().join("content");
    let api = start_api(&content).await;
    let mut opts = options(&api, &content, false);
    opts.token = "wrong".into();
    let error = tokio::task::spawn_blocking(move || export(&opts))
        .await
        .unwrap()
        .unwrap_err();
    assert!(error.to_string().contains("token was refused"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_photo_is_exported_beside_the_profile_and_built() {
    let repo = repository();
    let content = repo.path().join("content");
    let api = start_api(&content).await;
    // The photo as the sign-up function keeps it: re-encoded from an upload.
    let upload = {
        let picture = image::RgbImage::from_fn(800, 600, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut bytes = Vec::new();
        picture
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    };
    let photo = functions::photo::process(&upload).unwrap();
    let at = NOW.parse().unwrap();
    let mut s = Submission::pending(
        "idPhoto".into(),
        SubmissionKind::Profile,
        "sato-ken".into(),
        "ken@example.org".into(),
        "iphash".into(),
        at,
        3600,
    );
    s.fields = profile("佐藤 健", "さとう けん")
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    s.photo = Some(photo.jpeg.clone());
    api.store.create_submission(&s).await.unwrap();
    assert!(api.store.confirm_submission("idPhoto", at).await.unwrap());
    api.store
        .decide("idPhoto", Status::Approved, "sato", None, at)
        .await
        .unwrap()
        .unwrap();

    let report = run_export(options(&api, &content, false)).await;
    assert_eq!(report.written, ["sato-ken"], "{report:?}");
    assert_eq!(
        std::fs::read(content.join("static/members/sato-ken.jpg")).unwrap(),
        photo.jpeg
    );
    let text = std::fs::read_to_string(content.join("members/sato-ken.md")).unwrap();
    assert!(text.contains("photo: members/sato-ken.jpg"), "{text}");
    assert_eq!(status_of(&api.store, "idPhoto").await, Status::Exported);

    // The site builds with it, and the profile shows it.
    let out = repo.path().join("public");
    portal_tests::build(&content, &out).expect("the exported photo builds");
    let page = std::fs::read_to_string(out.join("members/sato-ken/index.html")).unwrap();
    assert!(
        page.contains("<img class=\"avatar\" src=\"/members/sato-ken.jpg\" alt=\"佐藤 健\""),
        "{page}"
    );
    assert!(out.join("members/sato-ken.jpg").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_announced_event_is_exported_with_its_member_organizer_linked() {
    let repo = repository();
    let content = repo.path().join("content");
    let api = start_api(&content).await;
    let at = NOW.parse().unwrap();
    // leaving-member's profile came through the sign-up with this address and is published.
    submission(
        &api.store,
        "idProfile",
        SubmissionKind::Profile,
        "leaving-member",
        &[("name", "去る 人")],
        Some(Status::Approved),
    )
    .await;
    assert!(api.store.mark_exported("idProfile", at).await.unwrap());
    let event_fields = [
        ("title", "仙台で防災を語る夕べ"),
        ("start", "2026-12-10T19:00"),
        ("end", "2026-12-10T21:00"),
        ("venue.name", "せんだいメディアテーク"),
        ("prefecture", "miyagi"),
        ("tags", "防災\n交流会"),
        ("organizer_name", "仙台まちづくり研究会"),
        ("body", "話題提供のあと、ゆるく話します。\n"),
    ];
    // Announced with the member's address (the helper's `<slug>@example.org`).
    let mut by_member = Submission::pending(
        "idEvent".into(),
        SubmissionKind::Event,
        "2026-12-10-abcd".into(),
        "leaving-member@example.org".into(),
        "iphash".into(),
        at,
        3600,
    );
    by_member.fields = event_fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    api.store.create_submission(&by_member).await.unwrap();
    // And one by someone who is not a member.
    let mut by_guest = by_member.clone();
    by_guest.id = "idGuest".into();
    by_guest.slug = "2026-12-10-wxyz".into();
    by_guest.email = "guest@example.org".into();
    api.store.create_submission(&by_guest).await.unwrap();
    for id in ["idEvent", "idGuest"] {
        assert!(api.store.confirm_submission(id, at).await.unwrap());
        api.store
            .decide(id, Status::Approved, "sato", None, at)
            .await
            .unwrap()
            .unwrap();
    }

    let report = run_export(options(&api, &content, false)).await;
    assert_eq!(report.failed, Vec::<(String, String)>::new());
    let text = std::fs::read_to_string(content.join("events/2026-12-10-abcd.md")).unwrap();
    assert!(text.contains("organizers:\n- leaving-member"), "{text}");
    assert!(
        !text.contains("example.org"),
        "no address in the file: {text}"
    );
    let guest = std::fs::read_to_string(content.join("events/2026-12-10-wxyz.md")).unwrap();
    assert!(!guest.contains("organizers"), "{guest}");
    assert!(
        guest.contains("organizer_name: 仙台まちづくり研究会"),
        "{guest}"
    );
    assert_eq!(status_of(&api.store, "idEvent").await, Status::Exported);

    let out = repo.path().join("public");
    portal_tests::build(&content, &out).expect("the exported events build");
    let page = std::fs::read_to_string(out.join("events/2026-12-10-abcd/index.html")).unwrap();
    assert!(
        page.contains("/members/leaving-member/"),
        "the organizer's card"
    );
    assert!(page.contains("仙台まちづくり研究会"));
    let list = std::fs::read_to_string(out.join("events/index.html")).unwrap();
    assert!(list.contains("仙台で防災を語る夕べ"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_update_rewrites_the_member_file_and_keeps_its_photo() {
    let repo = repository();
    let content = repo.path().join("content");
    let api = start_api(&content).await;
    // leaving-member changes their organization and interests; no new photo.
    let fields = [
        ("name", "去る 人"),
        ("sector", "other"),
        ("organization", "新しい組織"),
        ("interests", "防災"),
        ("joined", "2026-01-01"),
        ("bio", "変わりました。\n"),
    ];
    submission(
        &api.store,
        "idUpdate",
        SubmissionKind::Update,
        "leaving-member",
        &fields,
        Some(Status::Approved),
    )
    .await;
    // And an update for a member who is gone stays in the queue.
    submission(
        &api.store,
        "idGone",
        SubmissionKind::Update,
        "nobody-here",
        &fields,
        Some(Status::Approved),
    )
    .await;
    let report = run_export(options(&api, &content, false)).await;
    assert_eq!(report.written, ["leaving-member"], "{report:?}");
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(
        report.failed[0].1.contains("the member was removed"),
        "{report:?}"
    );
    let text = std::fs::read_to_string(content.join("members/leaving-member.md")).unwrap();
    assert!(text.contains("organization: 新しい組織"), "{text}");
    assert!(
        text.contains("photo: members/leaving-member.jpg"),
        "the photo stays: {text}"
    );
    assert!(text.ends_with("変わりました。\n"), "{text}");
    assert!(content.join("static/members/leaving-member.jpg").exists());
    assert_eq!(status_of(&api.store, "idUpdate").await, Status::Exported);
    assert_eq!(status_of(&api.store, "idGone").await, Status::Approved);
    // A second run changes nothing.
    let again = run_export(options(&api, &content, false)).await;
    assert!(again.written.is_empty(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_members_at_an_event_that_is_over_become_its_attendees() {
    use functions::store::{Listing, NewRegistration, Seats};
    let repo = repository();
    let content = repo.path().join("content");
    std::fs::create_dir_all(content.join("events")).unwrap();
    let event = "---\ntitle: 振り返りの会\n# 定員は会場の広さ\ncapacity: 10\nstart: 2026-11-10T19:00\n---\n本文\n";
    std::fs::write(content.join("events/look-back.md"), event).unwrap();
    git(repo.path(), &["add", "content/events"]);
    git(repo.path(), &["commit", "--quiet", "-m", "an event"]);
    let api = start_api(&content).await;
    // A member who chose the list, a guest who chose it, a member who did not.
    for (email, member, listed) in [
        ("leaving@example.org", Some("leaving-member"), true),
        ("guest@example.org", None, true),
        ("quiet@example.org", Some("quiet-member"), false),
    ] {
        api.store
            .register(
                NewRegistration {
                    event: "look-back".into(),
                    email: email.into(),
                    name: "参加者".into(),
                    message: None,
                    listing: listed.then(|| Listing {
                        organization: None,
                        member: member.map(str::to_owned),
                    }),
                    at: NOW.parse().unwrap(),
                },
                10,
            )
            .await
            .unwrap();
    }
    let report = run_export(options(&api, &content, true)).await;
    assert_eq!(report.written, ["look-back (attendees)"], "{report:?}");
    let branch = report.branch.clone().expect("a branch");
    let on_branch = git(
        repo.path(),
        &["show", &format!("{branch}:content/events/look-back.md")],
    );
    assert_eq!(
        on_branch,
        "---\ntitle: 振り返りの会\n# 定員は会場の広さ\ncapacity: 10\nstart: 2026-11-10T19:00\nattendees: [leaving-member]\n---\n本文\n",
        "one line added, the rest as the editor wrote it"
    );
    let log = git(repo.path(), &["log", "--format=%s", &branch]);
    assert!(log.starts_with("Attendees of look-back\n"), "{log}");
    // Without --commit the line goes into the working tree, once.
    let report = run_export(options(&api, &content, false)).await;
    assert_eq!(report.written, ["look-back (attendees)"]);
    assert_eq!(
        std::fs::read_to_string(content.join("events/look-back.md")).unwrap(),
        on_branch
    );
    let again = run_export(options(&api, &content, false)).await;
    assert!(
        again.written.is_empty() && again.failed.is_empty(),
        "{again:?}"
    );
}
