//! Web addresses as the contract accepts them: absolute https URLs with a public host name,
//! refused rather than repaired when a parser would have to fix them.

/// Checks that a web address is an absolute https URL with a public host name, as the URL
/// standard parses it (the `url` crate), and that it needs no repair: characters a parser
/// would percent-encode on its own (`"`, `<`, `>`, spaces, ...) are refused, not fixed, and
/// so are user names and passwords (`https://city.example.jp@evil.example/` is not the city's).
pub fn check_https_url(text: &str) -> Result<(), String> {
    let Some(rest) = text.strip_prefix("https://") else {
        return Err("must be an https:// address".to_owned());
    };
    if rest.starts_with('/') {
        // A parser would read `https:///x` as `https://x/`: a repair, so refused.
        return Err("is not a valid web address: write the host right after https://".to_owned());
    }
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || "\"<>`{}|\\^".contains(c))
    {
        let shown = if c.is_whitespace() || c.is_control() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("`{c}`")
        };
        return Err(format!(
            "is not a valid web address: {shown} is not allowed in one (percent-encode it)"
        ));
    }
    let parsed = url::Url::parse(text).map_err(|e| format!("is not a valid web address: {e}"))?;
    if parsed.scheme() != "https" {
        return Err("must be an https:// address".to_owned());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "is not a valid web address: it must not carry a user name or password".to_owned(),
        );
    }
    match parsed.host() {
        Some(url::Host::Domain(domain))
            if domain.contains('.') && domain.split('.').all(|label| !label.is_empty()) => {}
        Some(url::Host::Domain(_)) => {
            return Err(
                "is not a valid web address: the host needs a domain such as example.org"
                    .to_owned(),
            );
        }
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => {
            return Err(
                "is not a valid web address: use the site's domain name, not an IP address"
                    .to_owned(),
            );
        }
        None => return Err("is not a valid web address: it has no host".to_owned()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_need_a_host() {
        assert!(check_https_url("https://example.org/a?b#c").is_ok());
        assert!(check_https_url("https://").is_err());
        assert!(check_https_url("https://exa mple.org").is_err());
        assert!(check_https_url("javascript:alert(1)").is_err());
        // Japanese paths and domains are web addresses like any other.
        assert!(check_https_url("https://ja.wikipedia.org/wiki/防災").is_ok());
        assert!(check_https_url("https://例え.jp/").is_ok());
        assert!(check_https_url("https://example.org:8443/x?q=%E9%98%B2").is_ok());
    }

    #[test]
    fn https_urls_are_parsed_not_prefix_matched() {
        for bad in [
            "https://\"><script>",
            "https://exa<mple>.org/",
            "https://example.org/\"onmouseover=\"x",
            "https://example.org/a b",
            "https://example.org/a\u{7f}",
            "https://city.example.jp@evil.example/",
            "https://user:pw@example.org/",
            "https://localhost/",
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://example..org/",
            "https://exa%mple.org/",
            "https://example.org:99999/",
            "https:example.org",
            "https:///example.org",
        ] {
            assert!(check_https_url(bad).is_err(), "{bad} was accepted");
        }
    }
}
