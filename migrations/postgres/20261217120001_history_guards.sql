-- The PostgreSQL form of migrations/sqlite/20261217120001_history_guards.sql
-- Every history table is append-only: the audit log, a release request's history, the incident
-- timeline and the votes on release requests. Row triggers refuse UPDATE and DELETE; TRUNCATE
-- fires no row trigger, so a statement trigger refuses it on each of them (also when it arrives
-- through `TRUNCATE … CASCADE` from a table they refer to). Triggers stop the console's own role
-- and anyone else without the table's ownership; the owner could drop them, which is why the
-- console serves as a role that owns nothing (README: "Database roles").
CREATE OR REPLACE FUNCTION release_votes_append_only_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'release votes are append-only'; END; $$;
DROP TRIGGER IF EXISTS release_votes_append_only_update ON release_votes;
CREATE TRIGGER release_votes_append_only_update BEFORE UPDATE ON release_votes FOR EACH ROW EXECUTE FUNCTION release_votes_append_only_fn();
DROP TRIGGER IF EXISTS release_votes_append_only_delete ON release_votes;
CREATE TRIGGER release_votes_append_only_delete BEFORE DELETE ON release_votes FOR EACH ROW EXECUTE FUNCTION release_votes_append_only_fn();

CREATE OR REPLACE FUNCTION history_no_truncate_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only: it cannot be truncated', TG_TABLE_NAME; END; $$;
DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION history_no_truncate_fn();
DROP TRIGGER IF EXISTS release_events_no_truncate ON release_events;
CREATE TRIGGER release_events_no_truncate BEFORE TRUNCATE ON release_events FOR EACH STATEMENT EXECUTE FUNCTION history_no_truncate_fn();
DROP TRIGGER IF EXISTS release_votes_no_truncate ON release_votes;
CREATE TRIGGER release_votes_no_truncate BEFORE TRUNCATE ON release_votes FOR EACH STATEMENT EXECUTE FUNCTION history_no_truncate_fn();
DROP TRIGGER IF EXISTS timeline_no_truncate ON timeline_entries;
CREATE TRIGGER timeline_no_truncate BEFORE TRUNCATE ON timeline_entries FOR EACH STATEMENT EXECUTE FUNCTION history_no_truncate_fn();
