-- Reserv schema v6: the notification outbox (reserv_core::outbox).
-- One row per planned message and recipient (JSON of OutboxMessage). The
-- message itself never changes; `status`, `next_at` and `next_seq` are a
-- cache of the fold of its delivery timeline, rewritten in the same
-- transaction as each timeline entry, so the scheduler finds what is due
-- with one indexed query. (outage_id, msg_key, recipient_key) is unique:
-- enqueueing the same plan again adds nothing.
CREATE TABLE outbox_messages (
    id            TEXT PRIMARY KEY,
    outage_id     TEXT NOT NULL,
    msg_key       TEXT NOT NULL,
    recipient_key TEXT NOT NULL,
    due_at        INTEGER NOT NULL,
    message       TEXT NOT NULL,
    status        TEXT NOT NULL,
    next_at       INTEGER,
    next_seq      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (outage_id, msg_key, recipient_key)
);
CREATE INDEX outbox_messages_outage ON outbox_messages(outage_id, due_at, msg_key);
CREATE INDEX outbox_messages_next ON outbox_messages(next_at) WHERE next_at IS NOT NULL;
CREATE TRIGGER outbox_messages_fixed BEFORE UPDATE OF id, outage_id, msg_key, recipient_key, due_at, message
ON outbox_messages
BEGIN SELECT RAISE(ABORT, 'an outbox message is never changed; its delivery timeline is'); END;
CREATE TRIGGER outbox_messages_no_delete BEFORE DELETE ON outbox_messages
BEGIN SELECT RAISE(ABORT, 'outbox_messages are kept'); END;
-- Each message's delivery timeline (JSON of DeliveryEvent), append-only.
-- (message_id, seq) is unique: a claim is a compare-and-set on the position.
CREATE TABLE outbox_events (
    id         TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES outbox_messages(id),
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    event      TEXT NOT NULL,
    UNIQUE (message_id, seq)
);
CREATE TRIGGER outbox_events_no_update BEFORE UPDATE ON outbox_events
BEGIN SELECT RAISE(ABORT, 'outbox_events is append-only'); END;
CREATE TRIGGER outbox_events_no_delete BEFORE DELETE ON outbox_events
BEGIN SELECT RAISE(ABORT, 'outbox_events is append-only'); END;
-- Acknowledgement links: only a hash of each link's secret, with when it was sent.
CREATE TABLE outbox_ack_tokens (
    token_hash TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES outbox_messages(id),
    issued_at  INTEGER NOT NULL
);
