-- The PostgreSQL form of migrations/sqlite/20261222101501_published_snapshots.sql
-- Snapshots the jobs-lease holder publishes for the other replicas: each environment's latest
-- inventory and details, as gzip-compressed JSON. A replica that does not hold the lease reads
-- them instead of calling AWS itself, so AWS sees one replica's calls however many serve.
-- `version` grows with each publication (milliseconds); an older one never replaces a newer.
CREATE TABLE IF NOT EXISTS published_snapshots (
    env           TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    version       BIGINT  NOT NULL,
    fetched_at    TEXT    NOT NULL,
    published_by  TEXT    NOT NULL,
    body          BYTEA   NOT NULL,
    PRIMARY KEY (env, kind)
);
