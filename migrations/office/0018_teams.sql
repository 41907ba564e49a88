-- 验收组 (issue 15): the district's acceptance teams, one member per department, whose
-- members confirm their own parts of a form on a device the team shares, each with a PIN
-- of their own. A member's department is their user's.
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
