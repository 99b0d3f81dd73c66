//! What the watcher hands to the HTTP side: the outputs of the last good rebuild, the
//! problem of the last failed one, and notices for open tabs.

use std::sync::{Arc, RwLock};

use generator::live::Files;
use tokio::sync::{broadcast, watch};

use crate::problem::Problem;

/// A notice to open tabs.
#[derive(Debug, Clone)]
pub enum Notice {
    /// The site changed: reload.
    Reload,
    /// The last rebuild failed: show it over the page.
    Problem(Arc<Problem>),
}

pub struct Shared {
    files: RwLock<Arc<Files>>,
    problem: RwLock<Option<Arc<Problem>>>,
    notices: broadcast::Sender<Notice>,
    stopping: watch::Sender<bool>,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            files: RwLock::new(Arc::new(Files::new())),
            problem: RwLock::new(None),
            notices: broadcast::channel(16).0,
            stopping: watch::channel(false).0,
        }
    }
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    match lock.read() {
        Ok(value) => value.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// Puts `value` in place and gives back the value it replaces.
fn write<T>(lock: &RwLock<T>, value: T) -> T {
    match lock.write() {
        Ok(mut current) => std::mem::replace(&mut *current, value),
        Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), value),
    }
}

impl Shared {
    pub fn files(&self) -> Arc<Files> {
        read(&self.files)
    }

    pub fn problem(&self) -> Option<Arc<Problem>> {
        read(&self.problem)
    }

    /// A good rebuild: serve it and reload open tabs.
    pub fn publish(&self, files: Arc<Files>) {
        generator::background::drop_later(write(&self.files, files));
        let _ = write(&self.problem, None);
        // No tab listening is not an error.
        let _ = self.notices.send(Notice::Reload);
    }

    /// The same site with more made (the search index): serve it, reloading nobody.
    pub fn replace_quietly(&self, files: Arc<Files>) {
        generator::background::drop_later(write(&self.files, files));
    }

    /// A failed rebuild: keep serving the last good site and show the problem.
    pub fn fail(&self, problem: Problem) {
        let problem = Arc::new(problem);
        let _ = write(&self.problem, Some(Arc::clone(&problem)));
        let _ = self.notices.send(Notice::Problem(problem));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    /// Ends every open notice stream, so that shutting down does not wait for open tabs.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }
}
