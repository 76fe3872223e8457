-- Promotions: a whole app's promotion is one release request per service, sharing a group key
-- so they can be approved together; each request carries the revision diff it was made with.
ALTER TABLE releases ADD COLUMN group_key TEXT;
ALTER TABLE releases ADD COLUMN diff TEXT NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS releases_group ON releases (group_key);
