//! Validate stage: parses every source with the model (in parallel) and checks what spans
//! files: duplicate slugs, organizers that name no member, reserved page slugs, missing photos,
//! static files that would take the place of what the portal serves.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use model::slug::slug_of_file;
use model::{Diagnostic, Document, Event, Member, Page, Post, ReadingKey, SiteConfig};
use rayon::prelude::*;

use crate::load::{SourceFile, Sources, StaticFile};

/// The whole validated content, ready to render.
#[derive(Debug)]
pub struct Site {
    pub config: SiteConfig,
    /// In 50-on order of their reading.
    pub members: Vec<Member>,
    /// Soonest first.
    pub events: Vec<Event>,
    /// In menu order, then by slug.
    pub pages: Vec<Page>,
    /// Newest first.
    pub posts: Vec<Post>,
    pub static_files: Vec<StaticFile>,
}

/// Event slugs that are the portal's own pages under /events/ (the announcement form).
pub const RESERVED_EVENT_SLUGS: &[&str] = &["new"];

/// Post slugs that would collide with the news list's own paths (`/news/page/2/`).
pub const RESERVED_POST_SLUGS: &[&str] = &["page"];

/// Top-level paths the generator writes itself; a page may not take them.
pub const RESERVED_SLUGS: &[&str] = &[
    "members",
    "events",
    "interests",
    "prefectures",
    "sectors",
    "page",
    "css",
    "js",
    "static",
    "feed",
    "sitemap",
    "robots",
    "404",
    "api",
    "assets",
    "admin",
    "news",
    "introductions",
    "search",
    "search-index",
];

/// Folders of the output the portal writes or serves itself (fingerprinted assets, the
/// search index, the editors' page, the theme's styles and scripts, the functions behind
/// `/api/`, `portal serve`'s own paths). A content pull request is untrusted: a file in
/// `content/static/` must not replace any of them.
pub const SERVED_FOLDERS: &[&str] = &[
    "assets",
    "search-index",
    "admin",
    "css",
    "js",
    "api",
    "__portal",
];

/// Files a static host reads as its own settings: from `content/static/` they would change
/// how the site is served (redirects, headers such as the Content-Security-Policy).
pub const HOST_SETTING_FILES: &[&str] = &["_redirects", "_headers", "netlify.toml"];

/// Why a file at `relative` (under `content/static/`) may not be published, if it may not.
/// Compared without case: some hosts and file systems do not tell `Admin/` from `admin/`.
pub fn served_path_problem(relative: &str) -> Option<(String, String)> {
    let lower = relative.to_lowercase();
    let first = lower.split('/').next().unwrap_or("");
    let name = lower.rsplit('/').next().unwrap_or("");
    if HOST_SETTING_FILES.contains(&name) {
        return Some((
            format!("`{relative}` would change how the host serves the site (`{name}` is a host setting file)"),
            "host settings live in netlify.toml at the repository's root, which editors change by review; remove the file from content/static/".to_owned(),
        ));
    }
    if SERVED_FOLDERS.contains(&first) {
        return Some((
            format!("`{relative}` is under `{first}/`, which the portal writes or serves itself"),
            "move the file to another folder of content/static/, e.g. `files/`".to_owned(),
        ));
    }
    None
}

/// What each file parsed to last time, so that a rebuild (`portal serve`) parses only the
/// files whose text changed. Keyed by path; an entry is reused only for a text of the same
/// hash (SipHash, 64 bits: a collision is far less likely than a disk error).
#[derive(Default)]
pub struct ParseMemo {
    members: Memo<Member>,
    events: Memo<Event>,
    pages: Memo<Page>,
    posts: Memo<Post>,
    /// Set by [`ParseMemo::trust_except`] for the next validation only.
    trusted: bool,
}

impl ParseMemo {
    /// For the next validation: every remembered file is known to be unchanged except the
    /// files at `changed` (the caller read those again itself), so the others are reused
    /// without hashing their texts.
    /// Forgets what `path` parsed to (its file changed outside a validation).
    pub fn forget(&mut self, path: &std::path::Path) {
        self.members.remove(path);
        self.events.remove(path);
        self.pages.remove(path);
        self.posts.remove(path);
    }

