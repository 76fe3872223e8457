-- Release requests: gated actions in protected environments waiting for approvals. State moves
-- only through conditional updates (`... WHERE state = ?`), so exactly one caller wins each
-- transition, however many processes race for it.
CREATE TABLE IF NOT EXISTS releases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    request_key  TEXT    NOT NULL UNIQUE,
    env          TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    command      TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    changes      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    ticket_url   TEXT,
    requester    TEXT    NOT NULL,
    via_token    TEXT,
    required     INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    result       TEXT,
    break_glass  TEXT
);

CREATE INDEX IF NOT EXISTS releases_state ON releases (state, env);

-- One vote per person per request: the primary key refuses a second one.
CREATE TABLE IF NOT EXISTS release_votes (
    release_id INTEGER NOT NULL REFERENCES releases (id),
    voter      TEXT    NOT NULL,
    approve    INTEGER NOT NULL,
    comment    TEXT,
    at         TEXT    NOT NULL,
    PRIMARY KEY (release_id, voter)
);

-- Each step of a request's life, shown on its page (the audit log has them too).
CREATE TABLE IF NOT EXISTS release_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id INTEGER NOT NULL REFERENCES releases (id),
    at         TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    what       TEXT    NOT NULL,
    detail     TEXT
);

CREATE TRIGGER IF NOT EXISTS release_events_append_only_update
BEFORE UPDATE ON release_events BEGIN SELECT RAISE(ABORT, 'release events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS release_events_append_only_delete
BEFORE DELETE ON release_events BEGIN SELECT RAISE(ABORT, 'release events are append-only'); END;
