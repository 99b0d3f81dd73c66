//! End-to-end tests across crates, one test binary: whole sites built from fixtures and read
//! as a browser, a feed reader and a calendar would; the export against the real moderation
//! API; `portal serve` over HTTP. A module per concern.

mod build_rules;
mod docs;
mod editor_token;
mod export;
mod export_roundtrip;
mod invalid_content;
mod live;
mod sample_site;
mod search_index;
mod search_tokens;
mod serve;
mod theme;
