-- Reserv schema v11: which patients each read returned (issue 19). One row
-- per episode a read returned, written in the same transaction as the read's
-- audit record, so "who has read patient X" and "what has user Y read" are
-- indexed queries. Append-only like the audit log it belongs to.
CREATE TABLE audit_patients (
    audit_id   TEXT NOT NULL REFERENCES audit_log(id),
    episode_id TEXT NOT NULL,
    patient    TEXT NOT NULL,
    PRIMARY KEY (audit_id, episode_id)
) WITHOUT ROWID;
CREATE INDEX audit_patients_episode ON audit_patients(episode_id, audit_id);
CREATE INDEX audit_patients_patient ON audit_patients(patient, audit_id);
CREATE INDEX audit_log_actor ON audit_log(actor, id);
CREATE INDEX audit_log_target ON audit_log(target, id);
CREATE TRIGGER audit_patients_no_update BEFORE UPDATE ON audit_patients
BEGIN SELECT RAISE(ABORT, 'audit_patients is append-only'); END;
CREATE TRIGGER audit_patients_no_delete BEFORE DELETE ON audit_patients
BEGIN SELECT RAISE(ABORT, 'audit_patients is append-only'); END;
