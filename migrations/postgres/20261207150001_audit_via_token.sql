-- The PostgreSQL form of migrations/sqlite/20261207150001_audit_via_token.sql
-- The door a token's request came through, as people read it (`API token ci-prod for ci-bot`),
-- beside `actor`, the person who created the token and answers for it. A nullable column
-- without a default rewrites no row and fires no row trigger, so the append-only triggers keep
-- refusing changes as before.
ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS via TEXT;
