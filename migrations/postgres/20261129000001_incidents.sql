-- The PostgreSQL form of migrations/sqlite/20261129000001_incidents.sql
-- Incidents: alarms entering ALARM grouped by environment and app, their alarms, a timeline of
-- what happened around them, the alarm states and deployments the poller last saw, on-call
-- overrides, and the lease that lets one console process run the background jobs.

-- The state each alarm was last recorded in, so a restart neither loses nor doubles a transition.
CREATE TABLE IF NOT EXISTS alarm_states (
    env    TEXT NOT NULL,
    alarm  TEXT NOT NULL,
    state  TEXT NOT NULL,
    since  TEXT NOT NULL,
    PRIMARY KEY (env, alarm)
);

CREATE TABLE IF NOT EXISTS incidents (
    id               BIGSERIAL PRIMARY KEY,
    env              TEXT    NOT NULL,
    group_key        TEXT    NOT NULL,
    app              TEXT,
    title            TEXT    NOT NULL,
    severity         TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    opened_at        TEXT    NOT NULL,
    last_fired_at    TEXT    NOT NULL,
    resolved_at      TEXT,
    resolved_by      TEXT,
    acknowledged_by  TEXT,
    acknowledged_at  TEXT,
    assignee         TEXT,
    escalated_at     TEXT,
    reopened         BIGINT NOT NULL DEFAULT 0,
    updated_at       TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS incidents_group ON incidents (env, group_key, state);
CREATE INDEX IF NOT EXISTS incidents_state ON incidents (state, env);

CREATE TABLE IF NOT EXISTS incident_alarms (
    incident_id  BIGINT NOT NULL REFERENCES incidents (id),
    alarm        TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    since        TEXT    NOT NULL,
    PRIMARY KEY (incident_id, alarm)
);

-- Alarm transitions, observed deployments, RDS events, notes and incident lifecycle. Entries
-- with a dedupe key are recorded once however often they are seen.
CREATE TABLE IF NOT EXISTS timeline_entries (
    id           BIGSERIAL PRIMARY KEY,
    env          TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    app          TEXT,
    subject      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    actor        TEXT,
    incident_id  BIGINT REFERENCES incidents (id),
    dedupe       TEXT    UNIQUE
);

CREATE INDEX IF NOT EXISTS timeline_env_at ON timeline_entries (env, at);
CREATE INDEX IF NOT EXISTS timeline_incident ON timeline_entries (incident_id);

CREATE OR REPLACE FUNCTION timeline_append_only_update_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'timeline entries are append-only'; END; $$;
DROP TRIGGER IF EXISTS timeline_append_only_update ON timeline_entries;
CREATE TRIGGER timeline_append_only_update BEFORE UPDATE ON timeline_entries FOR EACH ROW EXECUTE FUNCTION timeline_append_only_update_fn();
CREATE OR REPLACE FUNCTION timeline_append_only_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'timeline entries are append-only'; END; $$;
DROP TRIGGER IF EXISTS timeline_append_only_delete ON timeline_entries;
CREATE TRIGGER timeline_append_only_delete BEFORE DELETE ON timeline_entries FOR EACH ROW EXECUTE FUNCTION timeline_append_only_delete_fn();

-- The deployment each service ran when the poller last looked: `<task definition>#<PRIMARY
-- deployment id>` (or the task definition alone where ECS reports no matching deployment).
CREATE TABLE IF NOT EXISTS observed_deployments (
    env      TEXT NOT NULL,
    service  TEXT NOT NULL,
    marker   TEXT NOT NULL,
    seen_at  TEXT NOT NULL,
    PRIMARY KEY (env, service)
);

CREATE TABLE IF NOT EXISTS oncall_overrides (
    id          BIGSERIAL PRIMARY KEY,
    rotation    TEXT    NOT NULL,
    who         TEXT    NOT NULL,
    starts_at   TEXT    NOT NULL,
    ends_at     TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    reason      TEXT,
    created_at  TEXT    NOT NULL,
    removed_at  TEXT
);

-- Who runs the background jobs: the holder renews before `expires_at` (Unix milliseconds);
-- another process takes over once it has passed.
CREATE TABLE IF NOT EXISTS leases (
    name        TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,
    expires_at  BIGINT NOT NULL
);
