-- The PostgreSQL form of migrations/sqlite/20261222174608_followed_rollouts.sql
-- The rollouts the console follows after each change to a service that succeeded (deploy,
-- rollback, redeploy, promotion, scale), until ECS ends them. A row is written with its action's
-- outcome, in the same transaction, and read by the rollout follower (the process holding the
-- jobs lease) until it ends: `state` moves once from `following` to `completed`, `rolled_back`,
-- `failed`, `replaced` or `stuck`, conditionally, with its audit row. `action_key` is the
-- action's stored (scoped) idempotency key; `expected` (what the action set), `seen` (the
-- action's deployment once seen) and `outcome` are JSON. Times are RFC 3339 UTC with
-- milliseconds, in text order.
CREATE TABLE IF NOT EXISTS followed_rollouts (
    id          BIGSERIAL PRIMARY KEY,
    action_key  TEXT    NOT NULL UNIQUE,
    env         TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    cluster     TEXT    NOT NULL,
    service     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    release_id  BIGINT,
    expected    TEXT    NOT NULL,
    since       TEXT    NOT NULL,
    seen        TEXT,
    state       TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    checked_at  TEXT,
    ended_at    TEXT
);
CREATE INDEX IF NOT EXISTS followed_rollouts_state ON followed_rollouts (state, checked_at);
CREATE INDEX IF NOT EXISTS followed_rollouts_target ON followed_rollouts (env, target, id);
CREATE INDEX IF NOT EXISTS followed_rollouts_release ON followed_rollouts (release_id);
