-- Reserv schema v10: SIPs (samordnad individuell plan) as data on an
-- episode. Append-only like the handover log: each row is one version of a
-- SIP (JSON of reserv_core::sip::SipRecord); a correction supersedes the
-- current version. A version is superseded at most once (UNIQUE), the first
-- version of a SIP carries the SIP's own id and no other does, and a
-- correction must be of a version of the same SIP on the same episode.
CREATE TABLE sip_records (
    id          TEXT PRIMARY KEY,
    sip_id      TEXT NOT NULL,
    episode_id  TEXT NOT NULL,
    supersedes  TEXT UNIQUE REFERENCES sip_records(id),
    recorded_at INTEGER NOT NULL,
    record      TEXT NOT NULL,
    CHECK ((supersedes IS NULL) = (sip_id = id))
);
CREATE INDEX sip_records_episode ON sip_records(episode_id, recorded_at);
CREATE TRIGGER sip_records_same_sip BEFORE INSERT ON sip_records
WHEN NEW.supersedes IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM sip_records WHERE id = NEW.supersedes AND sip_id = NEW.sip_id AND episode_id = NEW.episode_id)
BEGIN SELECT RAISE(ABORT, 'sip_records: a correction supersedes a version of the same SIP and episode'); END;
CREATE TRIGGER sip_records_no_update BEFORE UPDATE ON sip_records
BEGIN SELECT RAISE(ABORT, 'sip_records is append-only'); END;
CREATE TRIGGER sip_records_no_delete BEFORE DELETE ON sip_records
BEGIN SELECT RAISE(ABORT, 'sip_records is append-only'); END;
