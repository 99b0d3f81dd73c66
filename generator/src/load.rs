//! Load stage: walks `content/` and reads every source file (in parallel), reporting
//! unreadable, non-UTF-8 and misplaced files and symlink loops as diagnostics.

use std::path::{Path, PathBuf};

use model::Diagnostic;
use model::fields::closest;
use rayon::prelude::*;
use walkdir::WalkDir;

/// A content file's text and the path shown to editors.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown in diagnostics: the content folder as given, joined with the file.
    pub path: PathBuf,
    pub text: String,
}

/// A file under `content/static/`, copied as-is.
#[derive(Debug, Clone)]
pub struct StaticFile {
    pub source: PathBuf,
    /// Relative to `content/static/`, with forward slashes.
    pub relative: String,
}

#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub site: Option<SourceFile>,
    pub site_path: PathBuf,
    pub members: Vec<SourceFile>,
    pub events: Vec<SourceFile>,
    pub pages: Vec<SourceFile>,
    pub posts: Vec<SourceFile>,
    pub static_files: Vec<StaticFile>,
}

const COLLECTIONS: &[&str] = &["members", "events", "pages", "posts", "static"];
const SITE_FILE: &str = "site.yaml";

#[derive(Clone, Copy)]
enum Kind {
    Member,
    Event,
    Page,
    Post,
}

impl Sources {
    /// Brings a complete, problem-free load up to date with the files at `changed` (paths
    /// relative to `content_dir`), as a new [`load`] would. `false` when only a new load can
    /// say what changed (site.yaml, static files, a new folder, a file that is not
    /// Markdown, a symlink, a file that cannot be read); the sources are then partly
    /// updated and must be replaced by a new load.
    pub fn update(&mut self, content_dir: &Path, changed: &[PathBuf]) -> bool {
        let sources = self;
        for relative in changed {
            let hidden = relative
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
            if hidden {
                // The walk skips hidden files and folders (editors' swap files).
                continue;
            }
            let path = content_dir.join(relative);
            let meta = match std::fs::symlink_metadata(&path) {
                Ok(meta) => Some(meta),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(_) => return false,
            };
            let mut parts = relative.components();
            let Some(collection) = parts.next().and_then(|c| c.as_os_str().to_str()) else {
                return false;
            };
            let in_collection = parts.next().is_some();
            let files = match collection {
                "members" if in_collection => &mut sources.members,
                "events" if in_collection => &mut sources.events,
                "pages" if in_collection => &mut sources.pages,
                "posts" if in_collection => &mut sources.posts,
                // Gone, and never read (an editor's temporary file renamed over site.yaml):
                // a new load would not see it either.
                _ if meta.is_none() && collection != SITE_FILE && collection != "static" => {
                    continue;
                }
                _ => return false,
            };
            let Some(meta) = meta else {
                // Gone: the file, or every file of the folder that was moved away.
                files.retain(|f| !f.path.starts_with(&path));
                continue;
            };
            if !meta.file_type().is_file() || relative.extension().is_none_or(|e| e != "md") {
                // A new folder, a symlink, a stray file: the walk decides.
                return false;
            }
            let Ok(file) = read_source(&path) else {
                return false;
            };
            // The walk's order: by file name at each level, which is the order of paths.
            match files.binary_search_by(|f| f.path.as_path().cmp(&path)) {
                Ok(i) => files[i] = file,
                Err(i) => files.insert(i, file),
            }
        }
        true
    }
}

