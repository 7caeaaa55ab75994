-- Reserv schema v8: every "at most once" rule in the schema, so that it holds
-- for any number of processes sharing the file (and any backend that copies
-- the schema), and the indexes and projections that find outages and
-- episodes by time or organisation without folding every timeline.
--
-- Existing rows are carried over; the append-only triggers are dropped only
-- for the one-off fill of the new columns below and recreated unchanged.

-- Rows an older Reserv wrote that break a rule added here. They are kept
-- (clinical facts are never deleted) and listed here instead, so that an
-- operator can see them; the new constraints apply to every later write.
CREATE TABLE legacy_exceptions (
    table_name TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    rule       TEXT NOT NULL,
    PRIMARY KEY (table_name, row_id)
);
CREATE TRIGGER legacy_exceptions_no_update BEFORE UPDATE ON legacy_exceptions
BEGIN SELECT RAISE(ABORT, 'legacy_exceptions is append-only'); END;
CREATE TRIGGER legacy_exceptions_no_delete BEFORE DELETE ON legacy_exceptions
BEGIN SELECT RAISE(ABORT, 'legacy_exceptions is append-only'); END;

-- 1. A log entry is corrected at most once: UNIQUE (supersedes), as for
--    deviation reports (v4). SQLite's UNIQUE allows any number of NULLs.
DROP TRIGGER log_entries_no_update;
ALTER TABLE log_entries ADD COLUMN supersedes TEXT;
UPDATE log_entries SET supersedes = json_extract(entry, '$.supersedes');
-- Only two processes racing could have corrected one entry twice before v8:
-- the earliest correction (UUIDv7: id order is time order) keeps the link,
-- later ones keep their JSON (and stay visible) but are listed as exceptions.
INSERT INTO legacy_exceptions (table_name, row_id, rule)
SELECT 'log_entries', l.id, 'second correction of ' || l.supersedes
FROM log_entries l
WHERE l.supersedes IS NOT NULL
  AND EXISTS (SELECT 1 FROM log_entries o WHERE o.supersedes = l.supersedes AND o.id < l.id);
UPDATE log_entries SET supersedes = NULL
WHERE id IN (SELECT row_id FROM legacy_exceptions WHERE table_name = 'log_entries');
CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;
CREATE UNIQUE INDEX log_entries_supersedes ON log_entries(supersedes);

-- 2. Work on one back-entry item is a chain: each change names the change it
--    follows (`after_id`, NULL for the item's first). An item has one first
--    change and a change at most one successor, so two writers that saw the
--    same state cannot both append. Existing rows are chained in the order
--    the store has always used (time, then id), which cannot break the rule.
DROP TRIGGER worklist_events_no_update;
ALTER TABLE worklist_events ADD COLUMN after_id TEXT;
UPDATE worklist_events SET after_id = p.prev
FROM (SELECT id, lag(id) OVER (PARTITION BY outage_id, item_key ORDER BY at, id) AS prev FROM worklist_events) AS p
WHERE p.id = worklist_events.id;
CREATE TRIGGER worklist_events_no_update BEFORE UPDATE ON worklist_events
BEGIN SELECT RAISE(ABORT, 'worklist_events is append-only'); END;
CREATE UNIQUE INDEX worklist_events_first ON worklist_events(outage_id, item_key) WHERE after_id IS NULL;
CREATE UNIQUE INDEX worklist_events_after ON worklist_events(after_id);

-- 3. Checklist ticks likewise, per (outage, person, step).
DROP TRIGGER checklist_ticks_no_update;
ALTER TABLE checklist_ticks ADD COLUMN after_id TEXT;
UPDATE checklist_ticks SET after_id = p.prev
FROM (SELECT id, lag(id) OVER (PARTITION BY outage_id, user_id, step_id ORDER BY at, id) AS prev
      FROM checklist_ticks) AS p
WHERE p.id = checklist_ticks.id;
CREATE TRIGGER checklist_ticks_no_update BEFORE UPDATE ON checklist_ticks
BEGIN SELECT RAISE(ABORT, 'checklist_ticks is append-only'); END;
CREATE UNIQUE INDEX checklist_ticks_first ON checklist_ticks(outage_id, user_id, step_id) WHERE after_id IS NULL;
CREATE UNIQUE INDEX checklist_ticks_after ON checklist_ticks(after_id);

-- 4. Where each outage stands in time (reserv_store::OutageSpan): a
--    projection of the fold of its timeline, rewritten in the same
--    transaction as each timeline entry (like the outbox's status columns).
--    Filled for existing outages in Rust when this migration runs (the fold
--    is the core's), see outages::backfill_spans.
CREATE TABLE outage_spans (
    outage_id TEXT PRIMARY KEY,
    system    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    drill     INTEGER NOT NULL,
    start_at  INTEGER NOT NULL,
    end_at    INTEGER,
    seq       INTEGER NOT NULL
);
CREATE INDEX outage_spans_open ON outage_spans(start_at) WHERE end_at IS NULL;
CREATE INDEX outage_spans_ended ON outage_spans(end_at) WHERE end_at IS NOT NULL;

-- 5. Which outages each log entry was tagged with (copied from its JSON), so
--    an outage's episodes are found without reading every log.
CREATE TABLE log_entry_outages (
    outage_id  TEXT NOT NULL,
    episode_id TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    PRIMARY KEY (outage_id, episode_id, entry_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO log_entry_outages (outage_id, episode_id, entry_id)
SELECT j.value, l.episode_id, l.id FROM log_entries l, json_each(l.entry, '$.outages') AS j;
CREATE TRIGGER log_entry_outages_no_update BEFORE UPDATE ON log_entry_outages
BEGIN SELECT RAISE(ABORT, 'log_entry_outages is append-only'); END;
CREATE TRIGGER log_entry_outages_no_delete BEFORE DELETE ON log_entry_outages
BEGIN SELECT RAISE(ABORT, 'log_entry_outages is append-only'); END;

-- 6. The organisations an episode's registration names (copied from its
--    JSON), so a unit's episodes are found without folding every episode.
--    The chain-of-care rule itself stays in the core.
CREATE TABLE episode_orgs (
    org_id     TEXT NOT NULL,
    episode_id TEXT NOT NULL,
    PRIMARY KEY (org_id, episode_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO episode_orgs (org_id, episode_id)
SELECT o.value, e.episode_id
FROM episode_events e,
     json_each(json_array(json_extract(e.change, '$.ward'), json_extract(e.change, '$.municipality'),
                          json_extract(e.change, '$.primary_care'),
                          json_extract(e.change, '$.outpatient_psychiatry'))) AS o
WHERE e.seq = 0 AND json_extract(e.change, '$.type') = 'registered' AND o.value IS NOT NULL;
CREATE TRIGGER episode_orgs_no_update BEFORE UPDATE ON episode_orgs
BEGIN SELECT RAISE(ABORT, 'episode_orgs is append-only'); END;
CREATE TRIGGER episode_orgs_no_delete BEFORE DELETE ON episode_orgs
BEGIN SELECT RAISE(ABORT, 'episode_orgs is append-only'); END;
-- Episodes by registration time (the first timeline entry).
CREATE INDEX episode_events_registered ON episode_events(at) WHERE seq = 0;
