//! Every URL the portal links to, built in one place so that a base path (a site served
//! under `/portal/`) and percent-encoding of Japanese terms are never forgotten.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The search index's folder inside the output (see `search_index/`).
pub const SEARCH_INDEX_FOLDER: &str = "search-index/";

/// Everything but unreserved characters is encoded, so Japanese terms become UTF-8 %XX.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

#[derive(Debug, Clone)]
pub struct Urls {
    /// `https://example.org` (no trailing slash, no path).
    origin: String,
    /// `` or `/portal`.
    base_path: String,
}

impl Urls {
    pub fn new(base_url: &str) -> Self {
        let trimmed = base_url.trim_end_matches('/');
        let after_scheme = trimmed.find("://").map_or(0, |i| i + 3);
        let (origin, base_path) = match trimmed[after_scheme..].find('/') {
            Some(slash) => trimmed.split_at(after_scheme + slash),
            None => (trimmed, ""),
        };
        Urls {
            origin: origin.to_owned(),
            base_path: base_path.to_owned(),
        }
    }

    /// The path prefix for links and assets: `` or `/portal`.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// A root-relative link for a site path such as `/members/` (already encoded).
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path)
    }

    /// The absolute URL of a site path, for canonical links, feeds and sitemaps.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}{}", self.origin, self.base_path, path)
    }

    /// The host, for calendar UIDs.
    pub fn host(&self) -> &str {
        self.origin.split("://").nth(1).unwrap_or(&self.origin)
    }
}

/// Percent-encodes one path segment (a taxonomy term).
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// The file that serves a site path: `/members/` -> `members/index.html`.
pub fn file_for(path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let relative = decoded.trim_start_matches('/');
    if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        let urls = Urls::new("https://example.org/portal/");
        assert_eq!(urls.link("/members/"), "/portal/members/");
        assert_eq!(
            urls.absolute("/members/"),
            "https://example.org/portal/members/"
        );
        assert_eq!(urls.host(), "example.org");
        let root = Urls::new("https://example.org");
        assert_eq!(root.link("/"), "/");
    }

    #[test]
    fn japanese_segments_are_percent_encoded_utf8() {
        assert_eq!(encode_segment("防災"), "%E9%98%B2%E7%81%BD");
        assert_eq!(encode_segment("open-data"), "open-data");
    }

    #[test]
    fn files_for_paths() {
        assert_eq!(file_for("/"), "index.html");
        assert_eq!(
            file_for("/interests/%E9%98%B2%E7%81%BD/"),
            "interests/防災/index.html"
        );
        assert_eq!(file_for("/feed.xml"), "feed.xml");
    }
}
