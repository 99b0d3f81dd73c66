//! A theme: Tera templates, translation files (`i18n/<lang>.yaml`) and static assets.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use model::{Choice, Language};
use tera::{Context, Tera};
use walkdir::WalkDir;

use crate::error::BuildError;

/// The default theme, compiled into the binary (see build.rs).
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));
}

/// Where a theme comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemeSource {
    /// A theme folder (`--theme DIR`, or a project's own `themes/default`).
    Folder(PathBuf),
    /// The default theme compiled into the binary.
    Embedded,
}

impl ThemeSource {
    /// A project's own `themes/default` if there is one, else the embedded default.
    pub fn default_for(project: &Path) -> ThemeSource {
        let folder = project.join("themes/default");
        if folder.join("templates").is_dir() {
            ThemeSource::Folder(folder)
        } else {
            ThemeSource::Embedded
        }
    }

    fn shown(&self) -> PathBuf {
        match self {
            ThemeSource::Folder(dir) => dir.clone(),
            ThemeSource::Embedded => PathBuf::from("(the built-in default theme)"),
        }
    }
}

/// A file under the theme's `static/`, copied to the output as it is.
/// Folder of the fingerprinted copies of style sheets and scripts.
pub const ASSETS_FOLDER: &str = "assets/";

/// Adds a copy of each CSS and JS file under `assets/<first 12 hex digits of its SHA-256>/`
/// and returns where each went. The originals stay where they were, for what links them by
/// name (the functions' pages, old bookmarks).
fn fingerprinted_copies(static_files: &mut Vec<StaticAsset>) -> BTreeMap<String, String> {
    use sha2::{Digest, Sha256};
    let mut assets = BTreeMap::new();
    let mut copies = Vec::new();
    for file in static_files.iter() {
        if !(file.relative.ends_with(".css") || file.relative.ends_with(".js")) {
            continue;
        }
        let digest = Sha256::digest(&file.bytes);
        let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        let path = format!("{ASSETS_FOLDER}{hex}/{}", file.relative);
        assets.insert(file.relative.clone(), path.clone());
        copies.push(StaticAsset {
            relative: path,
            bytes: file.bytes.clone(),
        });
    }
    static_files.extend(copies);
    assets
}

pub struct StaticAsset {
    /// Relative to the output folder (and to `static/`), with forward slashes.
    pub relative: String,
    pub bytes: Cow<'static, [u8]>,
}

pub struct Theme {
    tera: Tera,
    strings: BTreeMap<String, String>,
    pub static_files: Vec<StaticAsset>,
    assets: BTreeMap<String, String>,
    /// A hash of every file of the theme and the language: a rebuild whose theme has the
    /// same fingerprint renders the same pages from the same content.
    pub fingerprint: u64,
}

