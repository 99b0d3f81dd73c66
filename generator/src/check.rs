//! `portal check`: everything the build validates, plus what only shows once the whole site
//! is planned: internal links and images in Markdown bodies that point at nothing, images
//! without alt text, and members who share a name. Nothing is written.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use model::Diagnostic;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use unicode_normalization::UnicodeNormalization;

use crate::build::{BuildOptions, load_site};
use crate::error::BuildError;
use crate::render::Renderer;
use crate::theme::Theme;
use crate::urls::file_for;
use crate::validate::Site;

/// What a check found: errors and warnings, sorted by file and line.
#[derive(Debug)]
pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    pub members: usize,
    pub events: usize,
    pub pages: usize,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Checks the content as the build would read it, with the theme; `Err` only for problems
/// that are not the content's (an unreadable theme).
pub fn check(options: &BuildOptions) -> Result<CheckReport, BuildError> {
    let site = match load_site(options) {
        Ok(site) => site,
        Err(BuildError::Content(diagnostics)) => {
            return Ok(CheckReport {
                diagnostics,
                members: 0,
                events: 0,
                pages: 0,
            });
        }
        Err(other) => return Err(other),
    };
    let base_url = options
        .base_url
        .clone()
        .unwrap_or_else(|| site.config.base_url.clone());
    let theme = Theme::load(&options.theme, site.config.language)?;
    let renderer = Renderer::new(&site, &theme, &base_url, options.now)?;
    let plan = renderer.plan();
    let mut diagnostics = Vec::new();
    // A static file in the place of a page the build makes: the build refuses it, so does check.
    if let Err(BuildError::Content(found)) =
        crate::build::check_static_collisions(&site, &renderer, &plan)
    {
        diagnostics.extend(found);
    }
    let mut outputs: HashSet<String> = plan
        .iter()
        .map(|job| file_for(&renderer.path_of(job)))
        .collect();
    outputs.extend(theme.static_files.iter().map(|a| a.relative.clone()));
    outputs.extend(site.static_files.iter().map(|f| f.relative.clone()));

    let targets = Targets {
        outputs: &outputs,
        origin_and_base: base_url.trim_end_matches('/').to_owned(),
        base_path: renderer.urls().base_path().to_owned(),
    };
    // Every Markdown body, with the page it is shown on (relative links start there).
    let bodies = (site.members.iter())
        .map(|m| {
            (
                &m.file,
                &m.body,
                m.body_line,
                format!("/members/{}/", m.slug),
            )
        })
        .chain((site.events.iter()).map(|e| {
            (
                &e.file,
                &e.body,
                e.body_line,
                format!("/events/{}/", e.slug),
            )
        }))
        .chain(
            (site.pages.iter()).map(|p| (&p.file, &p.body, p.body_line, format!("/{}/", p.slug))),
        )
        .chain(
            (site.posts.iter())
                .map(|p| (&p.file, &p.body, p.body_line, format!("/news/{}/", p.slug))),
        );
    for (file, body, line, own) in bodies {
        check_body(file, body, line, &own, &targets, &mut diagnostics);
    }
    check_same_names(&site, &mut diagnostics);
    model::sort_diagnostics(&mut diagnostics);
    Ok(CheckReport {
        diagnostics,
        members: site.members.len(),
        events: site.events.len(),
        pages: site.pages.len(),
    })
}

/// The files the build will write, and how to recognise a link into the site.
struct Targets<'o> {
    outputs: &'o HashSet<String>,
    /// `https://portal.example.org` or `https://example.github.io/portal`.
    origin_and_base: String,
    base_path: String,
}

impl Targets<'_> {
    /// The site path a link points at, or `None` when it leaves the site (another host,
    /// `mailto:`) or stays on the page (`#section`).
    fn site_path(&self, url: &str, own: &str) -> Option<String> {
        let url = url.trim();
        let without_fragment = url.split('#').next().unwrap_or("");
        let target = without_fragment.split('?').next().unwrap_or("");
        if target.is_empty() {
            return None;
        }
        let path = if let Some(rest) = target.strip_prefix(&self.origin_and_base) {
            if !(rest.is_empty() || rest.starts_with('/')) {
                return None;
            }
            format!("/{}", rest.trim_start_matches('/'))
        } else if target.starts_with("//") || has_scheme(target) {
            return None;
        } else if let Some(rooted) = target.strip_prefix('/') {
            let rooted = format!("/{rooted}");
            match rooted.strip_prefix(&self.base_path) {
                Some(inside) if !self.base_path.is_empty() && inside.starts_with('/') => {
                    inside.to_owned()
                }
                _ => rooted,
            }
        } else {
            format!("{own}{target}")
        };
        Some(normalize_path(&path))
    }

    fn exists(&self, path: &str) -> bool {
        // The functions answer /api/* on the site's origin, not the static files.
        if path.starts_with("/api/") {
            return true;
        }
        let file = file_for(path);
        self.outputs.contains(&file)
            || (!path.ends_with('/') && self.outputs.contains(&file_for(&format!("{path}/"))))
    }

    /// The nearest path that exists, for a "did you mean".
    fn closest(&self, path: &str) -> Option<String> {
        let wanted = file_for(path);
        let best = model::fields::closest(&wanted, self.outputs.iter().map(String::as_str))?;
        Some(match best.strip_suffix("index.html") {
            Some(folder) => format!("/{folder}"),
            None => format!("/{best}"),
        })
    }
}

