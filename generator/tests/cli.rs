//! The `portal` binary: exit codes, the report on stderr, and how "now" is chosen.

use std::path::Path;
use std::process::Command;

fn portal(args: &[&str], epoch: Option<&str>) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
    command
        .current_dir(root)
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some(epoch) = epoch {
        command.env("SOURCE_DATE_EPOCH", epoch);
    }
    command.output().expect("portal runs")
}

#[test]
fn content_errors_exit_non_zero_with_every_problem_on_stderr() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    let result = portal(
        &[
            "build",
            "--content",
            "tests/fixtures/invalid/wrong-enum/content",
            "--out",
            target.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("content/members/yamada-hanako.md:3:9: error: `localgov` is not a valid sector\n  hint: did you mean `local-gov`?"), "{stderr}");
    assert!(
        stderr.contains(
            "content/members/yamada-hanako.md:4:13: error: `kanagwa` is not a valid prefecture"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: 2 problem(s) in the content; nothing was written"),
        "{stderr}"
    );
    assert!(!target.exists());
}

#[test]
fn check_fails_on_errors_and_on_warnings_only_when_strict() {
    let errors = portal(
        &[
            "check",
            "--content",
            "tests/fixtures/invalid/broken-internal-link/content",
            "--format",
            "github",
        ],
        None,
    );
    assert_eq!(errors.status.code(), Some(1));
    let annotations = String::from_utf8_lossy(&errors.stdout);
    assert!(
        annotations.starts_with("::error file=tests/fixtures/invalid/broken-internal-link/content/pages/about.md,line=6,col=1,"),
        "{annotations}"
    );

    let warnings = [
        "check",
        "--content",
        "tests/fixtures/invalid/image-without-alt/content",
    ];
    let relaxed = portal(&warnings, None);
    assert_eq!(relaxed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&relaxed.stderr).contains("0 error(s), 1 warning(s)"));
    let strict = portal(&[&warnings[..], &["--strict"]].concat(), None);
    assert_eq!(strict.status.code(), Some(1));

    let json = portal(&[&warnings[..], &["--format", "json"]].concat(), None);
    let text = String::from_utf8_lossy(&json.stdout);
    assert!(text.contains("\"warnings\": 1"), "{text}");
}

#[test]
fn check_reports_valid_content() {
    let result = portal(&["check"], None);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(String::from_utf8_lossy(&result.stderr).starts_with("content is valid: "));
}

#[test]
fn source_date_epoch_fixes_now_like_the_now_flag() {
    let out = tempfile::tempdir().unwrap();
    let by_flag = out.path().join("flag");
    let by_epoch = out.path().join("epoch");
    // 2026-11-25T03:00:00Z = 2026-11-25 12:00 in Tokyo.
    assert!(
        portal(
            &[
                "build",
                "--out",
                by_flag.to_str().unwrap(),
                "--now",
                "2026-11-25T12:00:00+09:00"
            ],
            None
        )
        .status
        .success()
    );
    assert!(
        portal(
            &["build", "--out", by_epoch.to_str().unwrap()],
            Some("1795575600")
        )
        .status
        .success()
    );
    let calendar = |dir: &Path| std::fs::read_to_string(dir.join("events/calendar.ics")).unwrap();
    assert_eq!(calendar(&by_flag), calendar(&by_epoch));
    assert!(calendar(&by_flag).contains("DTSTAMP:20261125T030000Z"));
}

#[test]
fn a_bad_now_is_a_clear_error() {
    let result = portal(
        &["build", "--out", "/nonexistent/x", "--now", "tomorrow"],
        None,
    );
    assert_eq!(result.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&result.stderr)
            .contains("--now: `tomorrow` is not a valid date-time")
    );
    let result = portal(&["build", "--out", "/nonexistent/x"], Some("soon"));
    assert!(
        String::from_utf8_lossy(&result.stderr)
            .contains("SOURCE_DATE_EPOCH `soon` is not a number of seconds")
    );
}

#[test]
fn a_folder_with_only_content_builds_with_the_built_in_theme() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let work = tempfile::tempdir().unwrap();
    let result = Command::new(env!("CARGO_BIN_EXE_portal"))
        .current_dir(work.path())
        .args(["build", "--now", "2026-11-25T12:00:00+09:00", "--content"])
        .arg(root.join("content"))
        .output()
        .expect("portal runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let page = std::fs::read_to_string(work.path().join("public/index.html")).unwrap();
    // The page links the fingerprinted copy, which the build wrote beside the original.
    let start = page
        .find("<link rel=\"stylesheet\" href=\"/")
        .expect("a style sheet")
        + 29;
    let href = &page[start..start + page[start..].find('"').unwrap()];
    assert!(
        href.starts_with("/assets/") && href.ends_with("/css/style.css"),
        "{href}"
    );
    assert!(work.path().join("public").join(&href[1..]).is_file());
    assert!(work.path().join("public/css/style.css").is_file());
}
