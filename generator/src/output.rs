//! Where a build's files go, `portal build`'s staging folder or the map of files `portal
//! serve` keeps, and the files both make besides the pages (sitemap, theme assets, the
//! content's static files), assembled here once for both.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::BuildError;
use crate::render::feeds;
use crate::theme::Theme;
use crate::urls::Urls;
use crate::validate::Site;
use crate::write::Staging;

/// One output of the site.
#[derive(Debug, Clone)]
pub enum Output {
    /// A page or asset the build makes.
    Bytes(Arc<[u8]>),
    /// A file of `content/static/`, which the build copies as it is.
    File(PathBuf),
}

impl Output {
    /// The bytes a build would write for this output.
    pub fn read(&self) -> std::io::Result<Arc<[u8]>> {
        match self {
            Output::Bytes(bytes) => Ok(Arc::clone(bytes)),
            Output::File(path) => std::fs::read(path).map(Arc::from),
        }
    }
}

/// Every output by its path inside the output folder (forward slashes, as `portal build`
/// writes it: `members/sato/index.html`).
/// Paths are shared strings, so that copying the map for a small update copies no text.
pub type Files = BTreeMap<Arc<str>, Output>;

/// Somewhere a build puts its files, by their path inside the output folder.
pub trait Sink {
    /// A file the build makes.
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), BuildError>;
    /// A file of `content/static/`, which goes out as it is.
    fn copy(&mut self, source: &Path, relative: &str) -> Result<(), BuildError>;
}

impl Sink for &Staging {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), BuildError> {
        self.write(path, bytes)
    }

    fn copy(&mut self, source: &Path, relative: &str) -> Result<(), BuildError> {
        Staging::copy(self, source, relative)
    }
}

impl Sink for Files {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), BuildError> {
        self.insert(Arc::from(path), Output::Bytes(Arc::from(bytes)));
        Ok(())
    }

    fn copy(&mut self, source: &Path, relative: &str) -> Result<(), BuildError> {
        self.insert(Arc::from(relative), Output::File(source.to_owned()));
        Ok(())
    }
}

/// Puts what the site has besides its pages and search index: the sitemap of
/// `sitemap_paths`, the theme's assets and `content/static/`. Returns how many assets and static files it put (the sitemap is
/// counted with the pages).
pub fn site_files(
    sink: &mut impl Sink,
    site: &Site,
    theme: &Theme,
    urls: &Urls,
    sitemap_paths: &[String],
) -> Result<usize, BuildError> {
    let sitemap = feeds::sitemap_parts(urls, sitemap_paths);
    let count = theme.static_files.len() + site.static_files.len();
    for (name, text) in sitemap {
        sink.put(&name, text.as_bytes())?;
    }
    for asset in &theme.static_files {
        sink.put(&asset.relative, &asset.bytes)?;
    }
    for file in &site.static_files {
        sink.copy(&file.source, &file.relative)?;
    }
    Ok(count)
}
