//! Serverless functions that take what visitors submit on the static portal.
//!
//! This crate starts with the rule every function shares: a submission is validated by the
//! same model code the generator uses (no copy of the rules), and its errors are reported
//! per form field. The HTTP handlers, stores and mailers come with issue #3.

pub mod profile;
