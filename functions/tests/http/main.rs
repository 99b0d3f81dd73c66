//! The functions over HTTP (`Router::oneshot` on the real router, the real SQLite store and
//! outbox, a fixed clock): one test binary, one harness (`common`), a module per function.
//! The logs test and the photo bounds have binaries of their own (a global log subscriber, a
//! counting allocator).

#[path = "../common/mod.rs"]
mod common;

mod announce;
mod attendees;
mod edit;
mod events;
mod introductions;
mod limits;
mod members;
mod moderation;
mod photo;
mod proxy;
mod removal;
mod same_work;
mod template_routes;