    pub fn trust_except(&mut self, changed: &[PathBuf]) {
        for path in changed {
            self.members.remove(path);
            self.events.remove(path);
            self.pages.remove(path);
            self.posts.remove(path);
        }
        self.trusted = true;
    }
}

type Parsed<T> = Result<(PathBuf, T), Vec<Diagnostic>>;
type Memo<T> = HashMap<PathBuf, (u64, Parsed<T>)>;

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// What members are listed in: 50-on order of the reading, then by slug.
fn order_key(member: &Member) -> ReadingKey {
    ReadingKey::new(member.reading(), &member.name)
}

/// Where `member` belongs in `members` (a site's, in listing order) once member `from` is
/// taken out: the place member `from` takes after it changed to `member`.
pub fn place_in_order(members: &[Member], from: usize, member: &Member) -> usize {
    let key = order_key(member);
    let before = members.partition_point(|m| {
        order_key(m)
            .cmp(&key)
            .then_with(|| m.slug.cmp(&member.slug))
            .is_lt()
    });
    if from < before { before - 1 } else { before }
}

/// Checks all sources; every problem in every file is returned together.
pub fn validate(sources: Sources, include_drafts: bool) -> Result<Site, Vec<Diagnostic>> {
    validate_with(&sources, include_drafts, None)
}

