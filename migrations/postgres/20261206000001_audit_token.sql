-- The PostgreSQL form of migrations/sqlite/20261206000001_audit_token.sql
-- The API token (api_tokens.id) a request came with, when it came with one. A nullable column
-- without a default rewrites no row and fires no row trigger, so the append-only triggers
-- (BEFORE UPDATE / BEFORE DELETE FOR EACH ROW) keep refusing changes as before. No foreign key:
-- the audit log outlives whatever it refers to.
ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS token_id BIGINT;
