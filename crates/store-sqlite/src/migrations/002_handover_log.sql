-- Reserv schema v2: care episodes and the handover log (append-only).
CREATE TABLE episode_events (
    id         TEXT PRIMARY KEY,
    episode_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    actor_id   TEXT,
    actor_name TEXT NOT NULL,
    node_id    TEXT NOT NULL,
    change     TEXT NOT NULL,
    UNIQUE (episode_id, seq)
);
CREATE TRIGGER episode_events_no_update BEFORE UPDATE ON episode_events
BEGIN SELECT RAISE(ABORT, 'episode_events is append-only'); END;
CREATE TRIGGER episode_events_no_delete BEFORE DELETE ON episode_events
BEGIN SELECT RAISE(ABORT, 'episode_events is append-only'); END;

-- One row per logged call (JSON of reserv_core::episode::LogEntry).
CREATE TABLE log_entries (
    id         TEXT PRIMARY KEY,
    episode_id TEXT NOT NULL,
    at         INTEGER NOT NULL,
    entry      TEXT NOT NULL
);
CREATE INDEX log_entries_episode ON log_entries(episode_id, at);
CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;
