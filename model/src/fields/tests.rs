//! Tests of the field reader: positions, limits and every problem reported together.

use super::*;

fn reader_for(yaml: &str) -> Document {
    Document::parse("m.md", &format!("---\n{yaml}---\n")).unwrap()
}

#[test]
fn collects_several_problems_in_one_pass() {
    let doc = reader_for("name: \"\"\nrole: 12\nnmae: x\n");
    let mut r = FieldReader::new(&doc);
    r.allow_only("", &doc.front, &["name", "role"]);
    assert!(r.text(&doc.front, "name", true, 100).is_none());
    assert!(r.text(&doc.front, "role", false, 100).is_none());
    let messages: Vec<String> = r
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
        .collect();
    assert_eq!(
        messages,
        [
            "4:1 unknown field `nmae`",
            "2:7 `name` is empty",
            "3:7 `role` must be text"
        ]
    );
    assert_eq!(
        r.diagnostics[0].hint.as_deref(),
        Some("did you mean `name`?")
    );
}

#[test]
fn counts_length_in_characters_not_bytes() {
    let doc = reader_for("name: 山田花子\n");
    let mut r = FieldReader::new(&doc);
    assert_eq!(
        r.text(&doc.front, "name", true, 4).as_deref(),
        Some("山田花子")
    );
    assert!(r.text(&doc.front, "name", true, 3).is_none());
}

#[test]
fn rejects_non_https_urls_with_a_fix() {
    let doc = reader_for("links:\n  website: http://example.org\n");
    let mut r = FieldReader::new(&doc);
    let links = r.map(&doc.front, "links").unwrap();
    assert!(r.https_url(links, "links.website").is_none());
    let d = &r.diagnostics[0];
    assert_eq!((d.line, d.column), (3, 12));
    assert_eq!(d.field.as_deref(), Some("links.website"));
    assert_eq!(
        d.hint.as_deref(),
        Some("use `https://example.org` if the site supports it")
    );
}

#[test]
fn reports_a_missing_required_field() {
    let doc = reader_for("role: x\n");
    let mut r = FieldReader::new(&doc);
    assert!(r.text(&doc.front, "name", true, 10).is_none());
    assert_eq!(r.diagnostics[0].message, "missing required field `name`");
}

#[test]
fn places_list_item_errors_on_the_item() {
    let doc = reader_for("tags:\n  - ok\n  - \"\"\n");
    let mut r = FieldReader::new(&doc);
    let tags = r.text_list(&doc.front, "tags", 20, 40);
    assert_eq!(tags.len(), 1);
    assert_eq!((r.diagnostics[0].line, r.diagnostics[0].column), (4, 5));
}
