-- Whose sign-in session each one is, so an admin can end every session of a person. The
-- session itself (its cookie's record) is tower-sessions' table; a session without a row here
-- is never written back, so an ended one cannot come back. Times are RFC 3339 UTC, in text
-- order.
CREATE TABLE IF NOT EXISTS session_owners (
    session_id    TEXT NOT NULL PRIMARY KEY,
    person        TEXT NOT NULL,
    signed_in_at  TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS session_owners_person ON session_owners (person);
CREATE INDEX IF NOT EXISTS session_owners_expires ON session_owners (expires_at);
