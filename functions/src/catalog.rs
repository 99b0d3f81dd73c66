//! What the functions know of the published content: member slugs (for unique slugs and
//! removal requests) and events with their capacity, read from `content/` with the model.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use jiff::Timestamp;
use model::{Document, Event};

#[derive(Debug, Clone, PartialEq)]
pub struct EventInfo {
    pub title: String,
    pub start: Timestamp,
    pub ends: Timestamp,
    /// Sign-ups on the portal are open only for events with a capacity.
    pub capacity: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub member_slugs: HashSet<String>,
    /// Each published member's file, read when a member edits their profile.
    pub member_files: HashMap<String, std::path::PathBuf>,
    pub events: HashMap<String, EventInfo>,
    /// The site's name and short name (`site.yaml`), which pages and mails carry.
    pub site_title: String,
    pub short_title: String,
}

impl Catalog {
    /// Reads `content/members/*.md` (file names only), `content/events/*.md` and the site's
    /// names from `content/site.yaml`.
    pub fn load(content: &Path) -> Result<Catalog, String> {
        let mut catalog = Catalog::default();
        for path in markdown_files(&content.join("members"))? {
            if let Ok(slug) = model::slug::slug_of_file(&path) {
                catalog.member_slugs.insert(slug.clone());
                catalog.member_files.insert(slug, path);
            }
        }
        for path in markdown_files(&content.join("events"))? {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let slug = model::slug::slug_of_file(&path).map_err(|d| d.to_string())?;
            let doc = Document::parse(&path, &text).map_err(|d| d.to_string())?;
            let event = Event::from_document(&doc, &slug)
                .map_err(|d| d.first().map(ToString::to_string).unwrap_or_default())?;
            if !event.draft {
                catalog.events.insert(
                    slug,
                    EventInfo {
                        title: event.title.clone(),
                        start: event.start,
                        ends: event.finishes(),
                        capacity: event.capacity,
                    },
                );
            }
        }
        let path = content.join("site.yaml");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let site = model::SiteConfig::parse(&path, &text)
            .map_err(|d| d.first().map(ToString::to_string).unwrap_or_default())?;
        catalog.site_title = site.title;
        catalog.short_title = site.short_title;
        Ok(catalog)
    }

    /// A mail subject: the site's short name in brackets, then `text` (【まじわる】…).
    pub fn subject(&self, text: &str) -> String {
        if self.short_title.is_empty() {
            text.to_owned()
        } else {
            format!("【{}】{text}", self.short_title)
        }
    }
}

impl Catalog {
    /// Published member `slug` as their file says now (read when asked: an introduction
    /// request names two members).
    pub fn member(&self, slug: &str) -> Option<model::Member> {
        let path = self.member_files.get(slug)?;
        let text = std::fs::read_to_string(path).ok()?;
        let doc = Document::parse(path, &text).ok()?;
        model::Member::from_document(&doc, slug)
            .ok()
            .filter(|member| !member.draft)
    }

    /// Member `slug`'s public profile as the join form's fields (what the edit form shows
    /// and what an update is compared with), read from their file now.
    pub fn member_fields(&self, slug: &str) -> Option<model::profile::FormFields> {
        let path = self.member_files.get(slug)?;
        let text = std::fs::read_to_string(path).ok()?;
        let doc = Document::parse(path, &text).ok()?;
        let member = model::Member::from_document(&doc, slug).ok()?;
        Some(model::profile::fields_of(&member))
    }
}

fn markdown_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let path = entry.path();
            // Linked folders are not followed: a link loop must not hang the function.
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sample_content() {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let catalog = Catalog::load(&content).unwrap();
        assert!(catalog.member_slugs.contains("yamada-hanako"));
        assert_eq!(catalog.events["sendai-bousai-evening"].capacity, Some(30));
        assert_eq!(catalog.events["online-kickoff"].capacity, None);
        assert_eq!(catalog.site_title, "まじわる 官民交流ポータル");
        assert_eq!(catalog.subject("確認"), "【まじわる】確認");
    }

    #[test]
    fn alias_bombs_and_link_loops_fail_fast() {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events");
        std::fs::create_dir_all(&events).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(".", events.join("loop")).unwrap();
        let mut bomb = String::from(
            "---\ntitle: t\nstart: 2026-12-01T19:00\na: &a [x, x, x, x, x, x, x, x, x]\n",
        );
        for (level, previous) in ('b'..='i').zip('a'..='h') {
            let refs = vec![format!("*{previous}"); 9].join(", ");
            bomb.push_str(&format!("{level}: &{level} [{refs}]\n"));
        }
        bomb.push_str("---\n");
        std::fs::write(events.join("bomb.md"), bomb).unwrap();
        let started = std::time::Instant::now();
        let error = Catalog::load(dir.path()).unwrap_err();
        assert!(error.contains("YAML aliases"), "{error}");
        assert!(started.elapsed().as_secs() < 2);
    }
}
