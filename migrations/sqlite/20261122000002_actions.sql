-- One row per operator action, keyed by the client's idempotency key: a retried or doubled
-- request finds the first one here and gets its result instead of acting again.
CREATE TABLE IF NOT EXISTS actions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    actor            TEXT    NOT NULL,
    env              TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    target           TEXT    NOT NULL,
    params           TEXT    NOT NULL,
    reason           TEXT,
    state            TEXT    NOT NULL,
    result           TEXT,
    created_at       TEXT    NOT NULL,
    finished_at      TEXT
);

CREATE INDEX IF NOT EXISTS actions_target ON actions (env, target, id);
