//! Every kind of content mistake is reported with file, line, column, message and hint.
//!
//! Each folder in `tests/fixtures/invalid/` holds a `content/` with one kind of mistake and
//! `expected.txt`, the report `portal build` must print for it (paths relative to the case).
//! After changing a message on purpose, regenerate with `BLESS=1 cargo test --test invalid_content`
//! and review the diff.

use std::fs;
use std::path::Path;

use generator::BuildError;
use portal_tests::fixtures;

fn report(case: &Path) -> String {
    let out = tempfile::tempdir().expect("temporary folder");
    let result = portal_tests::build(&case.join("content"), &out.path().join("public"));
    let Err(BuildError::Content(diagnostics)) = result else {
        panic!(
            "{}: expected content errors, got {result:?}",
            case.display()
        );
    };
    assert!(!out.path().join("public").exists(), "nothing is written");
    let prefix = format!("{}/", case.display());
    diagnostics
        .iter()
        .map(|d| d.to_string().replace(&prefix, ""))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn each_invalid_fixture_gives_its_expected_report() {
    let mut cases: Vec<_> = fs::read_dir(fixtures().join("invalid"))
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "the fixtures are there");
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let actual = report(&case);
        let expected_path = case.join("expected.txt");
        if bless {
            fs::write(&expected_path, &actual).expect("write expected.txt");
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
