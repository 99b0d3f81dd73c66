//! The pipeline: load -> validate -> render -> write.

use std::path::PathBuf;

use jiff::Timestamp;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::BuildError;
use crate::load::load;
use crate::render::{Job, Renderer};
use crate::theme::{Theme, ThemeSource};
use crate::validate::Site;

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub content: PathBuf,
    pub theme: ThemeSource,
    pub out: PathBuf,
    /// Overrides `base_url` of site.yaml (for previews and deploy previews).
    pub base_url: Option<String>,
    /// Overrides `api_base` of site.yaml (a preview posts to local functions).
    pub api_base: Option<String>,
    pub drafts: bool,
    /// What counts as "now" for the upcoming/past split and calendar stamps.
    pub now: Timestamp,
}

/// What a build made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub members: usize,
    pub events: usize,
}

/// Loads and validates the content; every problem is reported together.
pub fn load_site(options: &BuildOptions) -> Result<Site, BuildError> {
    load_site_with(options, None)
}

/// [`load_site`], parsing again only the files whose text differs from `memo`'s.
pub fn load_site_with(
    options: &BuildOptions,
    memo: Option<&mut crate::validate::ParseMemo>,
) -> Result<Site, BuildError> {
    let (sources, diagnostics) = load(&options.content);
    validate_sources(&sources, diagnostics, options.drafts, memo)
}

/// Validates what a load read, adding the load's own problems.
pub(crate) fn validate_sources(
    sources: &crate::load::Sources,
    mut diagnostics: Vec<model::Diagnostic>,
    drafts: bool,
    memo: Option<&mut crate::validate::ParseMemo>,
) -> Result<Site, BuildError> {
    match crate::validate::validate_with(sources, drafts, memo) {
        Ok(site) if diagnostics.is_empty() => Ok(site),
        Ok(_) => Err(BuildError::Content(diagnostics)),
        Err(found) => {
            diagnostics.extend(found);
            model::sort_diagnostics(&mut diagnostics);
            diagnostics.dedup();
            Err(BuildError::Content(diagnostics))
        }
    }
}

#[derive(Serialize)]
struct MenuItem {
    label: String,
    url: String,
    path: String,
}

/// Loads the theme of `site`'s language and gives it the site-wide values (menu, title,
/// base path). Returns the theme, the base URL and those values as JSON, which a rebuild
/// compares to know whether every page must be made again.
pub(crate) fn prepare_theme(
    site: &Site,
    options: &BuildOptions,
) -> Result<(Theme, String, String), BuildError> {
    let base_url = options
        .base_url
        .clone()
        .unwrap_or_else(|| site.config.base_url.clone());
    let mut theme = Theme::load(&options.theme, site.config.language)?;
    let renderer_urls = crate::urls::Urls::new(&base_url);
    let mut menu = vec![
        MenuItem {
            label: theme.translate("members"),
            url: renderer_urls.link("/members/"),
            path: "/members/".into(),
        },
        MenuItem {
            label: theme.translate("events"),
            url: renderer_urls.link("/events/"),
            path: "/events/".into(),
        },
        MenuItem {
            label: theme.translate("news"),
            url: renderer_urls.link("/news/"),
            path: "/news/".into(),
        },
    ];
    for page in site.pages.iter().filter(|p| p.menu.is_some()) {
        let path = format!("/{}/", page.slug);
        menu.push(MenuItem {
            label: page.title.clone(),
            url: renderer_urls.link(&path),
            path,
        });
    }
    let globals = SiteGlobals::new(site, &renderer_urls, options.api_base.as_deref());
    // Style sheets and scripts by their fingerprinted URL: assets["css/style.css"].
    let assets: std::collections::BTreeMap<&str, String> = (theme.assets().iter())
        .map(|(name, path)| (name.as_str(), renderer_urls.link(&format!("/{path}"))))
        .collect();
    let assets = serde_json::to_value(&assets).unwrap_or_default();
    theme.set_globals("menu", &menu);
    theme.set_globals("site", &globals);
    theme.set_globals("assets", &assets);
    let key = serde_json::json!({ "menu": menu, "site": globals, "base_url": base_url, "assets": assets })
        .to_string();
    Ok((theme, base_url, key))
}

