-- Reserv schema v5: "Vad gör jag nu?" checklists.
-- The routine roles a person works as (JSON array of reserv_core::routine::RoutineRole
-- keys, e.g. ["nurse","inpatient_care"]); empty: the organisation's default.
ALTER TABLE users ADD COLUMN routine_roles TEXT NOT NULL DEFAULT '[]';
-- One row per tick or untick of a routine step (JSON of
-- reserv_core::checklist::TickEvent), append-only.
CREATE TABLE checklist_ticks (
    id        TEXT PRIMARY KEY,
    outage_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    step_id   TEXT NOT NULL,
    at        INTEGER NOT NULL,
    tick      TEXT NOT NULL
);
CREATE INDEX checklist_ticks_step ON checklist_ticks(outage_id, user_id, step_id, at, id);
CREATE TRIGGER checklist_ticks_no_update BEFORE UPDATE ON checklist_ticks
BEGIN SELECT RAISE(ABORT, 'checklist_ticks is append-only'); END;
CREATE TRIGGER checklist_ticks_no_delete BEFORE DELETE ON checklist_ticks
BEGIN SELECT RAISE(ABORT, 'checklist_ticks is append-only'); END;
