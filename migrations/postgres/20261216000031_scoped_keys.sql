-- The PostgreSQL form of migrations/sqlite/20261216000031_scoped_keys.sql
-- Request keys belong to their caller and environment: the key columns hold
-- `<env>/<key>/<caller>` (app::domain::actions::IdempotencyKey::scoped), so a key another caller
-- used, or the same caller in another environment, is a different key. Rows already recorded
-- move into their own caller's and environment's scope, so a retry still finds them.
UPDATE actions SET idempotency_key = env || '/' || idempotency_key || '/' || actor;
UPDATE releases SET request_key = env || '/' || request_key || '/' || requester;

-- A promotion group belongs to the person who opened it, in its environment, and is closed when
-- that promotion ends: nobody adds a request to it afterwards, and nobody else ever does.
CREATE TABLE IF NOT EXISTS release_groups (
    group_key   TEXT PRIMARY KEY,
    env         TEXT NOT NULL,
    creator     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    closed_at   TEXT
);

-- Groups recorded before: their first request's requester and environment, closed.
INSERT INTO release_groups (group_key, env, creator, created_at, closed_at)
SELECT r.group_key, r.env, r.requester, r.created_at, r.created_at
FROM releases r
WHERE r.group_key IS NOT NULL
  AND r.id = (SELECT MIN(f.id) FROM releases f WHERE f.group_key = r.group_key);
