-- 验收组, as SQLite's 0018_teams.
CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id),
    user_id TEXT NOT NULL UNIQUE REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);
-- argon2id of the member's six-digit PIN, sent to the team's devices (never the PIN).
ALTER TABLE users ADD COLUMN pin_verifier TEXT;
ALTER TABLE users ADD COLUMN pin_set_at TEXT;
