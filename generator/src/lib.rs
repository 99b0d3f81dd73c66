//! The portal's static site generator: load -> validate -> render -> write.

pub mod background;
pub mod build;
pub mod check;
pub mod corpus;
pub mod dates;
pub mod editor_token;
pub mod error;
pub mod export;
pub mod git;
pub mod live;
pub mod load;
pub mod markdown;
pub mod new;
pub mod output;
pub mod render;
pub mod report;
pub mod search_index;
pub mod search_tokens;
pub mod theme;
pub mod timing;
pub mod urls;
pub mod validate;
pub mod write;

pub use build::{BuildOptions, BuildReport, build, load_site};
pub use error::BuildError;
pub use theme::ThemeSource;