/// Builds the whole site into `options.out`. On any error the previous output stays as it was.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let mut timer = crate::timing::StageTimer::from_env();
    check_output_folder(options)?;
    let site = load_site(options)?;
    timer.stage("load + validate");
    let (theme, base_url, _) = prepare_theme(&site, options)?;
    timer.stage("theme");
    let renderer = Renderer::new(&site, &theme, &base_url, options.now)?;
    let jobs = renderer.plan();
    check_static_collisions(&site, &renderer, &jobs)?;
    timer.stage("views and cards");
    let sitemap_paths: Vec<String> = jobs
        .iter()
        .filter(|j| Renderer::is_listed_page(j))
        .map(|j| renderer.path_of(j))
        .collect();

    let staging = crate::write::Staging::create(&options.out)?;
    jobs.par_iter().try_for_each(|job| {
        let file = renderer.render(job, &sitemap_paths)?;
        staging.write(&file.path, &file.bytes)
    })?;
    timer.stage("render + write pages");
    (crate::search_index::files_of(&renderer).par_iter())
        .try_for_each(|(path, bytes)| staging.write(path, bytes))?;
    timer.stage("search index");
    let copied = crate::output::site_files(
        &mut &staging,
        &site,
        &theme,
        renderer.urls(),
        &sitemap_paths,
    )?;
    staging.commit()?;
    timer.stage("static files + swap");
    let report = BuildReport {
        pages: jobs
            .iter()
            .filter(|j| Renderer::is_listed_page(j) || **j == Job::NotFound)
            .count(),
        files: jobs.len() + copied,
        members: site.members.len(),
        events: site.events.len(),
    };
    // Freed on another thread: a CLI exits without waiting for it.
    crate::background::drop_later((renderer.into_parts(), site));
    timer.stage("free memory");
    Ok(report)
}

/// Refuses an output folder that holds (or is) the content or the theme: replacing it
/// would delete them.
fn check_output_folder(options: &BuildOptions) -> Result<(), BuildError> {
    let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let out = absolute(&options.out);
    if out.file_name().is_none() || out.parent().is_none() {
        return Err(BuildError::Output {
            path: options.out.clone(),
            message: "must be a named folder, such as `public`".into(),
        });
    }
    let theme_folder = match &options.theme {
        ThemeSource::Folder(dir) => Some(dir),
        ThemeSource::Embedded => None,
    };
    let folders = [("content", Some(&options.content)), ("theme", theme_folder)];
    for (what, folder) in folders.into_iter().filter_map(|(w, f)| Some((w, f?))) {
        let folder = absolute(folder);
        if folder.starts_with(&out) {
            return Err(BuildError::Output {
                path: options.out.clone(),
                message: format!(
                    "holds the {what} folder {}; the build replaces its output folder, so choose another, e.g. `public`",
                    folder.display()
                ),
            });
        }
    }
    Ok(())
}

/// A file in content/static/ must not take the place of a page the portal makes.
pub(crate) fn check_static_collisions(
    site: &Site,
    renderer: &Renderer<'_>,
    jobs: &[Job],
) -> Result<(), BuildError> {
    let generated: std::collections::HashSet<String> = jobs
        .iter()
        .map(|job| crate::urls::file_for(&renderer.path_of(job)))
        .collect();
    let diagnostics: Vec<model::Diagnostic> = site
        .static_files
        .iter()
        .filter(|file| {
            generated.contains(&file.relative)
                || file.relative.starts_with(crate::urls::SEARCH_INDEX_FOLDER)
        })
        .map(|file| {
            model::Diagnostic::for_file(
                &file.source,
                format!("`{}` would replace a page the portal makes", file.relative),
            )
            .with_hint("rename or move the file in content/static/")
        })
        .collect();
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(BuildError::Content(diagnostics))
    }
}

/// Site-wide values for templates.
#[derive(Serialize)]
struct SiteGlobals {
    title: String,
    description: String,
    tagline: Option<String>,
    author: Option<String>,
    base: String,
    home: String,
    api_base: Option<String>,
    about_url: Option<String>,
    join_url: Option<String>,
    feed_url: String,
    feed_absolute: String,
    locale: &'static str,
}

impl SiteGlobals {
    fn new(site: &Site, urls: &crate::urls::Urls, api_base: Option<&str>) -> Self {
        let page_url = |slug: &str| {
            site.pages
                .iter()
                .any(|p| p.slug == slug)
                .then(|| urls.link(&format!("/{slug}/")))
        };
        SiteGlobals {
            title: site.config.title.clone(),
            description: site.config.description.clone(),
            tagline: site.config.tagline.clone(),
            author: site.config.author.clone(),
            base: urls.base_path().to_owned(),
            home: urls.link("/"),
            api_base: api_base
                .map(|a| a.trim_end_matches('/').to_owned())
                .or_else(|| site.config.api_base.clone()),
            about_url: page_url("about"),
            join_url: page_url("join"),
            feed_url: urls.link("/feed.xml"),
            feed_absolute: urls.absolute("/feed.xml"),
            locale: match site.config.language {
                model::Language::Ja => "ja_JP",
                model::Language::En => "en_US",
            },
        }
    }
}
