//! The portal's content contract (docs/content.md) as types: parsing, validation and
//! diagnostics. It knows nothing about rendering: the generator and the functions share it.

pub mod diagnostic;
pub mod document;
pub mod event;
pub mod event_form;
pub mod fields;
pub mod join_form;
pub mod kana;
pub mod locate;
pub mod member;
pub mod member_file;
pub mod page;
pub mod post;
pub mod prefecture;
pub mod profile;
pub mod sector;
pub mod site_config;
pub mod slug;
pub mod text;
pub mod time;
pub mod web_address;

pub use diagnostic::{Diagnostic, PROBLEM_KEYS, Severity, sort_diagnostics};
pub use document::Document;
pub use event::{Event, Venue};
pub use fields::{Choice, Located};
pub use kana::{GojuonRow, ReadingKey};
pub use member::{Introductions, Link, Member};
pub use page::Page;
pub use post::Post;
pub use prefecture::{Prefecture, Region};
pub use sector::Sector;
pub use site_config::{Language, SiteConfig};
