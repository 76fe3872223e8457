-- The door a token's request came through, as people read it (`API token ci-prod for ci-bot`),
-- beside `actor`, the person who created the token and answers for it. Adding a column changes
-- no row, so the append-only triggers stay as they are.
ALTER TABLE audit_events ADD COLUMN via TEXT;