/// [`validate`], reusing what `memo` holds for unchanged files and keeping this run's results.
pub fn validate_with(
    sources: &Sources,
    include_drafts: bool,
    mut memo: Option<&mut ParseMemo>,
) -> Result<Site, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let config = match &sources.site {
        Some(file) => SiteConfig::parse(&file.path, &file.text)
            .map_err(|d| diagnostics.extend(d))
            .ok(),
        None => None,
    };
    let trusted = memo
        .as_deref_mut()
        .is_some_and(|m| std::mem::take(&mut m.trusted));
    let members = parse_all(
        &sources.members,
        Member::from_document,
        trusted,
        memo.as_deref_mut().map(|m| &mut m.members),
        &mut diagnostics,
    );
    let events = parse_all(
        &sources.events,
        Event::from_document,
        trusted,
        memo.as_deref_mut().map(|m| &mut m.events),
        &mut diagnostics,
    );
    let pages = parse_all(
        &sources.pages,
        Page::from_document,
        trusted,
        memo.as_deref_mut().map(|m| &mut m.pages),
        &mut diagnostics,
    );
    let posts = parse_all(
        &sources.posts,
        Post::from_document,
        trusted,
        memo.map(|m| &mut m.posts),
        &mut diagnostics,
    );

    check_duplicates(
        members.iter().map(|(p, m)| (p, m.slug.as_str())),
        "member",
        &mut diagnostics,
    );
    check_duplicates(
        events.iter().map(|(p, e)| (p, e.slug.as_str())),
        "event",
        &mut diagnostics,
    );
    check_duplicates(
        pages.iter().map(|(p, page)| (p, page.slug.as_str())),
        "page",
        &mut diagnostics,
    );
    check_duplicates(
        posts.iter().map(|(p, post)| (p, post.slug.as_str())),
        "post",
        &mut diagnostics,
    );
    for (path, page) in &pages {
        if RESERVED_SLUGS.contains(&page.slug.as_str()) {
            diagnostics.push(
                Diagnostic::for_file(
                    path,
                    format!(
                        "the page slug `{}` is reserved for the portal's own pages",
                        page.slug
                    ),
                )
                .with_hint(format!("rename the file, e.g. to `{}-info.md`", page.slug)),
            );
        }
    }

    let published: HashSet<&str> = members
        .iter()
        .filter(|(_, m)| include_drafts || !m.draft)
        .map(|(_, m)| m.slug.as_str())
        .collect();
    let drafts: HashSet<&str> = members
        .iter()
        .filter(|(_, m)| m.draft)
        .map(|(_, m)| m.slug.as_str())
        .collect();
    let all_slugs: Vec<&str> = members.iter().map(|(_, m)| m.slug.as_str()).collect();
    // A member file with errors of its own is reported once, not again by every event
    // that names it as an organizer.
    let parsed: HashSet<&str> = all_slugs.iter().copied().collect();
    let unparsed: HashSet<String> = sources
        .members
        .iter()
        .filter_map(|file| slug_of_file(&file.path).ok())
        .filter(|slug| !parsed.contains(slug.as_str()))
        .collect();
    for (path, event) in &events {
        for organizer in &event.organizers {
            if published.contains(organizer.value.as_str()) || unparsed.contains(&organizer.value) {
                continue;
            }
            let (message, hint) = if drafts.contains(organizer.value.as_str()) {
                (
                    format!("organizer `{}` is a draft member", organizer.value),
                    "publish that member (remove `draft: true`) or remove the organizer".to_owned(),
                )
            } else {
                let hint =
                    match model::fields::closest(&organizer.value, all_slugs.iter().copied()) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => "use the file name (without .md) of a file in content/members/"
                            .to_owned(),
                    };
                (
                    format!("organizer `{}` names no member", organizer.value),
                    hint,
                )
            };
            diagnostics.push(
                Diagnostic::new(
                    path,
                    organizer.position.line,
                    organizer.position.column,
                    message,
                )
                .with_hint(hint)
                .with_field(&organizer.field),
            );
        }
    }

    // Attendees are written by the export; a member removed since is no error (the site
    // must still build), but it is said, and they are left out of "met at".
    for (path, event) in &events {
        for attendee in &event.attendees {
            if published.contains(attendee.value.as_str()) || unparsed.contains(&attendee.value) {
                continue;
            }
            diagnostics.push(
                Diagnostic::new(
                    path,
                    attendee.position.line,
                    attendee.position.column,
                    format!(
                        "attendee `{}` is no published member: left out of the people to meet",
                        attendee.value
                    ),
                )
                .with_hint("remove it from `attendees` (its member was removed or is a draft)")
                .with_field(&attendee.field)
                .as_warning(),
            );
        }
    }

    for (path, event) in &events {
        if RESERVED_EVENT_SLUGS.contains(&event.slug.as_str()) {
            diagnostics.push(
                Diagnostic::for_file(
                    path,
                    format!(
                        "the event slug `{}` is the portal's form for announcing events",
                        event.slug
                    ),
                )
                .with_hint(format!(
                    "rename the file, e.g. to `{}-event.md`",
                    event.slug
                )),
            );
        }
    }
    for (path, post) in &posts {
        if RESERVED_POST_SLUGS.contains(&post.slug.as_str()) {
            diagnostics.push(
                Diagnostic::for_file(
                    path,
                    format!(
                        "the post slug `{}` is reserved for the news list's pages",
                        post.slug
                    ),
                )
                .with_hint(format!("rename the file, e.g. to `{}-news.md`", post.slug)),
            );
        }
        let Some(author) = &post.author else {
            continue;
        };
        if published.contains(author.value.as_str()) || unparsed.contains(&author.value) {
            continue;
        }
        let (message, hint) = if drafts.contains(author.value.as_str()) {
            (
                format!("author `{}` is a draft member", author.value),
                "publish that member (remove `draft: true`) or remove the author".to_owned(),
            )
        } else {
            let hint = match model::fields::closest(&author.value, all_slugs.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "use the file name (without .md) of a file in content/members/, or \
                         remove `author`"
                    .to_owned(),
            };
            (format!("author `{}` names no member", author.value), hint)
        };
        diagnostics.push(
            Diagnostic::new(path, author.position.line, author.position.column, message)
                .with_hint(hint)
                .with_field("author"),
        );
    }

    for file in &sources.static_files {
        if let Some((message, hint)) = served_path_problem(&file.relative) {
            diagnostics.push(Diagnostic::for_file(&file.source, message).with_hint(hint));
        }
    }

    let static_paths: HashSet<&str> = sources
        .static_files
        .iter()
        .map(|f| f.relative.as_str())
        .collect();
    for (path, member) in &members {
        if let Some(photo) = &member.photo
            && !static_paths.contains(photo.value.as_str())
        {
            diagnostics.push(
                Diagnostic::new(
                    path,
                    photo.position.line,
                    photo.position.column,
                    format!("photo `{}` does not exist in content/static/", photo.value),
                )
                .with_hint("add the image under content/static/ or fix the path")
                .with_field("photo"),
            );
        }
    }

    let Some(config) = config.filter(|_| diagnostics.is_empty()) else {
        model::sort_diagnostics(&mut diagnostics);
        return Err(diagnostics);
    };

    let mut members: Vec<Member> = members
        .into_iter()
        .map(|(_, m)| m)
        .filter(|m| include_drafts || !m.draft)
        .collect();
    let mut keyed: Vec<(ReadingKey, Member)> =
        members.drain(..).map(|m| (order_key(&m), m)).collect();
    keyed.sort_by(|(a, ma), (b, mb)| a.cmp(b).then_with(|| ma.slug.cmp(&mb.slug)));
    let members = keyed.into_iter().map(|(_, m)| m).collect();

    let mut events: Vec<Event> = events
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| include_drafts || !e.draft)
        .collect();
    events.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.slug.cmp(&b.slug)));
    let mut pages: Vec<Page> = pages.into_iter().map(|(_, p)| p).collect();
    pages.sort_by(|a, b| {
        (a.menu.is_none(), a.menu, &a.slug).cmp(&(b.menu.is_none(), b.menu, &b.slug))
    });

    let mut posts: Vec<Post> = posts
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| include_drafts || !p.draft)
        .collect();
    posts.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));

    Ok(Site {
        config,
        members,
        events,
        pages,
        posts,
        static_files: sources.static_files.clone(),
    })
}

