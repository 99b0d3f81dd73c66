-- The local store (SQLite): the same items the DynamoDB table holds (see dynamo/keys.rs), as
-- tables. Created if missing; older stores are brought up to date by `migrate` in sqlite/mod.rs.
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    slug TEXT NOT NULL,
    fields TEXT NOT NULL,
    email TEXT NOT NULL,
    ip_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    confirmed_at TEXT,
    expires_at INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT,
    photo BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS open_profile_slugs
    ON submissions (slug) WHERE kind = 'profile' AND status IN ('pending', 'approved');
CREATE INDEX IF NOT EXISTS submissions_by_status ON submissions (status, created_at);
CREATE TABLE IF NOT EXISTS signups (
    event TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    message TEXT,
    state TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (event, email)
);
-- The last place in line given out per event: never reused, even after cancellations
-- (a cancellation link names its sign-up by its place).
CREATE TABLE IF NOT EXISTS event_sequences (
    event TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS held_signups (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    message TEXT,
    at TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_queue (
    id TEXT PRIMARY KEY,
    queued_at INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rate_limits (
    key TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
