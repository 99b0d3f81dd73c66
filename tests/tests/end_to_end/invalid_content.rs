//! Every kind of content mistake is reported by `portal check` with file, line, column,
//! message and hint, in each report format; the build refuses the errors it validates.
//!
//! Each folder in `tests/fixtures/invalid/` holds a `content/` with one kind of mistake and
//! the exact report for it (paths relative to the case): `expected.txt` (human),
//! `expected.github.txt` (GitHub annotations) and `expected.json`. After changing a message
//! on purpose, regenerate with `BLESS=1 cargo test -p portal-tests --test end_to_end invalid_content` and review the diff.

use std::fs;
use std::path::Path;

use generator::BuildError;
use generator::report::{github, human, json};
use portal_tests::fixtures;

/// The three reports of a case, with the case's own folder taken out of the paths.
fn reports(case: &Path) -> [(&'static str, String); 3] {
    let out = tempfile::tempdir().expect("temporary folder");
    let options = portal_tests::options(&case.join("content"), &out.path().join("public"));
    let report = generator::check::check(&options).expect("the theme loads");
    assert!(
        !report.diagnostics.is_empty(),
        "{}: expected problems",
        case.display()
    );
    // The build refuses what it validates itself (links and images are checked by
    // `check` alone, which every pull request runs) and then writes nothing.
    if let Err(error) = generator::build(&options) {
        assert!(matches!(error, BuildError::Content(_)), "{error:?}");
        assert!(!out.path().join("public").exists(), "nothing is written");
    }
    let prefix = format!("{}/", case.display());
    let relative = |text: String| text.replace(&prefix, "");
    [
        ("expected.txt", relative(human(&report.diagnostics, false))),
        ("expected.github.txt", relative(github(&report.diagnostics))),
        ("expected.json", relative(json(&report.diagnostics))),
    ]
}

#[test]
fn each_invalid_fixture_gives_its_expected_reports() {
    let mut cases: Vec<_> = fs::read_dir(fixtures().join("invalid"))
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "the fixtures are there");
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        for (name, actual) in reports(&case) {
            let expected_path = case.join(name);
            if bless {
                fs::write(&expected_path, &actual).expect("write the expected report");
                continue;
            }
            let expected = fs::read_to_string(&expected_path).unwrap_or_default();
            if actual != expected {
                failures.push(format!(
                    "{}:\n--- expected\n{expected}--- actual\n{actual}",
                    expected_path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn github_annotations_follow_the_workflow_command_syntax() {
    // ::error file=F,line=L,col=C,title=T::MESSAGE, one per line, nothing else.
    let case = fixtures().join("invalid/broken-internal-link");
    let [_, (_, annotations), _] = reports(&case);
    assert!(!annotations.is_empty());
    for line in annotations.lines() {
        let (command, message) = line[2..]
            .split_once("::")
            .expect("two colons after the properties");
        let (level, properties) = command.split_once(' ').expect("a level and properties");
        assert!(matches!(level, "error" | "warning" | "notice"), "{line}");
        let keys: Vec<&str> = properties
            .split(',')
            .map(|p| p.split_once('=').expect("key=value").0)
            .collect();
        assert_eq!(keys, ["file", "line", "col", "title"], "{line}");
        assert!(!message.contains('\n') && !message.is_empty(), "{line}");
        assert!(line.starts_with("::"), "{line}");
    }
}

#[test]
fn problems_in_several_files_are_reported_together() {
    let site = portal_tests::ContentDir::japanese();
    site.write(
        "members/a.md",
        "---\nname: a\nsector: x\njoined: 2026-11-01\n---\n",
    );
    site.write(
        "members/b.md",
        "---\nname: b\nsector: private\njoined: yesterday\n---\n",
    );
    site.write(
        "events/e.md",
        "---\ntitle: e\nstart: 2026-12-10T19:00\norganizers: [nobody]\n---\n",
    );
    let Err(BuildError::Content(diagnostics)) = site.build() else {
        panic!("must fail")
    };
    let files: Vec<String> = diagnostics
        .iter()
        .map(|d| d.file.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["e.md", "a.md", "b.md"]);
}
