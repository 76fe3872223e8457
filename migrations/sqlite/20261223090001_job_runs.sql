-- The runs the console has seen of each scheduled job, kept across restarts: ECS forgets a
-- stopped task after about an hour, so without them a restart would lose "did last night's job
-- run". One row per job (`job_key` is `rule/<name>` or `schedule/<group>/<name>`) holding its
-- runs as JSON, newest first, at most 30; written by the process that reads AWS, after each
-- details cycle that changed them. `job_watch` says since when the console has watched an
-- environment's jobs and when it last read them: a restart carries the watch over only after a
-- gap shorter than ECS keeps stopped tasks. Times are RFC 3339 UTC with milliseconds.
CREATE TABLE IF NOT EXISTS job_runs (
    env         TEXT NOT NULL,
    job_key     TEXT NOT NULL,
    runs        TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (env, job_key)
);
CREATE TABLE IF NOT EXISTS job_watch (
    env            TEXT PRIMARY KEY,
    watched_since  TEXT NOT NULL,
    read_at        TEXT NOT NULL
);
