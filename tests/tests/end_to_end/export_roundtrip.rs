//! Property: any valid sign-up, written as a content file by the export's serializer and
//! read back by the generator, is the same member.

use std::path::Path;

use model::Member;
use model::profile::{FormFields, check_profile};
use proptest::prelude::*;

/// Text with what breaks hand-written YAML: quotes, colons, `---`, `#`, flow and anchor
/// characters, line-break look-alikes, emoji, right-to-left script, Japanese.
fn awkward_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[ a-zA-Z0-9 あいうやまだ山田ヤマダ:#'\"\\-\\[\\]{}&*!|>%@`,。、🎉👩💻עברית]{1,40}",
    )
    .unwrap()
}

fn kana() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[あ-んア-ンー ]{1,20}").unwrap()
}

fn body() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("---".to_owned()),
            Just("チーム👩‍💻で開発".to_owned()),
            Just("name: injected".to_owned()),
            Just("- item\n- [link](https://example.org)".to_owned()),
            Just("| a | b |\n|---|---|\n| 1 | 2 |".to_owned()),
            awkward_text(),
        ],
        0..6,
    )
    .prop_map(|lines| lines.join("\n"))
}

prop_compose! {
    fn submission()(
        name in awkward_text(),
        kana in proptest::option::of(kana()),
        sector in prop::sample::select(vec!["local-gov", "national-gov", "private", "nonprofit", "academic", "other"]),
        organization in proptest::option::of(awkward_text()),
        role in proptest::option::of(awkward_text()),
        prefecture in proptest::option::of(prop::sample::select(vec!["hokkaido", "tokyo", "kanagawa", "okinawa"])),
        interests in proptest::collection::vec(awkward_text(), 0..5),
        website in proptest::option::of(proptest::string::string_regex("https://example\\.org/[a-z0-9#?=&%-]{0,20}").unwrap()),
        bio in body(),
    ) -> FormFields {
        let mut fields = FormFields::new();
        fields.insert("name".into(), name);
        fields.insert("sector".into(), sector.into());
        fields.insert("joined".into(), "2026-11-25".into());
        fields.insert("bio".into(), bio);
        if let Some(kana) = kana { fields.insert("kana".into(), kana); }
        if let Some(o) = organization { fields.insert("organization".into(), o); }
        if let Some(r) = role { fields.insert("role".into(), r); }
        if let Some(p) = prefecture { fields.insert("prefecture".into(), p.into()); }
        if !interests.is_empty() { fields.insert("interests".into(), interests.join("\n")); }
        if let Some(w) = website { fields.insert("links.website".into(), w); }
        fields
    }
}

/// The member as a reader sees it (positions in a file are not part of the member).
fn public_view(m: &Member) -> String {
    format!(
        "{:?} {:?}",
        (
            &m.slug,
            &m.name,
            &m.kana,
            m.sector,
            &m.organization,
            &m.role
        ),
        (
            m.prefecture,
            m.interests.iter().map(|i| &i.value).collect::<Vec<_>>(),
            &m.links,
            m.joined,
            m.photo.as_ref().map(|p| &p.value),
            m.draft,
            &m.body,
        )
    )
}

fn read_back(member: &Member) -> Member {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("members")).unwrap();
    std::fs::write(
        content.join("site.yaml"),
        "title: t\ndescription: d\nbase_url: https://example.org\n",
    )
    .unwrap();
    let text = member.to_file_text().unwrap();
    std::fs::write(content.join(format!("members/{}.md", member.slug)), &text).unwrap();
    let site = generator::load_site(&generator::BuildOptions {
        content,
        theme: generator::ThemeSource::Folder(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes/default"),
        ),
        out: dir.path().join("public"),
        base_url: None,
        api_base: None,
        drafts: false,
        now: jiff::Timestamp::UNIX_EPOCH,
    })
    .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    site.members.into_iter().next().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn an_exported_sign_up_reads_back_as_the_same_member(fields in submission()) {
        let member = check_profile(&fields, "the-member");
        prop_assume!(member.is_ok());
        let member = member.unwrap();
        prop_assert_eq!(public_view(&read_back(&member)), public_view(&member));
    }
}
