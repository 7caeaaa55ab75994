-- Reserv schema v3: work on back-entry worklists (append-only).
-- One row per change to a work item (JSON of reserv_core::worklist::WorkEvent).
CREATE TABLE worklist_events (
    id        TEXT PRIMARY KEY,
    outage_id TEXT NOT NULL,
    item_key  TEXT NOT NULL,
    at        INTEGER NOT NULL,
    event     TEXT NOT NULL
);
CREATE INDEX worklist_events_item ON worklist_events(outage_id, item_key, at, id);
CREATE TRIGGER worklist_events_no_update BEFORE UPDATE ON worklist_events
BEGIN SELECT RAISE(ABORT, 'worklist_events is append-only'); END;
CREATE TRIGGER worklist_events_no_delete BEFORE DELETE ON worklist_events
BEGIN SELECT RAISE(ABORT, 'worklist_events is append-only'); END;
