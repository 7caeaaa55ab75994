-- Reserv schema v7: e-mail subscriptions to the public status
-- (reserv_core::subscription). Each subscription is an append-only timeline
-- (JSON of SubscriptionEvent: requested, confirmed, unsubscribed); the
-- address is copied on each row so that the rate limit per address is one
-- indexed query. Links in the mails are outbox acknowledgement tokens
-- (outbox_ack_tokens, hashed): no secret is stored here.
CREATE TABLE subscription_events (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    email           TEXT NOT NULL,
    event           TEXT NOT NULL,
    UNIQUE (subscription_id, seq)
);
CREATE INDEX subscription_events_email ON subscription_events(email, at);
CREATE TRIGGER subscription_events_no_update BEFORE UPDATE ON subscription_events
BEGIN SELECT RAISE(ABORT, 'subscription_events is append-only'); END;
CREATE TRIGGER subscription_events_no_delete BEFORE DELETE ON subscription_events
BEGIN SELECT RAISE(ABORT, 'subscription_events is append-only'); END;
