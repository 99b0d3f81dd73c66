//! The few git operations the export needs, through the `git` command: a repository, a
//! new branch in a worktree of its own, commits there, and a push.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A git repository, found from a folder inside it.
pub struct Git {
    root: PathBuf,
}

fn run(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("could not run `git` ({e}); install git"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout)
            .trim_end()
            .to_owned())
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

impl Git {
    /// The repository that holds `folder`.
    pub fn discover(folder: &Path) -> Result<Git, String> {
        let root = run(folder, &["rev-parse", "--show-toplevel"]).map_err(|e| {
            format!(
                "{} is not inside a git repository, so --commit cannot make a branch ({e})",
                folder.display()
            )
        })?;
        let root = std::fs::canonicalize(&root).map_err(|e| format!("{root}: {e}"))?;
        Ok(Git { root })
    }

    /// `folder` relative to the repository's root.
    pub fn relative(&self, folder: &Path) -> Result<PathBuf, String> {
        let absolute =
            std::fs::canonicalize(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        absolute
            .strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .map_err(|_| format!("{} is outside {}", folder.display(), self.root.display()))
    }

    fn branch_exists(&self, name: &str) -> Result<bool, String> {
        let reference = format!("refs/heads/{name}");
        Ok(run(
            &self.root,
            &["rev-parse", "--verify", "--quiet", &reference],
        )
        .is_ok())
    }

    /// Refuses a name git would not take, and a branch that exists: the export never
    /// commits onto an existing branch.
    pub fn check_new_branch(&self, name: &str) -> Result<(), String> {
        run(&self.root, &["check-ref-format", "--branch", name])
            .map_err(|_| format!("`{name}` is not a valid branch name"))?;
        if self.branch_exists(name)? {
            return Err(format!(
                "the branch `{name}` exists; choose another with --branch"
            ));
        }
        Ok(())
    }

    /// `<prefix>-1`, or the next number not taken.
    pub fn free_branch(&self, prefix: &str) -> Result<String, String> {
        for n in 1..1000 {
            let name = format!("{prefix}-{n}");
            if !self.branch_exists(&name)? {
                return Ok(name);
            }
        }
        Err(format!("no free branch name `{prefix}-<n>`; pass --branch"))
    }

    /// Whether any commit on any branch (local or fetched) has this line in its message.
    pub fn any_commit_mentions(&self, line: &str) -> Result<bool, String> {
        // A repository without commits has no history to search.
        if run(&self.root, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_err() {
            return Ok(false);
        }
        let found = run(
            &self.root,
            &[
                "log",
                "--all",
                "--fixed-strings",
                "--format=%H",
                &format!("--grep={line}"),
            ],
        )?;
        Ok(!found.is_empty())
    }

    pub fn delete_branch(&self, name: &str) -> Result<(), String> {
        run(&self.root, &["branch", "--quiet", "-D", name]).map(|_| ())
    }

    pub fn push(&self, remote: &str, branch: &str) -> Result<(), String> {
        run(
            &self.root,
            &["push", "--quiet", remote, &format!("refs/heads/{branch}")],
        )
        .map(|_| ())
    }
}

/// A new branch checked out in a temporary folder; removed when dropped.
pub struct Worktree<'g> {
    git: &'g Git,
    folder: tempfile::TempDir,
    base: String,
    removed: bool,
}

impl<'g> Worktree<'g> {
    /// Makes `branch` at the current commit (HEAD) and checks it out in a temporary folder.
    pub fn add(git: &'g Git, branch: &str) -> Result<Worktree<'g>, String> {
        let base = run(&git.root, &["rev-parse", "--verify", "HEAD"])
            .map_err(|_| "the repository has no commit to branch from".to_owned())?;
        let folder = tempfile::Builder::new()
            .prefix("portal-export-")
            .tempdir()
            .map_err(|e| format!("a temporary folder: {e}"))?;
        let path = folder.path().to_string_lossy().into_owned();
        run(
            &git.root,
            &["worktree", "add", "--quiet", "-b", branch, &path, &base],
        )?;
        Ok(Worktree {
            git,
            folder,
            base,
            removed: false,
        })
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }

    /// Stages everything under `folder` (additions and deletions) and commits it.
    pub fn commit_all(&self, folder: &Path, message: &str) -> Result<(), String> {
        let folder = folder.to_string_lossy();
        run(self.path(), &["add", "--all", "--", &folder])?;
        run(self.path(), &["commit", "--quiet", "-m", message]).map(|_| ())
    }

    pub fn has_commits(&self) -> Result<bool, String> {
        Ok(run(self.path(), &["rev-parse", "HEAD"])? != self.base)
    }

    pub fn remove(mut self) -> Result<(), String> {
        self.removed = true;
        let path = self.path().to_string_lossy().into_owned();
        run(&self.git.root, &["worktree", "remove", "--force", &path]).map(|_| ())
    }
}

impl Drop for Worktree<'_> {
    fn drop(&mut self) {
        if !self.removed {
            let path = self.path().to_string_lossy().into_owned();
            let _ = run(&self.git.root, &["worktree", "remove", "--force", &path]);
            let _ = run(&self.git.root, &["worktree", "prune"]);
        }
    }
}