fn has_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// Resolves `.` and `..` segments and decodes percent-escapes, keeping a trailing slash.
fn normalize_path(path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut parts: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let trailing = decoded.ends_with('/') || decoded.ends_with("/.") || decoded.ends_with("/..");
    let mut out = format!("/{}", parts.join("/"));
    if trailing && out != "/" {
        out.push('/');
    }
    out
}

/// 1-based line and column (in characters) of a byte offset of the body, in the file.
fn place(body: &str, body_line: usize, offset: usize) -> (usize, usize) {
    let before = body.get(..offset).unwrap_or(body);
    let line = body_line + before.matches('\n').count();
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn check_body(
    file: &Path,
    body: &str,
    body_line: usize,
    own: &str,
    targets: &Targets<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Open images: where each starts, its target and the alt text read so far.
    let mut images: Vec<(usize, String, String)> = Vec::new();
    for (event, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(path) = targets.site_path(&dest_url, own)
                    && !targets.exists(&path)
                {
                    let (line, column) = place(body, body_line, range.start);
                    let hint = match targets.closest(&path) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => "link to a page the portal makes, or to a file in content/static/"
                            .to_owned(),
                    };
                    diagnostics.push(
                        Diagnostic::new(
                            file,
                            line,
                            column,
                            format!("the link `{dest_url}` points at a page that will not exist"),
                        )
                        .with_hint(hint),
                    );
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                images.push((range.start, dest_url.to_string(), String::new()));
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, _, alt)) = images.last_mut() {
                    alt.push_str(&text);
                }
            }
            Event::End(TagEnd::Image) => {
                let Some((start, url, alt)) = images.pop() else {
                    continue;
                };
                let (line, column) = place(body, body_line, start);
                if let Some(path) = targets.site_path(&url, own)
                    && !targets.exists(&path)
                {
                    diagnostics.push(
                        Diagnostic::new(
                            file,
                            line,
                            column,
                            format!("the image `{url}` does not exist"),
                        )
                        .with_hint(format!(
                            "add the file as content/static{path}, or fix the path"
                        )),
                    );
                }
                if alt.trim().is_empty() {
                    diagnostics.push(
                        Diagnostic::new(
                            file,
                            line,
                            column,
                            format!("the image `{url}` has no alt text"),
                        )
                        .with_hint(
                            "describe the image for people who cannot see it: `![会場の様子](...)`",
                        )
                        .as_warning(),
                    );
                }
            }
            _ => {}
        }
    }
}

/// The same name, ignoring width, case and spaces (山田 花子 and 山田花子).
fn name_key(name: &str) -> String {
    name.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Two members with one name are often one person who joined twice.
fn check_same_names(site: &Site, diagnostics: &mut Vec<Diagnostic>) {
    let mut first_with: HashMap<String, &model::Member> = HashMap::new();
    let mut members: Vec<&model::Member> = site.members.iter().collect();
    members.sort_by(|a, b| a.file.cmp(&b.file));
    for member in members {
        let key = name_key(&member.name);
        let Some(first) = first_with.get(&key) else {
            first_with.insert(key, member);
            continue;
        };
        let (line, column) = name_position(&member.file).unwrap_or((1, 1));
        diagnostics.push(
            Diagnostic::new(
                &member.file,
                line,
                column,
                format!(
                    "`{}` has the same name as {}",
                    member.name,
                    first.file.display()
                ),
            )
            .with_hint("if it is one person who joined twice, remove one file; if they are two people, nothing needs to change")
            .with_field("name")
            .as_warning(),
        );
    }
}

/// Where `name:` is written, read again from the file (only for the rare duplicate).
fn name_position(file: &Path) -> Option<(usize, usize)> {
    let text = std::fs::read_to_string(file).ok()?;
    let doc = model::Document::parse(file, &text).ok()?;
    let at = doc.locator.value("name")?;
    Some((at.line, at.column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_like_a_browser() {
        assert_eq!(normalize_path("/members/a/../b/"), "/members/b/");
        assert_eq!(
            normalize_path("/interests/%E9%98%B2%E7%81%BD/"),
            "/interests/防災/"
        );
        assert_eq!(normalize_path("/a/./b"), "/a/b");
    }

    #[test]
    fn which_links_are_internal() {
        let outputs: HashSet<String> = ["members/index.html".to_owned()].into();
        let targets = Targets {
            outputs: &outputs,
            origin_and_base: "https://portal.example.org".into(),
            base_path: String::new(),
        };
        let own = "/events/e/";
        assert_eq!(targets.site_path("https://example.com/x", own), None);
        assert_eq!(targets.site_path("mailto:a@example.org", own), None);
        assert_eq!(targets.site_path("#top", own), None);
        assert_eq!(targets.site_path("//cdn.example/x", own), None);
        assert_eq!(
            targets
                .site_path("https://portal.example.org/members/?q=1#x", own)
                .as_deref(),
            Some("/members/")
        );
        assert_eq!(
            targets.site_path("../../members", own).as_deref(),
            Some("/members")
        );
        assert!(targets.exists("/members"));
        assert!(!targets.exists("/member/"));
        assert!(
            targets.exists("/api/members/new"),
            "the functions answer /api/*"
        );
    }

    #[test]
    fn names_compare_without_width_case_or_spaces() {
        assert_eq!(name_key("山田 花子"), name_key("山田　花子"));
        assert_eq!(name_key("Emily Clark"), name_key("ＥＭＩＬＹ clark"));
    }
}
