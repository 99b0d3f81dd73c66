//! Watches the content and theme folders and rebuilds the site in memory after each burst
//! of changes; a good rebuild is served and reloads open tabs, a bad one is shown.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use functions::services::Services;
use generator::live::{LiveSite, Update};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::problem::Problem;
use crate::shared::Shared;

/// Editors save a file in several writes (truncate, write, rename): changes closer together
/// than this are one edit.
const QUIET: Duration = Duration::from_millis(8);

/// Starts watching `folders` (which must exist, given as canonical paths so that events
/// name them the same way); the events arrive on the returned receiver. Dropping the
/// watcher stops it.
pub fn watch(
    folders: &[PathBuf],
) -> notify::Result<(
    notify::RecommendedWatcher,
    Receiver<notify::Result<notify::Event>>,
)> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        // The receiver is gone only when the server stops.
        let _ = sender.send(event);
    })?;
    for folder in folders {
        watcher.watch(folder, RecursiveMode::Recursive)?;
    }
    Ok((watcher, receiver))
}

/// What a burst of events changed: files of the content folder (relative to it), or
/// something only a whole new load can account for.
#[derive(Debug, Default)]
struct Changes {
    content: Vec<PathBuf>,
    everything: bool,
}

impl Changes {
    fn any(&self) -> bool {
        self.everything || !self.content.is_empty()
    }

    fn add(&mut self, event: notify::Result<notify::Event>, content_root: &std::path::Path) {
        let event = match event {
            // Reading a file changes nothing.
            Ok(event)
                if matches!(
                    event.kind,
                    EventKind::Access(_)
                        | EventKind::Modify(notify::event::ModifyKind::Metadata(_))
                ) =>
            {
                return;
            }
            Ok(event) => event,
            // A lost event (the kernel's queue overflowed): read everything to be sure.
            Err(_) => {
                self.everything = true;
                return;
            }
        };
        if event.paths.is_empty() {
            self.everything = true;
        }
        for path in event.paths {
            match path.strip_prefix(content_root) {
                Ok(relative) if !relative.as_os_str().is_empty() => {
                    // A save is often several events for one file (truncate, write).
                    if !self.content.iter().any(|p| p == relative) {
                        self.content.push(relative.to_path_buf());
                    }
                }
                // The theme, or the content folder itself.
                _ => self.everything = true,
            }
        }
    }
}

/// Rebuilds after each burst of changes until the watcher stops. Runs on its own thread:
/// a rebuild is CPU work.
pub fn rebuild_on_changes(
    mut live: LiveSite,
    content_root: PathBuf,
    shared: Arc<Shared>,
    services: Arc<Services>,
    events: Receiver<notify::Result<notify::Event>>,
) {
    while let Ok(first) = events.recv() {
        let mut changes = Changes::default();
        changes.add(first, &content_root);
        loop {
            match events.recv_timeout(QUIET) {
                Ok(event) => changes.add(event, &content_root),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if changes.any() {
            let changed = (!changes.everything).then_some(changes.content.as_slice());
            rebuild(&mut live, changed, &shared, &services);
        }
    }
}

/// One rebuild (of the files at `changed` only, or of everything), reported in the terminal
/// and to open tabs.
pub fn rebuild(
    live: &mut LiveSite,
    changed: Option<&[PathBuf]>,
    shared: &Shared,
    services: &Services,
) -> bool {
    match live.rebuild_changed(changed) {
        Ok(update) => {
            shared.publish(live.files());
            eprintln!("{}", describe(&update));
            // The search index follows the pages it finds (it reads the whole site).
            if live.refresh_search() {
                shared.replace_quietly(live.files());
            }
            // The functions learn of new members and events (taken slugs, seats). An edit of
            // an existing member changes neither, and reading every event again takes time.
            let catalog_may_differ = changed.is_none_or(|paths| {
                paths.iter().any(|p| p.starts_with("events"))
                    || !update.added.is_empty()
                    || !update.removed.is_empty()
            });
            if catalog_may_differ {
                match functions::catalog::Catalog::load(&live.options().content) {
                    Ok(catalog) => services.replace_catalog(catalog),
                    Err(error) => {
                        eprintln!("warning: the functions keep the previous catalog: {error}")
                    }
                }
            }
            true
        }
        Err(error) => {
            let problem = Problem::from_error(&error);
            eprintln!("{}", problem.to_terminal());
            shared.fail(problem);
            false
        }
    }
}

fn describe(update: &Update) -> String {
    const SHOWN: usize = 4;
    let mut pages: Vec<&str> = update
        .rendered
        .iter()
        .filter(|p| p.ends_with(".html"))
        .map(String::as_str)
        .collect();
    pages.sort_unstable();
    let mut names = pages
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if pages.len() > SHOWN {
        names.push_str(&format!(", … {} more", pages.len() - SHOWN));
    }
    let removed = if update.removed.is_empty() {
        String::new()
    } else {
        format!(", {} removed", update.removed.len())
    };
    // The first build makes everything new.
    let verb = if update.added.len() == update.rendered.len() {
        "built"
    } else {
        "rebuilt"
    };
    format!(
        "{verb} {} of {} outputs in {:.0?}{removed}{}",
        update.rendered.len(),
        update.outputs,
        update.elapsed,
        if names.is_empty() {
            String::new()
        } else {
            format!(": {names}")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, ModifyKind};

    fn event(kind: EventKind, path: &str) -> notify::Result<notify::Event> {
        Ok(notify::Event::new(kind).add_path(PathBuf::from(path)))
    }

    #[test]
    fn a_burst_names_each_changed_file_once_and_ignores_reads() {
        let root = std::path::Path::new("/site/content");
        let mut changes = Changes::default();
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        changes.add(event(write, "/site/content/members/a.md"), root);
        changes.add(event(write, "/site/content/members/a.md"), root);
        changes.add(
            event(
                EventKind::Access(AccessKind::Any),
                "/site/content/members/b.md",
            ),
            root,
        );
        changes.add(
            event(
                EventKind::Create(CreateKind::File),
                "/site/content/events/e.md",
            ),
            root,
        );
        assert_eq!(
            changes.content,
            [PathBuf::from("members/a.md"), PathBuf::from("events/e.md")]
        );
        assert!(!changes.everything);
        // The theme, the content folder itself, or a lost event: everything is read again.
        changes.add(
            event(write, "/site/themes/default/templates/base.html"),
            root,
        );
        assert!(changes.everything);
        let mut lost = Changes::default();
        lost.add(Err(notify::Error::generic("queue overflow")), root);
        assert!(lost.any() && lost.everything);
    }
}
