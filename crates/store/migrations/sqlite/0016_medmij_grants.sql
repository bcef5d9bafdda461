-- MedMij grants (issue 22, finding 7): every token carries the grant it came from (the hash of
-- the authorization code), so that a replayed code or refresh token revokes all tokens of that
-- grant at once. Refresh tokens rotate: a used one is marked, and presenting it again is a replay.
ALTER TABLE medmij_access_tokens ADD COLUMN grant_id TEXT;
ALTER TABLE medmij_refresh_tokens ADD COLUMN grant_id TEXT;
ALTER TABLE medmij_refresh_tokens ADD COLUMN used_at TEXT;
CREATE INDEX medmij_access_tokens_grant ON medmij_access_tokens(grant_id);
CREATE INDEX medmij_refresh_tokens_grant ON medmij_refresh_tokens(grant_id);
