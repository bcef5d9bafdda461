-- The MedMij chain log (ketenlog, R88): one row per authorization, token and resource request,
-- kept at least 24 and at most 36 months (the server purges older rows daily). It names the
-- event, the request identifiers, the PGO and the outcome: no patient and no content (those are
-- in the audit log, which has its own retention).
CREATE TABLE medmij_chain_log (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('authorization_request', 'token_request', 'resource_request')),
    request_id TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    status INTEGER NOT NULL,
    resource TEXT NOT NULL
);
CREATE INDEX medmij_chain_log_at ON medmij_chain_log(at);
