//! `portal editor-token` makes what the functions accept: the entry's hash is the hash the
//! functions keep for that token, so the printed token opens the editors' page and nothing
//! else does.

use functions::config::Config;
use generator::editor_token::new_editor_token;

#[test]
fn the_printed_entry_is_the_hash_the_functions_compare_the_token_with() {
    let (token, entry) = new_editor_token("sato").unwrap();
    let (name, hex) = entry.split_once(':').unwrap();
    assert_eq!(name, "sato");
    let configured = Config::local(b"secret").with_editor("sato", &token);
    let expected: String = configured.editors[0]
        .token_sha256
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hex, expected);
    let other = Config::local(b"secret").with_editor("sato", &format!("{token}x"));
    assert_ne!(
        other.editors[0].token_sha256,
        configured.editors[0].token_sha256
    );
}
