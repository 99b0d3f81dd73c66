//! `portal editor-token`: a new editor token, and the line the functions are configured with
//! (`PORTAL_EDITORS=name:sha256-hex,...`). The functions keep only the hash, so the token is
//! shown once and a leaked configuration opens nothing.

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditorTokenError {
    #[error(
        "the editor's name `{0}` must be letters, digits, `-`, `_` or `.` (it goes into PORTAL_EDITORS=name:hash,...)"
    )]
    Name(String),
    #[error("the system's random source failed: {0}")]
    Random(String),
}

/// A new token for `name` and its PORTAL_EDITORS entry.
pub fn new_editor_token(name: &str) -> Result<(String, String), EditorTokenError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid {
        return Err(EditorTokenError::Name(name.to_owned()));
    }
    // 256 bits from the OS; no fallback: a guessable editor token is worse than none.
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| EditorTokenError::Random(e.to_string()))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok((token.clone(), entry(name, &token)))
}

/// The PORTAL_EDITORS entry of `name` with `token`.
pub fn entry(name: &str, token: &str) -> String {
    let hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{name}:{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_is_the_name_and_the_hash_the_functions_compare() {
        let (token, line) = new_editor_token("sato").unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(line, entry("sato", &token));
        // SHA-256 of "abc", as any tool computes it.
        assert_eq!(
            entry("sato", "abc"),
            "sato:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(
            new_editor_token("sato").unwrap().0,
            token,
            "a new token each time"
        );
    }

    #[test]
    fn names_that_would_break_the_setting_are_refused() {
        for name in ["", "a:b", "a,b", "佐藤", "a b"] {
            assert!(new_editor_token(name).is_err(), "{name:?}");
        }
    }
}
