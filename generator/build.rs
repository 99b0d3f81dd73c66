//! Embeds the default theme (themes/default) in the `portal` binary, so that it builds a
//! site from any folder that has only a content folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let theme = manifest.join("../themes/default");
    let theme = theme.canonicalize().expect("themes/default exists");
    println!("cargo:rerun-if-changed={}", theme.display());
    let mut found = Vec::new();
    files(&theme, &mut found);
    let mut code = String::from(
        "/// The default theme's files: (path inside the theme, bytes).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for path in &found {
        println!("cargo:rerun-if-changed={}", path.display());
        let relative = path
            .strip_prefix(&theme)
            .expect("inside the theme")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "    ({relative:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .expect("a string");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("default_theme.rs"), code).expect("written");
}
