//! E-mail addresses the portal will write to, and the headers of its mails. An address is
//! accepted only in a form Amazon SES delivers: an ASCII local part and an ASCII domain (an
//! internationalized domain is converted to punycode). Anything else is refused with a
//! message, never repaired by guessing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A deliverable address: lowercase ASCII, `local@domain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Checks what a person typed (surrounding spaces aside) and gives the address to use.
    pub fn parse(typed: &str) -> Result<EmailAddress, String> {
        let typed = typed.trim();
        if typed.is_empty() {
            return Err("メールアドレスを入力してください".into());
        }
        let example = "（例: hanako@example.jp）";
        // An invisible character (a zero-width space, a direction mark) would be dropped by
        // the domain's conversion: the same mailbox under another spelling. Refused.
        if typed
            .chars()
            .any(|c| c.is_control() || model::text::hidden_format_char(&c.to_string()).is_some())
        {
            return Err(format!(
                "メールアドレスに見えない文字（ゼロ幅の文字など）が含まれています。打ち直してください{example}"
            ));
        }
        let Some((local, domain)) = typed.split_once('@') else {
            return Err(format!("メールアドレスの形式が正しくありません{example}"));
        };
        if !local_part_ok(local) {
            if !local.is_ascii() {
                return Err(format!(
                    "@の前は半角英数字と記号で書いてください（全角や日本語のアドレスには送れません）{example}"
                ));
            }
            return Err(format!("メールアドレスの形式が正しくありません{example}"));
        }
        // Full-width letters and dots (ｅｘａｍｐｌｅ．ｊｐ) would be mapped to ASCII by IDNA:
        // a guess about what was meant, so they are refused instead.
        if domain.chars().any(|c| {
            matches!(
                c,
                '\u{FF01}'..='\u{FF5E}' | '\u{3002}' | '\u{FF61}' | '\u{3000}'
            )
        }) {
            return Err(format!(
                "@の後ろに全角の文字があります。半角で書いてください{example}"
            ));
        }
        let domain = if domain.is_ascii() {
            domain.to_ascii_lowercase()
        } else {
            // 日本語.jp -> xn--wgv71a119e.jp; full-width letters and spaces are refused.
            idna::domain_to_ascii_strict(domain)
                .map_err(|_| format!("@の後ろ（ドメイン）が正しくありません{example}"))?
        };
        if !domain_ok(&domain) {
            return Err(format!("@の後ろ（ドメイン）が正しくありません{example}"));
        }
        let address = format!("{}@{domain}", local.to_ascii_lowercase());
        if address.len() > 254 {
            return Err("メールアドレスが長すぎます".into());
        }
        Ok(EmailAddress(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The mailbox an address reaches, as a key for counting: `Hanako+news@Example.jp` and
/// `hanako@example.jp` are one mailbox; so are `h.a.n.a.k.o@gmail.com` and
/// `hanako@googlemail.com`, since Gmail ignores dots. Limits count mailboxes, not spellings.
/// Never used as an address to write to.
pub fn mailbox_key(address: &str) -> String {
    let address = address.trim().to_ascii_lowercase();
    let Some((local, domain)) = address.rsplit_once('@') else {
        return address;
    };
    // Plus-addressing (`a+tag@`) is delivered to `a@` by nearly every provider.
    let local = local.split('+').next().unwrap_or(local);
    match domain {
        "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
        _ => format!("{local}@{domain}"),
    }
}

/// RFC 5322 "dot-atom": letters, digits and `!#$%&'*+/=?^_`{|}~-`, dots between them.
fn local_part_ok(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-.".contains(&b))
}

/// Two or more labels of letters, digits and inner hyphens; the last is not all digits.
fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

/// A header value: ASCII as it is, anything else as RFC 2047 encoded-words of at most 75
/// characters each, folded onto continuation lines, never splitting a character.
pub fn encode_header(text: &str) -> String {
    if text.is_ascii() && !text.contains(['\r', '\n']) {
        return text.to_owned();
    }
    // 45 bytes of UTF-8 become 60 characters of base64, inside "=?UTF-8?B?" and "?=".
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars().filter(|c| !matches!(c, '\r' | '\n')) {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", STANDARD.encode(w)))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// The `From` mailbox: the display name encoded as RFC 2047 (or quoted, if ASCII), then the
/// address in angle brackets.
pub fn from_mailbox(display_name: &str, address: &str) -> String {
    let name = display_name.trim();
    if name.is_empty() {
        return address.to_owned();
    }
    if name.is_ascii() {
        let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{quoted}\" <{address}>")
    } else {
        format!("{} <{address}>", encode_header(name).replace("\r\n ", " "))
    }
}

/// A header value as a person reads it: RFC 2047 B encoded-words (as [`encode_header`]
/// writes them) decoded, continuation lines joined. Anything else stays as written.
pub fn decode_header(value: &str) -> String {
    let unfolded = value.replace("\r\n ", " ").replace("\n ", " ");
    let words: Vec<&str> = unfolded.split(' ').collect();
    let decode = |word: &str| -> Option<String> {
        let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
        let (charset, rest) = inner.split_once('?')?;
        let (encoding, text) = rest.split_once('?')?;
        if !charset.eq_ignore_ascii_case("utf-8") || !encoding.eq_ignore_ascii_case("b") {
            return None;
        }
        String::from_utf8(STANDARD.decode(text).ok()?).ok()
    };
    let mut out = String::new();
    let mut previous_encoded = false;
    for word in words {
        match decode(word) {
            // Space between two encoded-words is folding, not text (RFC 2047 section 6.2).
            Some(text) => {
                out.push_str(&text);
                previous_encoded = true;
            }
            None => {
                if !out.is_empty() || previous_encoded {
                    out.push(' ');
                }
                out.push_str(word);
                previous_encoded = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(typed: &str) -> String {
        EmailAddress::parse(typed).unwrap().into_string()
    }

    #[test]
    fn deliverable_addresses_are_accepted_and_lowercased() {
        assert_eq!(
            ok(" Hanako.Yamada+portal@Example.JP "),
            "hanako.yamada+portal@example.jp"
        );
        assert_eq!(ok("a@日本語.jp"), "a@xn--wgv71a119e.jp");
    }

    #[test]
    fn undeliverable_or_ambiguous_addresses_are_refused() {
        for typed in [
            "",
            "hanako",
            "a@b",
            "a b@example.jp",
            "a@example.jp\nBcc: x@y.z",
            "山田@example.jp",
            "ｈａｎａｋｏ@example.jp",
            "a..b@example.jp",
            ".a@example.jp",
            "a@-example.jp",
            "a@example.123",
            "a@@example.jp",
            "\"quoted\"@example.jp",
            "a@exa mple.jp",
            "a@ｅｘａｍｐｌｅ．ｊｐ",
        ] {
            assert!(
                EmailAddress::parse(typed).is_err(),
                "{typed:?} was accepted"
            );
        }
        assert!(
            EmailAddress::parse("山田@example.jp")
                .unwrap_err()
                .contains("半角英数字")
        );
    }

    #[test]
    fn invisible_characters_are_refused_not_dropped() {
        for typed in [
            "bob@example.com\u{200b}",
            "bo\u{200d}b@example.com",
            "bob@exa\u{feff}mple.jp",
            "bob@\u{202e}example.jp",
        ] {
            let error = EmailAddress::parse(typed).unwrap_err();
            assert!(error.contains("見えない文字"), "{typed:?}: {error}");
        }
    }

    #[test]
    fn spellings_of_one_mailbox_share_a_key() {
        let key = mailbox_key("hanako@example.jp");
        for spelling in [
            "Hanako@Example.JP",
            "hanako+1@example.jp",
            "hanako+a+b@example.jp",
        ] {
            assert_eq!(mailbox_key(spelling), key, "{spelling}");
        }
        let gmail = mailbox_key("hanako@gmail.com");
        for spelling in ["h.a.n.a.k.o@gmail.com", "Hana.ko+x@GoogleMail.com"] {
            assert_eq!(mailbox_key(spelling), gmail, "{spelling}");
        }
        // Elsewhere a dot is part of the name.
        assert_ne!(mailbox_key("han.ako@example.jp"), key);
        assert_ne!(mailbox_key("hanako@example.com"), key);
    }

    #[test]
    fn headers_are_encoded_and_folded() {
        assert_eq!(encode_header("Hello"), "Hello");
        let long = encode_header(&"登録の確認".repeat(10));
        for line in long.split("\r\n ") {
            assert!(line.len() <= 75, "{line}");
            assert!(line.starts_with("=?UTF-8?B?") && line.ends_with("?="));
        }
        assert_eq!(encode_header("a\r\nBcc: x"), "=?UTF-8?B?YUJjYzogeA==?=");
        assert_eq!(
            from_mailbox("まじわる", "portal@example.org"),
            "=?UTF-8?B?44G+44GY44KP44KL?= <portal@example.org>"
        );
        assert_eq!(
            from_mailbox("Majiwaru \"Portal\"", "portal@example.org"),
            "\"Majiwaru \\\"Portal\\\"\" <portal@example.org>"
        );
    }

    #[test]
    fn decoded_headers_read_as_written() {
        let subject = "【まじわる】登録の確認をお願いします（ご本人確認のためのリンクです）";
        assert_eq!(decode_header(&encode_header(subject)), subject);
        assert_eq!(decode_header("Plain subject"), "Plain subject");
        assert_eq!(
            decode_header("=?ISO-8859-1?Q?abc?="),
            "=?ISO-8859-1?Q?abc?="
        );
    }
}
