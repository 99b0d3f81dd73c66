//! The generator's error type.

use std::path::PathBuf;

use model::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Content problems, all of them, sorted by file and line.
    #[error("{} problem(s) in the content", .0.len())]
    Content(Vec<Diagnostic>),
    #[error("output folder {path}: {message}")]
    Output { path: PathBuf, message: String },
    #[error("theme {path}: {message}")]
    Theme { path: PathBuf, message: String },
    #[error("template `{template}` failed to render {page}: {message}")]
    Render {
        template: String,
        page: String,
        message: String,
    },
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl BuildError {
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> BuildError {
        let path = path.into();
        move |source| BuildError::Io {
            action,
            path,
            source,
        }
    }
}
