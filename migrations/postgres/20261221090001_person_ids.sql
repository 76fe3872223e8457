-- The PostgreSQL form of migrations/sqlite/20261218090001_person_ids.sql
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
-- History tables are append-only: the migration runs as their owner, so their UPDATE guard is
-- disabled for the fill and enabled again in the same transaction; the serving role, which owns
-- nothing, can do neither. The new columns take no default: every write names the person.

ALTER TABLE audit_events ADD COLUMN actor_id TEXT;
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update;
UPDATE audit_events SET actor_id = 'legacy:' || actor;
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update;
ALTER TABLE audit_events ALTER COLUMN actor_id SET NOT NULL;
CREATE INDEX IF NOT EXISTS audit_events_actor_id ON audit_events (actor_id, at);

ALTER TABLE actions ADD COLUMN actor_id TEXT;
UPDATE actions SET actor_id = 'legacy:' || actor;
ALTER TABLE actions ALTER COLUMN actor_id SET NOT NULL;

ALTER TABLE releases ADD COLUMN requester_id TEXT;
UPDATE releases SET requester_id = 'legacy:' || requester;
ALTER TABLE releases ALTER COLUMN requester_id SET NOT NULL;
CREATE INDEX IF NOT EXISTS releases_requester_id ON releases (requester_id);

ALTER TABLE release_groups ADD COLUMN creator_id TEXT;
UPDATE release_groups SET creator_id = 'legacy:' || creator;
ALTER TABLE release_groups ALTER COLUMN creator_id SET NOT NULL;

-- One vote per person per request, by id: two people who share a name vote twice, one person
-- under two names once.
ALTER TABLE release_votes ADD COLUMN voter_id TEXT;
ALTER TABLE release_votes DISABLE TRIGGER release_votes_append_only_update;
UPDATE release_votes SET voter_id = 'legacy:' || voter;
ALTER TABLE release_votes ENABLE TRIGGER release_votes_append_only_update;
ALTER TABLE release_votes ALTER COLUMN voter_id SET NOT NULL;
ALTER TABLE release_votes DROP CONSTRAINT IF EXISTS release_votes_pkey;
ALTER TABLE release_votes ADD PRIMARY KEY (release_id, voter_id);

ALTER TABLE api_tokens ADD COLUMN created_by_id TEXT;
UPDATE api_tokens SET created_by_id = 'legacy:' || created_by;
ALTER TABLE api_tokens ALTER COLUMN created_by_id SET NOT NULL;

-- Who acknowledged an incident and whom it is assigned to. An assignment to a typed name names
-- nobody's id (NULL) until that person takes it.
ALTER TABLE incidents ADD COLUMN acknowledged_by_id TEXT;
ALTER TABLE incidents ADD COLUMN assignee_id TEXT;
UPDATE incidents SET acknowledged_by_id = 'legacy:' || acknowledged_by WHERE acknowledged_by IS NOT NULL;
UPDATE incidents SET assignee_id = 'legacy:' || assignee WHERE assignee IS NOT NULL;

ALTER TABLE oncall_overrides ADD COLUMN created_by_id TEXT;
UPDATE oncall_overrides SET created_by_id = 'legacy:' || created_by;
ALTER TABLE oncall_overrides ALTER COLUMN created_by_id SET NOT NULL;

-- Sessions are filed under the person's id (`person` keeps the name shown). A session signed in
-- before carries no id and is signed out at its next request.
ALTER TABLE session_owners ADD COLUMN person_id TEXT;
UPDATE session_owners SET person_id = 'legacy:' || person;
ALTER TABLE session_owners ALTER COLUMN person_id SET NOT NULL;
CREATE INDEX IF NOT EXISTS session_owners_person_id ON session_owners (person_id);
