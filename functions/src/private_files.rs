//! Local files that hold personal data (the SQLite store, the outbox's mails, the secret,
//! the editor token): created owner-only from their first byte, in folders that are the
//! owner's only. A leaf module: it knows nothing else of the functions.

/// Creates `dir` if it is missing, readable by its owner only (the local store, outbox and
/// secret hold personal data). An existing folder that others may read is tightened to the
/// owner's only; one that is shared on purpose (sticky, such as /tmp) or belongs to
/// another user is refused with a message, since personal data must not sit in it.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    if dir.is_dir() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            let meta = std::fs::metadata(dir)?;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                let own = meta.uid() == current_uid(dir)?;
                if mode & 0o1000 != 0 || !own {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::PermissionDenied,
                        format!(
                            "the data folder {} is shared (mode {mode:o}{}); personal data needs a folder of its own: set PORTAL_DATA (or --data) to a new folder",
                            dir.display(),
                            if own { "" } else { ", another user's" }
                        ),
                    ));
                }
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
                tracing::warn!(event = "data_folder_tightened", folder = %dir.display(), was = format!("{mode:o}"));
            }
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// The user this process runs as, read from a file it creates (no `libc` needed).
#[cfg(unix)]
fn current_uid(near: &std::path::Path) -> std::io::Result<u32> {
    use std::os::unix::fs::MetadataExt;
    // A process owns the files it creates; its own /proc entry says who it is.
    match std::fs::metadata("/proc/self") {
        Ok(meta) => Ok(meta.uid()),
        Err(_) => {
            let probe = near.join(format!(".uid-{}", std::process::id()));
            std::fs::write(&probe, b"")?;
            let uid = std::fs::metadata(&probe)?.uid();
            std::fs::remove_file(&probe)?;
            Ok(uid)
        }
    }
}

/// Makes an existing `file` readable and writable by its owner only.
pub fn private_file(file: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Opens `file` for writing, created owner-only from its first byte (mode 0600 at
/// creation, not a chmod after), or an existing one made owner-only before it is written.
pub fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Writes `bytes` to `file`, owner-only from the first byte (see [`private_options`]).
pub fn write_private(file: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if file.exists() {
        private_file(file)?;
    }
    let mut handle = private_options().truncate(true).open(file)?;
    handle.write_all(bytes)?;
    handle.sync_all()
}
