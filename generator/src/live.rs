//! The site kept in memory for `portal serve`: a rebuild renders again only the outputs whose
//! inputs changed, and what it holds is byte for byte what `portal build` writes.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::build::{BuildOptions, check_static_collisions, prepare_theme, validate_sources};
use crate::error::BuildError;
use crate::load::Sources;
use crate::render::{CardMemo, Job, JobKey, RenderParts, Renderer, feeds};
use crate::theme::Theme;
use crate::urls::file_for;
use crate::validate::ParseMemo;
use crate::validate::Site;

/// One output of the site.
#[derive(Debug, Clone)]
pub enum Output {
    /// A page or asset the build makes.
    Bytes(Arc<[u8]>),
    /// A file of `content/static/`, which the build copies as it is.
    File(PathBuf),
}

impl Output {
    /// The bytes a build would write for this output.
    pub fn read(&self) -> std::io::Result<Arc<[u8]>> {
        match self {
            Output::Bytes(bytes) => Ok(Arc::clone(bytes)),
            Output::File(path) => std::fs::read(path).map(Arc::from),
        }
    }
}

/// Every output by its path inside the output folder (forward slashes, as `portal build`
/// writes it: `members/sato/index.html`).
/// Paths are shared strings, so that copying the map for a small update copies no text.
pub type Files = BTreeMap<Arc<str>, Output>;

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct Update {
    /// Outputs rendered again (the others were unchanged and kept).
    pub rendered: Vec<String>,
    /// Outputs that no longer exist.
    pub removed: Vec<String>,
    /// Outputs that did not exist before (also in `rendered`).
    pub added: Vec<String>,
    /// Outputs in all.
    pub outputs: usize,
    pub elapsed: Duration,
}

/// What decides whether every page must be made again: the site-wide values, site.yaml and
/// the theme.
#[derive(PartialEq)]
struct Globals {
    values: String,
    config: model::SiteConfig,
    theme: u64,
}

/// A site in memory; [`LiveSite::rebuild`] brings it up to date with the content folder.
pub struct LiveSite {
    options: BuildOptions,
    /// The last load, when it had no problems: a rebuild then reads only the changed files.
    sources: Option<Sources>,
    parse_memo: ParseMemo,
    globals: Option<Globals>,
    keys: HashMap<String, JobKey>,
    files: Arc<Files>,
    /// Whether the content is still what `last` was rendered from (no rebuild failed since).
    last_is_current: bool,
    /// The last good render, kept so that an edit of a member's introduction alone
    /// renders that profile and the feed without deriving the whole site again.
    last: Option<LastRender>,
}

/// The site, theme and derived parts of the last good rebuild.
struct LastRender {
    site: Site,
    theme: Theme,
    base_url: String,
    parts: RenderParts,
    /// Member index by content file.
    members_by_file: HashMap<PathBuf, usize>,
}

