//! Write stage, the only code that touches the output folder: files go into a fresh
//! temporary folder beside it, which replaces the old output only when everything is written.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::BuildError;

pub struct Staging {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `<out>.tmp-<pid>` next to `out`.
    pub fn create(out: &Path) -> Result<Staging, BuildError> {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let temp = out.with_file_name(format!("{name}.tmp-{}", std::process::id()));
        if temp.exists() {
            fs::remove_dir_all(&temp).map_err(BuildError::io("clearing", &temp))?;
        }
        fs::create_dir_all(&temp).map_err(BuildError::io("creating", &temp))?;
        Ok(Staging {
            temp,
            target: out.to_owned(),
            committed: false,
        })
    }

    /// Writes one file; `relative` uses forward slashes and stays inside the folder.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), BuildError> {
        let path = self.temp.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(BuildError::io("creating", parent))?;
        }
        fs::write(&path, bytes).map_err(BuildError::io("writing", &path))
    }

    pub fn copy(&self, source: &Path, relative: &str) -> Result<(), BuildError> {
        let path = self.temp.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(BuildError::io("creating", parent))?;
        }
        fs::copy(source, &path)
            .map(|_| ())
            .map_err(BuildError::io("copying", source))
    }

    /// Puts the new output in place of the old one.
    pub fn commit(mut self) -> Result<(), BuildError> {
        let old = self.target.with_file_name(format!(
            "{}.old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(BuildError::io("moving aside", &self.target))?;
        }
        if let Err(error) = fs::rename(&self.temp, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(BuildError::io("moving into place", &self.temp)(error));
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).map_err(BuildError::io("removing", &old))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}
