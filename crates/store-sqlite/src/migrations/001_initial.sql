-- Reserv schema v1. Timestamps are INTEGER microseconds since the Unix epoch (UTC).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE health (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
);

-- Reference data from the region's directory file (JSON of reserv_core::org::Organisation).
CREATE TABLE organisations (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    parent_id TEXT,
    data      TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Append-only outage timelines (JSON of reserv_core::outage::OutageChange).
CREATE TABLE outage_events (
    id         TEXT PRIMARY KEY,
    outage_id  TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    actor_id   TEXT,
    actor_name TEXT NOT NULL,
    node_id    TEXT NOT NULL,
    change     TEXT NOT NULL,
    UNIQUE (outage_id, seq)
);
CREATE TRIGGER outage_events_no_update BEFORE UPDATE ON outage_events
BEGIN SELECT RAISE(ABORT, 'outage_events is append-only'); END;
CREATE TRIGGER outage_events_no_delete BEFORE DELETE ON outage_events
BEGIN SELECT RAISE(ABORT, 'outage_events is append-only'); END;

-- Append-only audit log; ids are UUIDv7, so id order is time order.
CREATE TABLE audit_log (
    id       TEXT PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor_id TEXT,
    actor    TEXT NOT NULL,
    org_id   TEXT,
    action   TEXT NOT NULL,
    target   TEXT,
    origin   TEXT NOT NULL,
    detail   TEXT NOT NULL,
    node_id  TEXT NOT NULL
);
CREATE INDEX audit_log_action ON audit_log(action, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