/// Reads everything under `content_dir`; problems come back beside what could be read.
pub fn load(content_dir: &Path) -> (Sources, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut sources = Sources {
        site_path: content_dir.join(SITE_FILE),
        ..Sources::default()
    };
    if !content_dir.is_dir() {
        diagnostics.push(
            Diagnostic::for_file(content_dir, "the content folder does not exist")
                .with_hint("run from the project root, or pass --content DIR"),
        );
        return (sources, diagnostics);
    }

    check_top_level(content_dir, &mut diagnostics);
    // Links may point anywhere inside content/, never outside it: a pull request must not
    // be able to publish files from the machine that builds it.
    let root = std::fs::canonicalize(content_dir).unwrap_or_else(|_| content_dir.to_owned());
    let mut markdown: Vec<(Kind, PathBuf)> = Vec::new();
    for (collection, kind) in [
        ("members", Kind::Member),
        ("events", Kind::Event),
        ("pages", Kind::Page),
        ("posts", Kind::Post),
    ] {
        for path in walk(&content_dir.join(collection), &root, &mut diagnostics) {
            if path.extension().is_some_and(|e| e == "md") {
                markdown.push((kind, path));
            } else {
                diagnostics.push(
                    Diagnostic::for_file(&path, format!("unexpected file in {collection}/: only .md files belong here"))
                        .with_hint("put images and downloads in content/static/, or rename the file to end in .md"),
                );
            }
        }
    }
    let static_root = content_dir.join("static");
    for path in walk(&static_root, &root, &mut diagnostics) {
        let relative = path
            .strip_prefix(&static_root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        sources.static_files.push(StaticFile {
            source: path,
            relative,
        });
    }

    let read: Vec<(Kind, Result<SourceFile, Diagnostic>)> = markdown
        .into_par_iter()
        .map(|(kind, path)| (kind, read_source(&path)))
        .collect();
    for (kind, result) in read {
        match (kind, result) {
            (_, Err(d)) => diagnostics.push(d),
            (Kind::Member, Ok(file)) => sources.members.push(file),
            (Kind::Event, Ok(file)) => sources.events.push(file),
            (Kind::Page, Ok(file)) => sources.pages.push(file),
            (Kind::Post, Ok(file)) => sources.posts.push(file),
        }
    }
    let site_path = sources.site_path.clone();
    if let Some(outside) = link_outside(&site_path, &root) {
        diagnostics.push(outside);
    } else if site_path.is_file() {
        match read_source(&site_path) {
            Ok(file) => sources.site = Some(file),
            Err(d) => diagnostics.push(d),
        }
    } else {
        diagnostics.push(
            Diagnostic::for_file(&site_path, "site settings are missing").with_hint(
                "create content/site.yaml with at least `title`, `description` and `base_url`",
            ),
        );
    }
    (sources, diagnostics)
}

/// Reports entries at the top of `content/` that the generator would silently ignore.
fn check_top_level(content_dir: &Path, diagnostics: &mut Vec<Diagnostic>) {
    let Ok(entries) = std::fs::read_dir(content_dir) else {
        return;
    };
    let mut names: Vec<(String, bool)> = entries
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.path().is_dir(),
            )
        })
        .collect();
    names.sort();
    for (name, is_dir) in names {
        let known = if is_dir {
            COLLECTIONS.contains(&name.as_str())
        } else {
            name == SITE_FILE || name == "README.md"
        };
        if known || name.starts_with('.') {
            continue;
        }
        let expected: &[&str] = if is_dir { COLLECTIONS } else { &[SITE_FILE] };
        let hint = match closest(&name, expected.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "content/ holds {} and {SITE_FILE}",
                COLLECTIONS.join("/, ") + "/"
            ),
        };
        diagnostics.push(
            Diagnostic::for_file(
                content_dir.join(&name),
                format!("`{name}` is not part of the content layout"),
            )
            .with_hint(hint),
        );
    }
}

/// A diagnostic when `path` is a symbolic link that leads outside `root` (canonical).
fn link_outside(path: &Path, root: &Path) -> Option<Diagnostic> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return None;
    }
    let inside = std::fs::canonicalize(path).is_ok_and(|target| target.starts_with(root));
    (!inside).then(|| {
        Diagnostic::for_file(path, "this symbolic link points outside the content folder")
            .with_hint("copy the file into content/ instead of linking to it; links may only point inside content/")
    })
}

