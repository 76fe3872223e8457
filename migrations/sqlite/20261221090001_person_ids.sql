-- People are compared by who they are, not by what they are called: every table that records a
-- person keeps the person's id (app::domain::person::PersonId — `oidc:<issuer>#<sub>` for company
-- SSO, `dev:<name>` for the demo's dev sign-in, `system:quarterdeck` for the console itself) beside
-- the name it shows. Self-approval, one vote per person, cancelling one's own request, request keys
-- and promotion groups, incident ownership, token hand-offs, overrides, sessions and the audit log
-- all compare ids, so a rename or an alias at the identity provider neither doubles a vote nor lets
-- a requester approve their own change, and two people who share a name stay two people.
--
-- Rows recorded before this migration name people only by name: they are filled with
-- `legacy:<name>`, which matches nobody signing in from now on (an SSO or dev id never starts with
-- `legacy:`). They stay readable, and the approval rules treat a legacy requester or voter as
-- anyone now called by that name when refusing (a self-approval, a second vote), never when
-- granting, so a request left open across the upgrade cannot be approved by the person who asked.
-- A request key recorded before keeps its old scope (the name), so a retry from before the
-- upgrade starts anew rather than finding someone else's.
--
-- History tables are append-only: their UPDATE trigger is dropped for the fill and created again,
-- unchanged, in the same transaction.

ALTER TABLE audit_events ADD COLUMN actor_id TEXT NOT NULL DEFAULT '';
DROP TRIGGER IF EXISTS audit_events_no_update;
UPDATE audit_events SET actor_id = 'legacy:' || actor;
CREATE TRIGGER IF NOT EXISTS audit_events_no_update
BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE INDEX IF NOT EXISTS audit_events_actor_id ON audit_events (actor_id, at);

ALTER TABLE actions ADD COLUMN actor_id TEXT NOT NULL DEFAULT '';
UPDATE actions SET actor_id = 'legacy:' || actor;

ALTER TABLE releases ADD COLUMN requester_id TEXT NOT NULL DEFAULT '';
UPDATE releases SET requester_id = 'legacy:' || requester;
CREATE INDEX IF NOT EXISTS releases_requester_id ON releases (requester_id);

ALTER TABLE release_groups ADD COLUMN creator_id TEXT NOT NULL DEFAULT '';
UPDATE release_groups SET creator_id = 'legacy:' || creator;

-- One vote per person per request, by id: two people who share a name vote twice, one person
-- under two names once. SQLite cannot change a primary key in place, so the table is rebuilt
-- (dropping it drops its triggers first, so no guard fires) and its guards are created again.
CREATE TABLE release_votes_by_person (
    release_id INTEGER NOT NULL REFERENCES releases (id),
    voter      TEXT    NOT NULL,
    voter_id   TEXT    NOT NULL,
    approve    INTEGER NOT NULL,
    comment    TEXT,
    at         TEXT    NOT NULL,
    PRIMARY KEY (release_id, voter_id)
);
INSERT INTO release_votes_by_person (release_id, voter, voter_id, approve, comment, at)
SELECT release_id, voter, 'legacy:' || voter, approve, comment, at FROM release_votes;
DROP TABLE release_votes;
ALTER TABLE release_votes_by_person RENAME TO release_votes;
CREATE TRIGGER IF NOT EXISTS release_votes_append_only_update
BEFORE UPDATE ON release_votes BEGIN SELECT RAISE(ABORT, 'release votes are append-only'); END;
CREATE TRIGGER IF NOT EXISTS release_votes_append_only_delete
BEFORE DELETE ON release_votes BEGIN SELECT RAISE(ABORT, 'release votes are append-only'); END;

ALTER TABLE api_tokens ADD COLUMN created_by_id TEXT NOT NULL DEFAULT '';
UPDATE api_tokens SET created_by_id = 'legacy:' || created_by;

-- Who acknowledged an incident and whom it is assigned to. An assignment to a typed name names
-- nobody's id (NULL) until that person takes it.
ALTER TABLE incidents ADD COLUMN acknowledged_by_id TEXT;
ALTER TABLE incidents ADD COLUMN assignee_id TEXT;
UPDATE incidents SET acknowledged_by_id = 'legacy:' || acknowledged_by WHERE acknowledged_by IS NOT NULL;
UPDATE incidents SET assignee_id = 'legacy:' || assignee WHERE assignee IS NOT NULL;

ALTER TABLE oncall_overrides ADD COLUMN created_by_id TEXT NOT NULL DEFAULT '';
UPDATE oncall_overrides SET created_by_id = 'legacy:' || created_by;

-- Sessions are filed under the person's id (`person` keeps the name shown). A session signed in
-- before carries no id and is signed out at its next request.
ALTER TABLE session_owners ADD COLUMN person_id TEXT NOT NULL DEFAULT '';
UPDATE session_owners SET person_id = 'legacy:' || person;
CREATE INDEX IF NOT EXISTS session_owners_person_id ON session_owners (person_id);
