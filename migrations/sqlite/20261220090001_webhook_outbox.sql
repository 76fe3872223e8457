-- The webhook outbox: one row per notice and webhook, written when the notice is made and
-- delivered by the process holding the jobs lease. The webhook is named, never its URL (URLs
-- are secrets and stay in the configuration). A row is `pending` until the webhook answers 2xx
-- (`delivered`, never sent again) or its retry time runs out (`given_up`). `attempts` counts
-- attempts started; an attempt claims its row (`claimed_until`) with a conditional update, so
-- two processes never send the same row at once, and a process that dies mid-attempt leaves a
-- claim that runs out. Times are RFC 3339 UTC with milliseconds, in text order.
CREATE TABLE IF NOT EXISTS webhook_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook          TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT    NOT NULL,
    next_attempt_at  TEXT    NOT NULL,
    claimed_until    TEXT,
    last_error       TEXT,
    last_failed_at   TEXT,
    delivered_at     TEXT
);
CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (webhook, state, next_attempt_at);
CREATE INDEX IF NOT EXISTS webhook_outbox_delivered ON webhook_outbox (state, delivered_at);
