//! The site kept in memory for `portal serve`: a rebuild renders again only the outputs whose
//! inputs changed, and what it holds is byte for byte what `portal build` writes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::background::drop_later;
use crate::build::{BuildOptions, check_static_collisions, prepare_theme, validate_sources};
use crate::error::BuildError;
use crate::load::Sources;
pub use crate::output::{Files, Output};
use crate::render::{CardMemo, Job, JobKey, RenderParts, Renderer, feeds};
use crate::theme::Theme;
use crate::urls::file_for;
use crate::validate::ParseMemo;
use crate::validate::Site;

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
    /// Whether the search index in `files` is older than the last good rebuild (see
    /// [`LiveSite::refresh_search`]).
    search_stale: bool,
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

impl LastRender {
    /// A renderer of the kept site from `parts` (taken from it for a change, and put back).
    fn renderer(&self, now: jiff::Timestamp, parts: RenderParts) -> Renderer<'_> {
        Renderer::from_parts(&self.site, &self.theme, &self.base_url, now, parts)
    }
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
            search_stale: false,
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
        if let Some(changed) = changed {
            match self.edit_in_kept_render(changed, started) {
                Ok(Some(update)) => {
                    self.search_stale = true;
                    return Ok(update);
                }
                Ok(None) => {}
                Err(error) => {
                    self.last_is_current = false;
                    return Err(error);
                }
            }
        }
        let result = self.general_rebuild(changed, started);
        // While the content has a mistake, the kept render is not the content's: edits
        // must go through the general rebuild, which reports the mistake until it is
        // fixed. (Its cards still serve the next rebuild as a memo.)
        self.last_is_current = result.is_ok();
        self.search_stale |= result.is_ok();
        result
    }

    /// Makes the search index again if a rebuild since the last call changed the site;
    /// `true` when `files` changed. It is apart from the rebuild because it reads every
    /// member, event and post: `portal serve` publishes the changed pages first and the
    /// index right after, so an edit shows without waiting for it. After this call `files`
    /// is byte for byte what `portal build` writes.
    pub fn refresh_search(&mut self) -> bool {
        let Some(last) = self.last.as_mut().filter(|_| self.search_stale) else {
            return false;
        };
        let parts = std::mem::take(&mut last.parts);
        let renderer = last.renderer(self.options.now, parts);
        let index = crate::search_index::files_of(&renderer);
        last.parts = renderer.into_parts();
        let mut files: Files = (self.files.iter())
            .filter(|(path, _)| !path.starts_with(crate::search_index::FOLDER))
            .map(|(path, output)| (Arc::clone(path), output.clone()))
            .collect();
        for (path, bytes) in index {
            files.insert(Arc::from(path), Output::Bytes(Arc::from(bytes)));
        }
        drop_later(std::mem::replace(&mut self.files, Arc::new(files)));
        self.search_stale = false;
        true
    }

    /// Every stage again, reading only the changed files and rendering only the outputs
    /// whose key changed.
    fn general_rebuild(
        &mut self,
        changed: Option<&[PathBuf]>,
        started: Instant,
    ) -> Result<Update, BuildError> {
        let mut timer = crate::timing::StageTimer::from_env();
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
        crate::output::site_files(&mut files, &site, &theme, renderer.urls(), &sitemap_paths)?;
        // The search index stays as it was until `refresh_search` makes it again.
        let from = std::ops::Bound::Included(crate::search_index::FOLDER);
        let range = self
            .files
            .range::<str, _>((from, std::ops::Bound::Unbounded));
        for (path, output) in range {
            if !path.starts_with(crate::search_index::FOLDER) {
                break;
            }
            files.insert(Arc::clone(path), output.clone());
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

    /// The most common edit, made quickly: one published member's file changed and the
    /// member stays published. The outputs that can change are known: for the body and
    /// links the profile and the feed; for the organization and role also every list that
    /// shows the card; for anything that decides where the member is listed (name, reading,
    /// sector, prefecture, interests, joined date) the pages between the old and the new
    /// place in each list, the indexes and any page a term gained or lost. Those are made
    /// from the last render's parts, with the one member moved in place; anything else
    /// (a new, deleted or drafted file, a mistake, an interest relabelled for everyone)
    /// returns `None` for the general rebuild. tests/tests/end_to_end/live.rs compares the result with
    /// a full build.
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
        let Some(&from) = last.members_by_file.get(&path) else {
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
        // A member leaving the lists, or a photo that is not there, is for the general
        // rebuild (which reports the photo).
        let listed = !member.draft || self.options.drafts;
        let photo_found = member
            .photo
            .as_ref()
            .is_none_or(|photo| (sources.static_files.iter()).any(|f| f.relative == photo.value));
        if !listed || !photo_found {
            return Ok(None);
        }
        self.parse_memo.forget(&path);
        let old = &last.site.members[from];
        if member == *old {
            return Ok(Some(Update {
                rendered: Vec::new(),
                removed: Vec::new(),
                added: Vec::new(),
                outputs: self.files.len(),
                elapsed: started.elapsed(),
            }));
        }
        // Only the body, links, organization and role changed: the member keeps its place
        // in every list.
        let same_place = model::Member {
            body: old.body.clone(),
            body_line: old.body_line,
            links: old.links.clone(),
            organization: old.organization.clone(),
            role: old.role.clone(),
            ..member.clone()
        } == *old;
        let card_changed = member.organization != old.organization || member.role != old.role;
        let before = last.parts.listed_under(old, from);
        let lang = last.site.config.language;
        let change = if same_place {
            None
        } else {
            let to = crate::validate::place_in_order(&last.site.members, from, &member);
            let urls = crate::urls::Urls::new(&last.base_url);
            let prepared = last.parts.prepare_move(
                &last.theme,
                &urls,
                lang,
                &last.site.members,
                &last.site.events,
                (from, to),
                &member,
            )?;
            match prepared {
                Some(change) => Some(change),
                None => return Ok(None),
            }
        };

        // From here on the kept render changes: an error leaves it half made.
        let mut parts = std::mem::take(&mut last.parts);
        let mut new_people_to_meet = Vec::new();
        let (to, refreshed) = match change {
            Some(change) => {
                let to = change.to;
                last.site.members.remove(from);
                last.site.members.insert(to, member);
                new_people_to_meet =
                    parts.apply_move(change, &last.site.members, &last.site.events, lang);
                // Only the members between the two places changed index.
                let between = from.min(to)..=from.max(to);
                for (index, moved) in between.clone().zip(&last.site.members[between]) {
                    last.members_by_file.insert(moved.file.clone(), index);
                }
                (to, Ok(()))
            }
            None => {
                last.site.members[from] = member;
                let member = &last.site.members[from];
                let refreshed = if card_changed {
                    parts.refresh_member_card(&last.theme, from, &member.organization, &member.role)
                } else {
                    Ok(())
                };
                (from, refreshed)
            }
        };
        let renderer = last.renderer(self.options.now, parts);
        let mut jobs = if !same_place {
            let mut jobs = renderer.jobs_after_move(from, to, &before);
            jobs.extend(new_people_to_meet.into_iter().map(Job::Member));
            jobs
        } else if card_changed {
            renderer.jobs_showing_member(to)
        } else {
            vec![Job::Member(to), Job::Feed]
        };
        // A term that gained or lost a page, or a whole term, changes the set of outputs;
        // the sitemap lists profiles in the directory's order.
        let mut removed = Vec::new();
        let mut sitemap_paths = None;
        if from != to || renderer.listed_under(to) != before {
            let mut listed = Vec::new();
            let mut outputs = std::collections::HashSet::new();
            for job in renderer.plan() {
                let site_path = renderer.path_of(&job);
                let path = file_for(&site_path);
                if Renderer::is_listed_page(&job) {
                    listed.push(site_path);
                }
                if !self.keys.contains_key(&path) {
                    jobs.push(job);
                }
                outputs.insert(path);
            }
            removed = (self.keys.keys())
                .filter(|path| !outputs.contains(*path))
                .cloned()
                .collect();
            jobs.push(Job::Sitemap);
            sitemap_paths = Some(listed);
        }
        let mut planned = std::collections::HashSet::new();
        let jobs: Vec<(String, Job)> = jobs
            .into_iter()
            .map(|job| (file_for(&renderer.path_of(&job)), job))
            .filter(|(path, _)| planned.insert(path.clone()))
            .collect();
        let listed = sitemap_paths.as_deref().unwrap_or_default();
        let made = refreshed.and_then(|()| {
            jobs.par_iter()
                .filter_map(|(path, job)| {
                    let key = renderer.key_if_changed(job, self.keys.get(path))?;
                    let file = renderer.render_keyed(job, &key, listed);
                    Some(file.map(|file| (file.path, key, Arc::<[u8]>::from(file.bytes))))
                })
                .collect::<Result<Vec<_>, BuildError>>()
        });
        let sitemap_parts =
            (sitemap_paths.as_ref()).map(|listed| feeds::sitemap_parts(renderer.urls(), listed));
        last.parts = renderer.into_parts();
        let made = match made {
            Ok(made) => made,
            Err(error) => {
                // The kept parts may be half made: the next rebuild derives everything.
                self.last = None;
                self.globals = None;
                return Err(error);
            }
        };

        let mut files = (*self.files).clone();
        for path in &removed {
            files.remove(path.as_str());
            self.keys.remove(path);
        }
        if let Some(parts) = sitemap_parts {
            let stale: Vec<Arc<str>> = (files.keys())
                .filter(|name| feeds::is_sitemap_part(name))
                .filter(|name| !parts.iter().any(|(part, _)| part.as_str() == &***name))
                .cloned()
                .collect();
            for name in stale {
                files.remove(&name);
                removed.push(name.to_string());
            }
            for (name, text) in parts {
                files.insert(Arc::from(name), Output::Bytes(Arc::from(text.into_bytes())));
            }
        }
        let mut rendered = Vec::new();
        let mut added = Vec::new();
        for (output, key, bytes) in made {
            if !self.files.contains_key(output.as_str()) {
                added.push(output.clone());
            }
            files.insert(Arc::from(output.as_str()), Output::Bytes(bytes));
            self.keys.insert(output.clone(), key);
            rendered.push(output);
        }
        let update = Update {
            rendered,
            removed,
            added,
            outputs: files.len(),
            elapsed: started.elapsed(),
        };
        drop_later(std::mem::replace(&mut self.files, Arc::new(files)));
        Ok(Some(update))
    }
}
