//! Serverless functions that take what visitors submit on the static portal: member
//! sign-ups, event sign-ups and moderation. Submissions are validated by the same model
//! code the generator uses (no copy of the rules).

pub mod announce;
pub mod catalog;
pub mod config;
pub mod email;
pub mod events;
pub mod form;
pub mod http;
pub mod introductions;
pub mod limits;
pub mod mail;
pub mod message;
pub mod moderation;
pub mod photo;
pub mod private_files;
pub mod profile_edit;
pub mod proof;
pub mod proxy;
pub mod redact;
pub mod runtime;
pub mod services;
pub mod signup;
pub mod store;
pub mod tokens;
pub mod words;
