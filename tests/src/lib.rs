//! Helpers for the end-to-end tests: building a site from a content folder, writing
//! member and event files in the contract format, and reading the output as a browser would.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use generator::{BuildError, BuildOptions, BuildReport};

/// The workspace root (this crate lives in `tests/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

/// The fixed "now" of the tests: 2026-11-25 12:00 in Tokyo.
pub fn now() -> jiff::Timestamp {
    model::time::parse_datetime("2026-11-25T12:00:00+09:00").unwrap_or_default()
}

pub fn options(content: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        content: content.to_owned(),
        theme: generator::ThemeSource::Folder(root().join("themes/default")),
        out: out.to_owned(),
        base_url: None,
        api_base: None,
        drafts: false,
        now: now(),
    }
}

/// Builds `content` into `out` with the default theme and the fixed now.
pub fn build(content: &Path, out: &Path) -> Result<BuildReport, BuildError> {
    generator::build(&options(content, out))
}

/// A content folder in a temporary directory, filled by the test.
pub struct ContentDir {
    pub dir: tempfile::TempDir,
}

impl ContentDir {
    pub fn new(site_yaml: &str) -> ContentDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for sub in ["members", "events", "pages", "static"] {
            fs::create_dir_all(dir.path().join("content").join(sub)).expect("content folders");
        }
        fs::write(dir.path().join("content/site.yaml"), site_yaml).expect("site.yaml");
        ContentDir { dir }
    }

    /// A Japanese site at https://portal.example.org.
    pub fn japanese() -> ContentDir {
        ContentDir::new(
            "title: テストポータル\ndescription: テスト用のサイト\nbase_url: https://portal.example.org\n",
        )
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    pub fn write(&self, relative: &str, text: &str) -> &Self {
        let path = self.content().join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("parent folder");
        }
        fs::write(path, text).expect("content file");
        self
    }

    /// Writes a minimal valid member.
    pub fn member(&self, slug: &str, name: &str, kana: &str) -> &Self {
        self.write(
            &format!("members/{slug}.md"),
            &format!("---\nname: {name}\nkana: {kana}\nsector: local-gov\njoined: 2026-11-01\n---\n自己紹介です。\n"),
        )
    }

    pub fn build(&self) -> Result<BuildReport, BuildError> {
        build(&self.content(), &self.out())
    }

    pub fn read(&self, relative: &str) -> String {
        read(&self.out(), relative)
    }
}

/// Reads an output file, with the file name in the panic message when it is missing.
pub fn read(out: &Path, relative: &str) -> String {
    fs::read_to_string(out.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Every file below `dir`, relative, with forward slashes.
pub fn files(dir: &Path) -> BTreeSet<String> {
    fn walk(dir: &Path, base: &Path, out: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if let Ok(relative) = path.strip_prefix(base) {
                out.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// The values of every `name` attribute in the tags of an HTML text, entity-decoded.
pub fn attribute_values(html: &str, name: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .flat_map(attributes)
        .filter(|(n, _)| n == name)
        .map(|(_, value)| {
            value
                .replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
        })
        .collect()
}

/// Links and assets that do not resolve inside `out`: for every `href` and `src` of every
/// HTML page that points into the site (root-relative or under `origin`), the file must
/// exist and the `#fragment`, if any, must be an `id` on that page.
pub fn broken_links(out: &Path, origin: &str, base_path: &str) -> Vec<String> {
    let pages: Vec<String> = files(out)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect();
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    for page in &pages {
        ids.insert(
            page.clone(),
            attribute_values(&read(out, page), "id")
                .into_iter()
                .collect(),
        );
    }
    let mut broken = Vec::new();
    for page in &pages {
        let html = read(out, page);
        let links = attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"));
        for link in links {
            let local = if let Some(fragment) = link.strip_prefix('#') {
                if !ids[page].contains(fragment) {
                    broken.push(format!("{page}: #{fragment}"));
                }
                continue;
            } else if let Some(rest) = link.strip_prefix(origin) {
                rest.to_owned()
            } else if link.starts_with('/') && !link.starts_with("//") {
                link.clone()
            } else {
                continue;
            };
            let Some(path) = local.strip_prefix(base_path) else {
                broken.push(format!("{page}: {link} (outside the base path)"));
                continue;
            };
            // The functions answer /api/* on the site's origin (behind the host's proxy).
            if path.starts_with("/api/") {
                continue;
            }
            let (path, fragment) = path.split_once('#').unwrap_or((path, ""));
            // A query is for the page's script (a static host serves the file either way).
            let path = path.split_once('?').map_or(path, |(path, _)| path);
            let decoded = percent_encoding::percent_decode_str(path)
                .decode_utf8_lossy()
                .into_owned();
            let mut file = decoded.trim_start_matches('/').to_owned();
            if file.is_empty() || file.ends_with('/') {
                file.push_str("index.html");
            }
            if !out.join(&file).is_file() {
                broken.push(format!("{page}: {link}"));
            } else if !fragment.is_empty()
                && !ids.get(&file).is_some_and(|set| set.contains(fragment))
            {
                broken.push(format!("{page}: {link} (no such anchor)"));
            }
        }
    }
    broken
}

/// The markup of every tag in an HTML text (`<a href="...">`). Text never holds a literal
/// `<` (it is escaped), so each one starts a real tag.
pub fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(tag, _)| tag))
        .collect()
}

/// The attributes (lowercased name, raw value) of one tag's markup, read as HTML does.
pub fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut chars = tag.chars().skip_while(|c| !c.is_whitespace()).peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if name.is_empty() {
            break;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(quote) => {
                    value.extend(std::iter::from_fn(|| chars.next().filter(|c| *c != quote)))
                }
                None => value.extend(std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace()))),
            }
        }
        found.push((name.to_ascii_lowercase(), value));
    }
    found
}

/// Event-handler attributes (`onclick`, `onerror`...) in the tags of an HTML text.
pub fn event_handlers(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .flat_map(attributes)
        .map(|(name, _)| name)
        .filter(|name| {
            name.len() > 2
                && name.starts_with("on")
                && name[2..].chars().all(|c| c.is_ascii_alphabetic())
        })
        .collect()
}

/// Copies the folder `from` into `to` (created), file by file.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("a folder to copy into");
    for entry in fs::read_dir(from).expect("a folder to copy").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("a copied file");
        }
    }
}
