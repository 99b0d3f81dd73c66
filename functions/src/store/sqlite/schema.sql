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
    -- The attendee list's entry as JSON (store::Listing), NULL if not listed.
    listing TEXT,
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
    expires_at INTEGER NOT NULL,
    listing TEXT
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
-- Introduction requests between members (store/introduction.rs): slugs and the note, never
-- an address. Times are nanoseconds since 1970 (compared in SQL); `delete_at` is when the
-- row is deleted for real (any later write about introductions deletes what is due).
CREATE TABLE IF NOT EXISTS introductions (
    id TEXT PRIMARY KEY,
    requester TEXT NOT NULL,
    requester_key TEXT NOT NULL,
    recipient TEXT NOT NULL,
    note TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    hold_until INTEGER NOT NULL,
    sent_at INTEGER,
    open_until INTEGER,
    answered_at INTEGER,
    ended_at INTEGER,
    blocked INTEGER NOT NULL,
    report TEXT,
    reported_at INTEGER,
    delete_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS introductions_by_requester ON introductions (requester_key, state);
CREATE INDEX IF NOT EXISTS introductions_by_recipient ON introductions (recipient);
CREATE INDEX IF NOT EXISTS introductions_due ON introductions (state, open_until);
-- A recipient's block of a requester: permanent until the recipient lifts it.
CREATE TABLE IF NOT EXISTS introduction_blocks (
    recipient TEXT NOT NULL,
    requester TEXT NOT NULL,
    -- The blocked requester's mailbox (a keyed hash): their other profiles are blocked too.
    requester_key TEXT NOT NULL,
    PRIMARY KEY (recipient, requester)
);
CREATE INDEX IF NOT EXISTS introduction_blocks_by_requester ON introduction_blocks (requester);
-- Members the editors stopped from sending requests.
CREATE TABLE IF NOT EXISTS introduction_suspensions (
    slug TEXT PRIMARY KEY,
    suspended_at INTEGER NOT NULL
);