/// Parses files in parallel; each value keeps the path it came from. A file whose text is
/// the same as in `memo` is not parsed again; `memo` is left holding this run's files only.
/// Without a memo (a one-off build) nothing is kept.
fn parse_all<T: Send + Sync + Clone>(
    files: &[SourceFile],
    parse: fn(&Document, &str) -> Result<T, Vec<Diagnostic>>,
    trusted: bool,
    memo: Option<&mut Memo<T>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, T)> {
    let previous = memo.as_deref();
    // (the result, and the text's hash when it was parsed now rather than remembered)
    let results: Vec<(Parsed<T>, Option<u64>)> = files
        .par_iter()
        .map(|file| {
            let Some(previous) = previous else {
                return (parse_one(file, parse), None);
            };
            if trusted && let Some((_, parsed)) = previous.get(&file.path) {
                return (parsed.clone(), None);
            }
            let hash = text_hash(&file.text);
            match previous.get(&file.path) {
                Some((known, parsed)) if *known == hash => (parsed.clone(), None),
                _ => (parse_one(file, parse), Some(hash)),
            }
        })
        .collect();
    if let Some(memo) = memo {
        for (file, (parsed, hash)) in files.iter().zip(&results) {
            if let Some(hash) = hash {
                memo.insert(file.path.clone(), (*hash, parsed.clone()));
            }
        }
        if memo.len() != files.len() {
            let present: HashSet<&PathBuf> = files.iter().map(|f| &f.path).collect();
            memo.retain(|path, _| present.contains(path));
        }
    }
    let results = results.into_iter().map(|(parsed, _)| parsed);
    let mut parsed = Vec::with_capacity(files.len());
    for result in results {
        match result {
            Ok(value) => parsed.push(value),
            Err(found) => diagnostics.extend(found),
        }
    }
    parsed
}

fn parse_one<T>(
    file: &SourceFile,
    parse: fn(&Document, &str) -> Result<T, Vec<Diagnostic>>,
) -> Parsed<T> {
    let slug = slug_of_file(&file.path).map_err(|d| vec![d]);
    let doc = Document::parse(&file.path, &file.text).map_err(|d| vec![d]);
    match (slug, doc) {
        (Ok(slug), Ok(doc)) => parse(&doc, &slug).map(|value| (file.path.clone(), value)),
        (Err(mut a), Err(b)) => {
            a.extend(b);
            Err(a)
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

fn check_duplicates<'a>(
    items: impl Iterator<Item = (&'a PathBuf, &'a str)>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, &PathBuf> = HashMap::new();
    for (path, slug) in items {
        if let Some(first) = seen.get(slug) {
            diagnostics.push(
                Diagnostic::for_file(path, format!("duplicate {what} slug `{slug}`: {} has it too", first.display()))
                    .with_hint("rename one of the files; a slug must be unique within its folder and its subfolders"),
            );
        } else {
            seen.insert(slug, path);
        }
    }
}
