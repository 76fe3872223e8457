-- The PostgreSQL form of migrations/sqlite/20261124000001_releases.sql
-- Release requests: gated actions in protected environments waiting for approvals. State moves
-- only through conditional updates (`... WHERE state = ?`), so exactly one caller wins each
-- transition, however many processes race for it.
CREATE TABLE IF NOT EXISTS releases (
    id           BIGSERIAL PRIMARY KEY,
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
    required     BIGINT NOT NULL,
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
    release_id BIGINT NOT NULL REFERENCES releases (id),
    voter      TEXT    NOT NULL,
    approve    BIGINT NOT NULL,
    comment    TEXT,
    at         TEXT    NOT NULL,
    PRIMARY KEY (release_id, voter)
);

-- Each step of a request's life, shown on its page (the audit log has them too).
CREATE TABLE IF NOT EXISTS release_events (
    id         BIGSERIAL PRIMARY KEY,
    release_id BIGINT NOT NULL REFERENCES releases (id),
    at         TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    what       TEXT    NOT NULL,
    detail     TEXT
);

CREATE OR REPLACE FUNCTION release_events_append_only_update_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'release events are append-only'; END; $$;
DROP TRIGGER IF EXISTS release_events_append_only_update ON release_events;
CREATE TRIGGER release_events_append_only_update BEFORE UPDATE ON release_events FOR EACH ROW EXECUTE FUNCTION release_events_append_only_update_fn();
CREATE OR REPLACE FUNCTION release_events_append_only_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'release events are append-only'; END; $$;
DROP TRIGGER IF EXISTS release_events_append_only_delete ON release_events;
CREATE TRIGGER release_events_append_only_delete BEFORE DELETE ON release_events FOR EACH ROW EXECUTE FUNCTION release_events_append_only_delete_fn();
