-- Users, device tokens, assignments and what devices push: the office side of sync.

-- One counter for every change a device may pull: assignments, unassignments, household
-- edits each take the next value. A device's cursor is a value of this counter.
CREATE TABLE sync_sequence (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO sync_sequence (id, value) VALUES (1, 0);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('inspector', 'township', 'admin')),
    department     TEXT CHECK (department IN ('poverty', 'reform', 'land', 'housing')),
    township_id    TEXT REFERENCES townships (id),
    password_hash  TEXT NOT NULL,          -- argon2id, PHC string
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    last_failed_at TEXT,
    created_at     TEXT NOT NULL,
    CHECK (role <> 'township' OR township_id IS NOT NULL)
);

-- A token per signed-in device; only its SHA-256 is kept.
CREATE TABLE device_tokens (
    token_sha256 TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    device_id    TEXT NOT NULL,
    device_name  TEXT,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX device_tokens_user ON device_tokens (user_id);

-- seq: the sync_sequence value of the last change a device must pull for this pair.
CREATE TABLE assignments (
    user_id      TEXT NOT NULL REFERENCES users (id),
    household_id TEXT NOT NULL REFERENCES households (id),
    seq          INTEGER NOT NULL,
    assigned_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, household_id)
);
CREATE INDEX assignments_user_seq ON assignments (user_id, seq);
CREATE INDEX assignments_household ON assignments (household_id);

-- Tombstones: households taken away from a user, until assigned again.
CREATE TABLE unassignments (
    user_id       TEXT NOT NULL REFERENCES users (id),
    household_id  TEXT NOT NULL REFERENCES households (id),
    seq           INTEGER NOT NULL,
    unassigned_at TEXT NOT NULL,
    PRIMARY KEY (user_id, household_id)
);
CREATE INDEX unassignments_user_seq ON unassignments (user_id, seq);

ALTER TABLE submissions ADD COLUMN device_id TEXT;
ALTER TABLE submissions ADD COLUMN received_by TEXT;
ALTER TABLE submissions ADD COLUMN push_offset_ms INTEGER;

ALTER TABLE findings ADD COLUMN content_sha256 TEXT;
ALTER TABLE findings ADD COLUMN received_by TEXT;

CREATE TABLE photos (
    sha256          TEXT PRIMARY KEY,
    household_id    TEXT NOT NULL REFERENCES households (id),
    slot            TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    device_time     TEXT NOT NULL,
    trusted_time    TEXT,
    clock_offset_ms INTEGER,
    latitude        REAL,
    longitude       REAL,
    content_sha256  TEXT NOT NULL,
    received_by     TEXT NOT NULL,
    received_at     TEXT NOT NULL
);
CREATE INDEX photos_household ON photos (household_id);

CREATE TABLE signatures (
    id                    TEXT PRIMARY KEY,
    household_id          TEXT NOT NULL REFERENCES households (id),
    slot                  TEXT NOT NULL,
    signer_name           TEXT NOT NULL,
    method_json           TEXT NOT NULL,
    image_sha256          TEXT NOT NULL,
    signed_content_sha256 TEXT NOT NULL,
    signed_at             TEXT NOT NULL,
    content_sha256        TEXT NOT NULL,
    received_by           TEXT NOT NULL,
    received_at           TEXT NOT NULL
);
CREATE INDEX signatures_household ON signatures (household_id);

-- A record whose id was already stored with other content: kept here for a person to
-- decide, never written over the stored one.
CREATE TABLE conflicts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    record_kind     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    content_sha256  TEXT NOT NULL,
    stored_sha256   TEXT NOT NULL,
    body_json       TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    device_id       TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    UNIQUE (record_kind, record_id, content_sha256)
);

-- The last contact of each device: its clock against the office's.
CREATE TABLE devices (
    device_id        TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id),
    device_name      TEXT,
    last_device_time TEXT,
    last_server_time TEXT,
    last_offset_ms   INTEGER,
    pushes           INTEGER NOT NULL DEFAULT 0
);
