-- Every history table is append-only: the audit log, a release request's history, the incident
-- timeline (guarded since they were created) and now the votes on release requests too. A vote
-- is cast once and stays as cast; nothing the console does changes or removes one. SQLite has no
-- TRUNCATE: `DELETE FROM` without a condition fires the row triggers like any delete.
CREATE TRIGGER IF NOT EXISTS release_votes_append_only_update
BEFORE UPDATE ON release_votes BEGIN SELECT RAISE(ABORT, 'release votes are append-only'); END;
CREATE TRIGGER IF NOT EXISTS release_votes_append_only_delete
BEFORE DELETE ON release_votes BEGIN SELECT RAISE(ABORT, 'release votes are append-only'); END;
