-- Reserv schema v9: a handover-log line transcribed from a paper downtime
-- form names who signed the paper (name and title as written), next to the
-- transcriber who is the entry's author. The entry's JSON carries both; the
-- columns let an auditor find every transcribed line without parsing JSON.
-- Rows written before this version have NULL (signed by their author).
ALTER TABLE log_entries ADD COLUMN paper_signer_name TEXT;
ALTER TABLE log_entries ADD COLUMN paper_signer_title TEXT;
CREATE INDEX log_entries_paper_signer ON log_entries(paper_signer_name) WHERE paper_signer_name IS NOT NULL;
