-- Family (issue 19): a person lets another PGO account read chosen parts of their data. The
-- grant starts as an invitation with a code (stored only as its SHA-256) that the other person
-- enters while logged in to their own account; either of them can end it.
CREATE TABLE pgo_family (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES pgo_accounts(id) ON DELETE CASCADE,
    -- The account that reads; NULL until the invitation is accepted.
    viewer_id TEXT REFERENCES pgo_accounts(id) ON DELETE CASCADE,
    -- The reader's own name (their account's), so the owner sees who accepted.
    viewer_name TEXT,
    -- Who it is for, in the owner's words ("Eva, mijn dochter").
    label TEXT NOT NULL,
    -- The owner's name as the reader sees it.
    owner_name TEXT NOT NULL,
    categories TEXT NOT NULL,
    -- NULL once accepted: an invitation works once.
    invite_hash TEXT UNIQUE,
    invite_expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    accepted_at TEXT,
    ended_at TEXT
);
CREATE INDEX pgo_family_owner ON pgo_family(owner_id);
CREATE INDEX pgo_family_viewer ON pgo_family(viewer_id);

-- A care-team space (issue 19): the person invites several clinicians, each with their own link
-- and code (stored as hashes, as share links are); everyone in it reads the chosen parts of the
-- person's data, the plan and every message. Title, plan, messages and files are encrypted.
CREATE TABLE pgo_teams (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES pgo_accounts(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    owner_name TEXT NOT NULL,
    categories TEXT NOT NULL,
    plan TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX pgo_teams_account ON pgo_teams(account_id, created_at);

CREATE TABLE pgo_team_members (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES pgo_teams(id) ON DELETE CASCADE,
    -- Who this is, in the person's words ("Dermatoloog"): the name on their messages.
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    removed_at TEXT,
    failed_attempts BIGINT NOT NULL,
    openings BIGINT NOT NULL
);
CREATE INDEX pgo_team_members_team ON pgo_team_members(team_id);

CREATE TABLE pgo_team_posts (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES pgo_teams(id) ON DELETE CASCADE,
    -- NULL: written by the person; otherwise the member who wrote it.
    member_id TEXT,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment BYTEA
);
CREATE INDEX pgo_team_posts_team ON pgo_team_posts(team_id, at);
