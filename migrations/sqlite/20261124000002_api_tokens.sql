-- API tokens for automation. Only a hash of the secret is stored; the secret is shown once.
CREATE TABLE IF NOT EXISTS api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL UNIQUE,
    owner         TEXT    NOT NULL,
    envs          TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    secret_hash   TEXT    NOT NULL UNIQUE,
    created_by    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    expires_at    TEXT    NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);
