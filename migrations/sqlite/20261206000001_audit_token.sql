-- The API token (api_tokens.id) a request came with, when it came with one. Adding a column
-- changes no row, so the append-only triggers stay as they are. No foreign key: the audit log
-- outlives whatever it refers to.
ALTER TABLE audit_events ADD COLUMN token_id INTEGER;
