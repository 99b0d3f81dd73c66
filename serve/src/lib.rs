//! `portal serve`: the portal kept in memory and the functions, on one local origin; an edit
//! of the content or the theme rebuilds what it touches and reloads open tabs.

pub mod http;
pub mod outbox;
pub mod problem;
pub mod shared;
pub mod start;
pub mod watch;
