//! A theme: Tera templates, translation files (`i18n/<lang>.yaml`) and static assets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use model::{Choice, Language};
use tera::{Context, Tera};
use walkdir::WalkDir;

use crate::error::BuildError;

pub struct Theme {
    tera: Tera,
    strings: BTreeMap<String, String>,
    /// Files under `static/`, as (source, path relative to the output folder).
    pub static_files: Vec<(PathBuf, String)>,
}

impl Theme {
    /// Loads `dir/templates/**/*.html`, `dir/i18n/<language>.yaml` and `dir/static/**`.
    pub fn load(dir: &Path, language: Language) -> Result<Theme, BuildError> {
        let theme_error = |path: &Path, message: String| BuildError::Theme {
            path: path.to_owned(),
            message,
        };
        let templates_dir = dir.join("templates");
        if !templates_dir.is_dir() {
            return Err(theme_error(
                dir,
                "has no templates/ folder; pass --theme with a theme folder such as themes/default"
                    .into(),
            ));
        }
        let mut templates = Vec::new();
        for (path, name) in files_below(&templates_dir)? {
            let text =
                std::fs::read_to_string(&path).map_err(|e| theme_error(&path, e.to_string()))?;
            templates.push((name, text));
        }
        let mut tera = Tera::new();
        tera.add_raw_templates(templates)
            .map_err(|e| theme_error(&templates_dir, tera_message(&e)))?;

        let strings_path = dir.join("i18n").join(format!("{}.yaml", language.slug()));
        let text = std::fs::read_to_string(&strings_path).map_err(|e| {
            theme_error(
                &strings_path,
                format!("cannot read the translation file: {e}"),
            )
        })?;
        let strings: BTreeMap<String, String> = serde_yaml::from_str(&text)
            .map_err(|e| theme_error(&strings_path, format!("malformed translations: {e}")))?;
        tera.global_context().insert("t", &strings);
        tera.global_context().insert("lang", language.slug());

        let static_dir = dir.join("static");
        let static_files = if static_dir.is_dir() {
            files_below(&static_dir)?
        } else {
            Vec::new()
        };
        Ok(Theme {
            tera,
            strings,
            static_files,
        })
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
