//! Takes personal data out of text that is about to be logged: error messages relayed from
//! AWS can quote an e-mail address (SES names the identities it refused), and nothing the
//! functions log may hold an address, an IP or a token.

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c)
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'
}

/// `text` with e-mail addresses, IP addresses and long tokens replaced by placeholders.
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // A run of characters that may form an address, an IP or a token.
        let in_word = |c: char| is_local_char(c) || c == '@' || c == ':';
        if in_word(chars[i]) {
            let start = i;
            while i < chars.len() && in_word(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push_str(&redact_word(&word));
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn redact_word(word: &str) -> String {
    // Punctuation around a word ("...: a@b.example:") belongs to the sentence.
    let trimmed = word.trim_matches(|c: char| c == '.' || c == ':' || c == ',');
    if let Some((local, domain)) = trimmed.split_once('@')
        && !local.is_empty()
        && domain.contains('.')
        && domain.chars().all(is_domain_char)
    {
        return word.replace(trimmed, "[address]");
    }
    if trimmed.parse::<std::net::IpAddr>().is_ok() {
        return word.replace(trimmed, "[ip]");
    }
    // Signed tokens and hashes are long runs of URL-safe base64.
    if trimmed.len() >= 32 && trimmed.chars().all(is_token_char) && !trimmed.contains("..") {
        return word.replace(trimmed, "[token]");
    }
    word.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_ips_and_tokens_are_taken_out() {
        let text = "MessageRejected: Email address is not verified. The following identities failed the check in region US-EAST-1: nobody@unverified.example, hanako@example.jp";
        let clean = redact(text);
        assert!(!clean.contains('@'), "{clean}");
        assert!(clean.starts_with("MessageRejected: Email address is not verified."));
        assert_eq!(
            redact("not verified nobody@unverified.example: MessageRejected"),
            "not verified [address]: MessageRejected"
        );
        assert_eq!(redact("from 203.0.113.7, 2001:db8::1."), "from [ip], [ip].");
        let token = "eyJwIjoiY29uZmlybSIsInMiOiJhYmMifQ.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw";
        assert_eq!(redact(&format!("bad token {token}")), "bad token [token]");
        assert_eq!(
            redact("ConditionalCheckFailedException: The conditional request failed"),
            "ConditionalCheckFailedException: The conditional request failed"
        );
    }
}
