//! What every function shares, built once from the environment (`runtime.rs`) or by a
//! test: the store, the mailer and its queue, the settings, the clock, the signer and the
//! catalog of published content. Nothing here knows HTTP or a form.

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::config::{Clock, Config};
use crate::mail::{Mailer, QueueingMailer};
use crate::store::Store;
use crate::tokens::Signer;

/// Everything the functions share: storage, mail, settings, the clock and the catalog.
pub struct Services {
    pub store: Arc<dyn Store>,
    /// Every mail goes through the queue: one that fails is kept and sent again.
    pub mailer: Arc<dyn Mailer>,
    pub mail_queue: Arc<QueueingMailer>,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    /// Replaced when the content changes under `portal serve`.
    catalog: std::sync::RwLock<Arc<Catalog>>,
    pub signer: Signer,
}

impl Services {
    pub fn new(
        store: Arc<dyn Store>,
        mailer: Arc<dyn Mailer>,
        config: Config,
        clock: Arc<dyn Clock>,
        catalog: Catalog,
    ) -> Services {
        let signer = Signer::new(&config.secret);
        let mail_queue = Arc::new(QueueingMailer::new(
            mailer,
            Arc::clone(&store),
            Arc::clone(&clock),
        ));
        Services {
            store,
            mailer: Arc::clone(&mail_queue) as Arc<dyn Mailer>,
            mail_queue,
            config,
            clock,
            catalog: std::sync::RwLock::new(Arc::new(catalog)),
            signer,
        }
    }

    /// The site the functions' pages belong to: its address and its name (`site.yaml`).
    pub fn site(&self) -> Site {
        Site {
            url: self.config.site_url.clone(),
            name: self.catalog().site_title.clone(),
        }
    }

    /// What the functions know of the published content.
    pub fn catalog(&self) -> Arc<Catalog> {
        match self.catalog.read() {
            Ok(catalog) => Arc::clone(&catalog),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Takes a newer catalog (the content was edited while the functions run).
    pub fn replace_catalog(&self, catalog: Catalog) {
        let mut current = match self.catalog.write() {
            Ok(current) => current,
            Err(poisoned) => poisoned.into_inner(),
        };
        *current = Arc::new(catalog);
    }
}

/// The site a page belongs to: its address and its name (`site.yaml`'s title, read with the
/// content), so no page of the functions names the portal in code.
pub struct Site {
    pub url: String,
    pub name: String,
}
