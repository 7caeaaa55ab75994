-- Reserv schema v4: deviation reports on an outage (append-only).
-- One row per report (JSON of reserv_core::deviation::DeviationReport). A
-- correction is a new row naming the report it supersedes; a report is
-- superseded at most once (SQLite's UNIQUE allows any number of NULLs).
CREATE TABLE deviation_reports (
    id          TEXT PRIMARY KEY,
    outage_id   TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    supersedes  TEXT UNIQUE,
    report      TEXT NOT NULL
);
CREATE INDEX deviation_reports_outage ON deviation_reports(outage_id, occurred_at, id);
CREATE TRIGGER deviation_reports_no_update BEFORE UPDATE ON deviation_reports
BEGIN SELECT RAISE(ABORT, 'deviation_reports is append-only'); END;
CREATE TRIGGER deviation_reports_no_delete BEFORE DELETE ON deviation_reports
BEGIN SELECT RAISE(ABORT, 'deviation_reports is append-only'); END;