impl Theme {
    /// Loads `templates/**/*.html`, `i18n/<language>.yaml` and `static/**` of a theme.
    pub fn load(source: &ThemeSource, language: Language) -> Result<Theme, BuildError> {
        let shown = source.shown();
        let theme_error = |path: &Path, message: String| BuildError::Theme {
            path: path.to_owned(),
            message,
        };
        let files: Vec<(String, Cow<'static, [u8]>)> = match source {
            ThemeSource::Embedded => embedded::FILES
                .iter()
                .map(|(name, bytes)| ((*name).to_owned(), Cow::Borrowed(*bytes)))
                .collect(),
            ThemeSource::Folder(dir) => {
                if !dir.join("templates").is_dir() {
                    return Err(theme_error(
                        dir,
                        "has no templates/ folder; pass --theme with a theme folder such as themes/default, or leave --theme out for the built-in theme"
                            .into(),
                    ));
                }
                let mut files = Vec::new();
                for (path, name) in files_below(dir)? {
                    let bytes =
                        std::fs::read(&path).map_err(|e| theme_error(&path, e.to_string()))?;
                    files.push((name, Cow::Owned(bytes)));
                }
                files
            }
        };
        let text = |name: &str, bytes: &[u8]| {
            String::from_utf8(bytes.to_vec())
                .map_err(|_| theme_error(&shown.join(name), "is not UTF-8".into()))
        };
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            language.slug().hash(&mut hasher);
            for (name, bytes) in &files {
                name.hash(&mut hasher);
                bytes.hash(&mut hasher);
            }
            hasher.finish()
        };
        let mut templates = Vec::new();
        let mut strings_text = None;
        let strings_name = format!("i18n/{}.yaml", language.slug());
        let mut static_files = Vec::new();
        for (name, bytes) in files {
            if let Some(template) = name.strip_prefix("templates/") {
                templates.push((template.to_owned(), text(&name, &bytes)?));
            } else if name == strings_name {
                strings_text = Some(text(&name, &bytes)?);
            } else if let Some(relative) = name.strip_prefix("static/") {
                static_files.push(StaticAsset {
                    relative: relative.to_owned(),
                    bytes,
                });
            }
        }
        let assets = fingerprinted_copies(&mut static_files);
        let mut tera = Tera::new();
        tera.add_raw_templates(templates)
            .map_err(|e| theme_error(&shown.join("templates"), tera_message(&e)))?;
        let strings_path = shown.join(&strings_name);
        let strings_text = strings_text
            .ok_or_else(|| theme_error(&strings_path, "the translation file is missing".into()))?;
        let strings =
            translations(&strings_text).map_err(|message| theme_error(&strings_path, message))?;
        tera.global_context().insert("t", &strings);
        tera.global_context().insert("lang", language.slug());
        Ok(Theme {
            tera,
            strings,
            static_files,
            assets,
            fingerprint,
        })
    }

    /// Each style sheet's and script's fingerprinted path (`css/style.css` ->
    /// `assets/3f2a9c1e5b7d/css/style.css`), which pages link so that hosts can cache it for
    /// ever (see netlify.toml).
    pub fn assets(&self) -> &BTreeMap<String, String> {
        &self.assets
    }

    /// Values every page sees (the site's title, menu, base path).
    pub fn set_globals(&mut self, key: &'static str, value: &impl serde::Serialize) {
        self.tera.global_context().insert(key, value);
    }

    /// Every UI string of the theme's language, by key.
    pub fn strings(&self) -> &BTreeMap<String, String> {
        &self.strings
    }

    /// A theme string; a missing key shows as itself so that it is noticed, never as a blank.
    pub fn translate(&self, key: &str) -> String {
        self.strings
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    pub fn render(&self, template: &str, context: &Context) -> Result<String, String> {
        self.tera
            .render(template, context)
            .map_err(|e| tera_message(&e))
    }

    /// [`Theme::render`] as bytes, for a page that is written as it is: the output is built
    /// from UTF-8 strings, so checking it again (as a `String` would) is wasted work.
    pub fn render_bytes(&self, template: &str, context: &Context) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(template, context, &mut out)
            .map_err(|e| tera_message(&e))?;
        Ok(out)
    }
}

/// Every file below `dir` in name order, with its path relative to `dir` (forward slashes).
fn files_below(dir: &Path) -> Result<Vec<(PathBuf, String)>, BuildError> {
    let mut files = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| BuildError::Theme {
            path: dir.to_owned(),
            message: e.to_string(),
        })?;
        if entry.file_type().is_file() {
            let relative = entry
                .path()
                .strip_prefix(dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            files.push((entry.into_path(), relative));
        }
    }
    Ok(files)
}

/// Tera's error with its causes, which hold the template line.
fn tera_message(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// A translation file: text by key. A key written twice is refused, not resolved by
/// whichever comes last (a theme author would not see which one shows).
fn translations(text: &str) -> Result<BTreeMap<String, String>, String> {
    // Where a plain top-level key repeats, say both lines; a `Mapping` (unlike a map type of
    // Rust) refuses any other repetition too.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let starts_key = line
            .chars()
            .next()
            .is_some_and(|c| !matches!(c, ' ' | '\t' | '#' | '-'));
        if let Some((key, _)) = line.split_once(':').filter(|_| starts_key) {
            let key = key.trim().trim_matches(['"', '\'']);
            if let Some(first) = seen.insert(key, number + 1) {
                return Err(format!(
                    "the key `{key}` is written twice (line {first} and line {}): keep one",
                    number + 1
                ));
            }
        }
    }
    let mapping: serde_yaml::Mapping =
        serde_yaml::from_str(text).map_err(|e| format!("malformed translations: {e}"))?;
    mapping
        .into_iter()
        .map(|(key, value)| match (key, value) {
            (serde_yaml::Value::String(key), serde_yaml::Value::String(value)) => Ok((key, value)),
            (key, _) => Err(format!(
                "malformed translations: the value of `{}` is not text",
                serde_yaml::to_string(&key).unwrap_or_default().trim()
            )),
        })
        .collect()
}

#[cfg(test)]
mod translation_tests {
    #[test]
    fn a_translation_key_written_twice_is_refused() {
        let error = super::translations("a: one\nb: two\na: three\n").expect_err("a repeated key");
        assert!(error.contains("written twice"), "{error}");
        assert!(error.contains("line 1 and line 3"), "{error}");
        let error = super::translations("a: [1]\n").expect_err("not text");
        assert!(error.contains("`a`"), "{error}");
        assert_eq!(super::translations("a: one\n").unwrap()["a"], "one");
    }
}
