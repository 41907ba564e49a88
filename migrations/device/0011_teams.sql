-- 验收组 (issue 15): the team the signed-in inspector belongs to, as the office last sent
-- it, with each member's PIN verifier, and the wrong PINs counted on this device.
CREATE TABLE team (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE TABLE team_members (
    account       TEXT PRIMARY KEY,
    full_name     TEXT NOT NULL,
    department    TEXT NOT NULL CHECK (department IN ('poverty', 'reform', 'land', 'housing')),
    pin_verifier  TEXT,
    pin_failures  INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT
);
-- A signature a team member confirmed keeps who they are, as its record was hashed.
ALTER TABLE signatures ADD COLUMN signer_json TEXT;
