-- Reserv schema v12: the audit log's hash chain (issue 19). Each record from
-- now on carries its position in its node's chain, the previous record's hash
-- and its own (reserv_store::chain): a row deleted, changed or put in between
-- is found by `reserv audit verify`, whatever was done to the triggers.
-- Records written before this version stay unchained (NULL) and are counted
-- as such. One record per position and node.
ALTER TABLE audit_log ADD COLUMN chain_seq INTEGER;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_chain ON audit_log(node_id, chain_seq) WHERE chain_seq IS NOT NULL;