impl LiveSite {
    /// An empty site; the first [`LiveSite::rebuild`] renders everything.
    pub fn new(options: BuildOptions) -> LiveSite {
        LiveSite {
            options,
            sources: None,
            parse_memo: ParseMemo::default(),
            globals: None,
            keys: HashMap::new(),
            files: Arc::new(Files::new()),
            last: None,
            last_is_current: false,
        }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// The outputs of the last successful rebuild (shared; a rebuild makes a new map).
    pub fn files(&self) -> Arc<Files> {
        Arc::clone(&self.files)
    }

    /// Reads the whole content folder again and renders what changed. On an error (a
    /// content mistake, a broken template) the site stays as it was and the error says what
    /// to fix.
    pub fn rebuild(&mut self) -> Result<Update, BuildError> {
        self.rebuild_changed(None)
    }

    /// [`LiveSite::rebuild`] when only the files at `changed` (relative to the content
    /// folder) can have changed: only those are read again, unless a whole new load is
    /// needed to know what they mean (see [`Sources::update`]).
    pub fn rebuild_changed(&mut self, changed: Option<&[PathBuf]>) -> Result<Update, BuildError> {
        let started = Instant::now();
        if let Some(changed) = changed
            && let Some(update) = self.edit_in_kept_render(changed, started)?
        {
            return Ok(update);
        }
        let result = self.general_rebuild(changed, started);
        // While the content has a mistake, the kept render is not the content's: edits
        // must go through the general rebuild, which reports the mistake until it is
        // fixed. (Its cards still serve the next rebuild as a memo.)
        self.last_is_current = result.is_ok();
        result
    }

    /// Every stage again, reading only the changed files and rendering only the outputs
    /// whose key changed.
    fn general_rebuild(
        &mut self,
        changed: Option<&[PathBuf]>,
        started: Instant,
    ) -> Result<Update, BuildError> {
        let mut timer = crate::build::StageTimer::from_env();
        let updated = match (changed, self.sources.take()) {
            (Some(changed), Some(mut sources)) => sources
                .update(&self.options.content, changed)
                .then_some(sources),
            _ => None,
        };
        if let (Some(changed), Some(_)) = (changed, &updated) {
            let read_again: Vec<PathBuf> = changed
                .iter()
                .map(|p| self.options.content.join(p))
                .collect();
            self.parse_memo.trust_except(&read_again);
        }
        let (sources, load_problems) = updated.map_or_else(
            || crate::load::load(&self.options.content),
            |s| (s, Vec::new()),
        );
        timer.stage("load");
        let site = validate_sources(
            &sources,
            load_problems.clone(),
            self.options.drafts,
            Some(&mut self.parse_memo),
        );
        // Kept even when the content has a mistake: the next edit reads only what changed.
        self.sources = load_problems.is_empty().then_some(sources);
        let site = site?;
        timer.stage("validate");
        let (theme, base_url, values) = prepare_theme(&site, &self.options)?;
        let globals = Globals {
            values,
            config: site.config.clone(),
            theme: theme.fingerprint,
        };
        let same_globals = self.globals.as_ref() == Some(&globals);
        let empty = HashMap::new();
        let keys = if same_globals { &self.keys } else { &empty };
        // The cards of the last render, whatever became of the rebuilds since.
        let memo = (self.last.as_ref())
            .filter(|_| same_globals)
            .map(|last| CardMemo::of(&last.parts));
        let renderer =
            Renderer::with_memo(&site, &theme, &base_url, self.options.now, memo.as_ref())?;
        timer.stage("views and cards");
        let jobs = renderer.plan();
        check_static_collisions(&site, &renderer, &jobs)?;
        let sitemap_paths: Vec<String> = jobs
            .iter()
            .filter(|j| Renderer::is_listed_page(j))
            .map(|j| renderer.path_of(j))
            .collect();

        // (the output's path, and for an output made again its new key and bytes)
        type Made = (String, Option<(JobKey, Arc<[u8]>)>);
        let made: Vec<Made> = jobs
            .par_iter()
            .map(|job| {
                let path = file_for(&renderer.path_of(job));
                let old = keys
                    .get(&path)
                    .filter(|_| self.files.contains_key(path.as_str()));
                let Some(key) = renderer.key_if_changed(job, old) else {
                    return Ok((path, None));
                };
                let file = renderer.render_keyed(job, &key, &sitemap_paths)?;
                Ok((path, Some((key, Arc::from(file.bytes)))))
            })
            .collect::<Result<_, BuildError>>()?;

        timer.stage("keys + render");
        // Unchanged outputs keep their keys, moved over rather than made again.
        let mut old_keys = if same_globals {
            std::mem::take(&mut self.keys)
        } else {
            HashMap::new()
        };
        let mut files = Files::new();
        let mut new_keys = HashMap::with_capacity(made.len());
        let mut rendered = Vec::new();
        for (path, remade) in made {
            let (key, output) = match remade {
                Some((key, bytes)) => {
                    rendered.push(path.clone());
                    (key, Output::Bytes(bytes))
                }
                None => match old_keys.remove(&path) {
                    Some(key) => (key, self.files[path.as_str()].clone()),
                    None => continue,
                },
            };
            files.insert(Arc::from(path.as_str()), output);
            new_keys.insert(path, key);
        }
        for (name, text) in feeds::sitemap_parts(renderer.urls(), &sitemap_paths) {
            files.insert(Arc::from(name), Output::Bytes(Arc::from(text.into_bytes())));
        }
        for asset in &theme.static_files {
            files.insert(
                Arc::from(asset.relative.as_str()),
                Output::Bytes(Arc::from(asset.bytes.as_ref())),
            );
        }
        for file in &site.static_files {
            files.insert(
                Arc::from(file.relative.as_str()),
                Output::File(file.source.clone()),
            );
        }
        let removed = self
            .files
            .keys()
            .filter(|path| !files.contains_key(*path))
            .map(|path| path.to_string())
            .collect();

        timer.stage("outputs");
        let parts = renderer.into_parts();
        let added = rendered
            .iter()
            .filter(|path| !self.files.contains_key(path.as_str()))
            .cloned()
            .collect();
        let update = Update {
            rendered,
            removed,
            added,
            outputs: files.len(),
            elapsed: started.elapsed(),
        };
        let members_by_file = site
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.file.clone(), i))
            .collect();
        let last = LastRender {
            site,
            theme,
            base_url,
            parts,
            members_by_file,
        };
        drop_later((
            old_keys,
            std::mem::replace(&mut self.keys, new_keys),
            std::mem::replace(&mut self.files, Arc::new(files)),
            self.last.replace(last),
        ));
        self.globals = Some(globals);
        timer.stage("memo + swap");
        Ok(update)
    }

    /// The most common edits, made quickly: a member rewriting their introduction or links,
    /// or changing organization or role. When the only file changed is a published
    /// member's and nothing that decides where and in what order the member is listed
    /// changed, the outputs that can change are known: the profile and the feed for the
    /// body and links, and for the card also the directory page, the taxonomy pages and
    /// events that show the card, and the home page. Those are rendered from the last
    /// render's parts (with the one card made again); anything else returns `None` for the
    /// general rebuild. tests/tests/live.rs compares the result with a full build.
    fn edit_in_kept_render(
        &mut self,
        changed: &[PathBuf],
        started: Instant,
    ) -> Result<Option<Update>, BuildError> {
        let (true, Some(last), Some(sources)) =
            (self.last_is_current, &mut self.last, &mut self.sources)
        else {
            return Ok(None);
        };
        // An editor's temporary file, renamed over the member's, is gone by now.
        let content = &self.options.content;
        let mut present: Vec<&PathBuf> = changed
            .iter()
            .filter(|p| content.join(p).exists())
            .collect();
        // A save is often several events for one file (truncate, write).
        present.sort();
        present.dedup();
        let [relative] = present.as_slice() else {
            return Ok(None);
        };
        let path = content.join(relative);
        let Some(&index) = last.members_by_file.get(&path) else {
            return Ok(None);
        };
        // Read in place: a general rebuild after this reads the same files again, and a
        // failed update leaves no sources, so that it loads everything.
        if !sources.update(content, changed) {
            self.sources = None;
            return Ok(None);
        }
        let Some(file) = sources.members.iter().find(|f| f.path == path) else {
            return Ok(None);
        };
        let Ok(slug) = model::slug::slug_of_file(&path) else {
            return Ok(None);
        };
        let Ok(document) = model::Document::parse(&path, &file.text) else {
            return Ok(None);
        };
        let Ok(member) = model::Member::from_document(&document, &slug) else {
            return Ok(None);
        };
        let old = &last.site.members[index];
        // What may differ for this path: the body and links (on the profile alone), the
        // organization and role (also on the member's card). The name, reading, sector,
        // prefecture, interests, joined date, photo and draft decide where the member is
        // listed and in what order, so a change to any of them takes the general rebuild.
        let same_place = model::Member {
            body: old.body.clone(),
            body_line: old.body_line,
            links: old.links.clone(),
            organization: old.organization.clone(),
            role: old.role.clone(),
            ..member.clone()
        } == *old;
        if !same_place || member == *old {
            return Ok(None);
        }
        let card_changed = member.organization != old.organization || member.role != old.role;
        last.site.members[index] = member;

        let mut parts = std::mem::take(&mut last.parts);
        let refreshed = if card_changed {
            let member = &last.site.members[index];
            parts.refresh_member_card(&last.theme, index, &member.organization, &member.role)
        } else {
            Ok(())
        };
        let renderer = Renderer::from_parts(
            &last.site,
            &last.theme,
            &last.base_url,
            self.options.now,
            parts,
        );
        let jobs = if card_changed {
            renderer.jobs_showing_member(index)
        } else {
            vec![Job::Member(index), Job::Feed]
        };
        let mut made = Vec::new();
        let mut result = refreshed;
        for job in &jobs {
            if result.is_err() {
                break;
            }
            let path = file_for(&renderer.path_of(job));
            let Some(key) = renderer.key_if_changed(job, self.keys.get(&path)) else {
                continue;
            };
            match renderer.render_keyed(job, &key, &[]) {
                Ok(file) => made.push((file.path, key, Arc::<[u8]>::from(file.bytes))),
                Err(error) => result = Err(error),
            }
        }
        last.parts = renderer.into_parts();
        if let Err(error) = result {
            // The kept parts may be half refreshed: the next rebuild derives everything.
            self.last = None;
            self.globals = None;
            return Err(error);
        }

        self.parse_memo.forget(&path);
        let mut files = (*self.files).clone();
        let mut rendered = Vec::new();
        for (output, key, bytes) in made {
            files.insert(Arc::from(output.as_str()), Output::Bytes(bytes));
            self.keys.insert(output.clone(), key);
            rendered.push(output);
        }
        let update = Update {
            rendered,
            removed: Vec::new(),
            added: Vec::new(),
            outputs: files.len(),
            elapsed: started.elapsed(),
        };
        drop_later(std::mem::replace(&mut self.files, Arc::new(files)));
        Ok(Some(update))
    }
}

/// Frees `value` on another thread: freeing tens of thousands of pages takes longer than
/// rendering the few that changed, and nobody waits for it.
pub fn drop_later<T: Send + 'static>(value: T) {
    if std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value))
        .is_err()
    {
        // No thread to spare: the value was dropped here with the failed closure.
    }
}