/// Files below `dir` in name order, following links that stay inside `root`; loops, links
/// that leave `root` and unreadable entries are reported.
fn walk(dir: &Path, root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    if !dir.exists() {
        return Vec::new();
    }
    if let Some(outside) = link_outside(dir, root) {
        diagnostics.push(outside);
        return Vec::new();
    }
    let mut files = Vec::new();
    let mut walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        if let Ok(entry) = &entry
            && entry.depth() > 0
            && entry.file_name().to_string_lossy().starts_with('.')
        {
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if let Ok(entry) = &entry
            && entry.path_is_symlink()
            && let Some(outside) = link_outside(entry.path(), root)
        {
            diagnostics.push(outside);
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        match entry {
            Ok(entry) if entry.file_type().is_file() => files.push(entry.into_path()),
            Ok(_) => {}
            Err(error) => {
                let path = error
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.to_path_buf());
                let diagnostic = match error.loop_ancestor() {
                    Some(ancestor) => Diagnostic::for_file(
                        &path,
                        format!(
                            "symlink loop: this link leads back to {}",
                            ancestor.display()
                        ),
                    )
                    .with_hint("remove the link or point it outside its own folder"),
                    None => Diagnostic::for_file(&path, format!("cannot be read: {error}"))
                        .with_hint("check that the file exists and is readable"),
                };
                diagnostics.push(diagnostic);
            }
        }
    }
    files
}

/// Reads a file as UTF-8, pointing at the first invalid byte otherwise.
pub fn read_source(path: &Path) -> Result<SourceFile, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::for_file(path, format!("cannot be read: {e}"))
            .with_hint("check that the file exists and is readable")
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile {
            path: path.to_path_buf(),
            text,
        }),
        Err(error) => {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let line = valid.matches('\n').count() + 1;
            let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(
                Diagnostic::new(path, line, column, "the file is not valid UTF-8")
                    .with_hint("save the file as UTF-8 (not Shift_JIS or EUC-JP)"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_at_the_first_invalid_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        // "---\nあ" then Shift_JIS bytes for 山 (0x8E 0x52).
        std::fs::write(&path, b"---\n\xe3\x81\x82\x8e\x52\n").unwrap();
        let d = read_source(&path).unwrap_err();
        assert_eq!((d.line, d.column), (2, 2));
        assert!(d.hint.unwrap().contains("UTF-8"));
    }

    #[cfg(unix)]
    #[test]
    fn links_may_not_leave_the_content_folder() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("secret");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("id_rsa"), "key").unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("static/ok")).unwrap();
        std::fs::write(content.join("static/ok/a.png"), "png").unwrap();
        std::fs::write(content.join("site.yaml"), "title: t\n").unwrap();
        let link =
            |target: &Path, at: &str| std::os::unix::fs::symlink(target, content.join(at)).unwrap();
        link(&outside.join("id_rsa"), "static/key.txt");
        link(&outside, "static/all");
        link(&content.join("static/ok/a.png"), "static/inside.png");
        let (sources, diagnostics) = load(&content);
        let files: Vec<&str> = sources
            .static_files
            .iter()
            .map(|f| f.relative.as_str())
            .collect();
        assert_eq!(files, ["inside.png", "ok/a.png"]);
        let reported: Vec<String> = diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{}: {}",
                    d.file.file_name().unwrap().to_string_lossy(),
                    d.message
                )
            })
            .collect();
        assert_eq!(
            reported,
            [
                "all: this symbolic link points outside the content folder",
                "key.txt: this symbolic link points outside the content folder",
            ]
        );
    }

    #[test]
    fn reports_misplaced_files_and_unknown_folders() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path();
        std::fs::create_dir_all(content.join("members")).unwrap();
        std::fs::create_dir_all(content.join("event")).unwrap();
        std::fs::write(content.join("members/photo.jpg"), b"x").unwrap();
        std::fs::write(content.join("site.yaml"), "title: t\n").unwrap();
        let (_, diagnostics) = load(content);
        let messages: Vec<String> = diagnostics
            .iter()
            .map(|d| format!("{} {:?}", d.message, d.hint))
            .collect();
        assert_eq!(diagnostics.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("`event` is not part")
                && messages[0].contains("did you mean `events`?")
        );
        assert!(messages[1].contains("only .md files"));
    }
}
