-- The PostgreSQL form of migrations/sqlite/20261122000001_audit_events.sql
-- PostgreSQL. Append-only audit log: who did what, where, when, from where, and the outcome.
CREATE TABLE IF NOT EXISTS audit_events (
    id          BIGSERIAL PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    env         TEXT,
    target      TEXT,
    outcome     TEXT    NOT NULL,
    detail      TEXT,
    ip          TEXT,
    user_agent  TEXT
);

CREATE INDEX IF NOT EXISTS audit_events_at ON audit_events (at);
CREATE INDEX IF NOT EXISTS audit_events_actor ON audit_events (actor, at);

CREATE OR REPLACE FUNCTION audit_events_no_update_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$;
DROP TRIGGER IF EXISTS audit_events_no_update ON audit_events;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_no_update_fn();

CREATE OR REPLACE FUNCTION audit_events_no_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$;
DROP TRIGGER IF EXISTS audit_events_no_delete ON audit_events;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_no_delete_fn();
