-- The field device's database. Households come from the office; drafts, submissions,
-- evidence metadata and findings are born here and leave through the outbox.

CREATE TABLE households (
    id            TEXT PRIMARY KEY,            -- UUID given by the office
    number        TEXT NOT NULL,               -- 户编号
    head_name     TEXT NOT NULL,
    id_number     TEXT NOT NULL UNIQUE,
    size          INTEGER NOT NULL CHECK (size > 0),
    members_json  TEXT NOT NULL DEFAULT '[]',
    phone         TEXT,
    township      TEXT NOT NULL,
    village       TEXT NOT NULL,
    site          TEXT,
    mode          TEXT NOT NULL CHECK (mode IN ('concentrated', 'scattered')),
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'to_inspect'
                  CHECK (status IN ('to_inspect', 'draft', 'submitted', 'synced')),
    open_findings INTEGER NOT NULL DEFAULT 0,
    -- Lower-cased name, ID number, village, site, township and number, for one LIKE.
    search_text   TEXT NOT NULL,
    server_seq    INTEGER,
    pulled_at     TEXT NOT NULL
);
CREATE INDEX households_status ON households (status);
CREATE INDEX households_place ON households (township, site, village);
CREATE INDEX households_open_findings ON households (open_findings) WHERE open_findings > 0;

-- Autosaved form state: one open draft per household and kind of inspection. Its id
-- becomes the submission's id, so a record keeps one identity from first keystroke on.
CREATE TABLE drafts (
    id            TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL REFERENCES households (id),
    kind          TEXT NOT NULL CHECK (kind IN ('acceptance', 'spot_check')),
    form_id       TEXT NOT NULL,
    form_version  INTEGER NOT NULL,
    answers_json  TEXT NOT NULL DEFAULT '{}',
    revision      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (household_id, kind)
);

-- Finished inspections. Never updated or deleted: the triggers enforce it.
CREATE TABLE submissions (
    id              TEXT PRIMARY KEY,
    household_id    TEXT NOT NULL REFERENCES households (id),
    kind            TEXT NOT NULL CHECK (kind IN ('acceptance', 'spot_check')),
    form_id         TEXT NOT NULL,
    form_version    INTEGER NOT NULL,
    inspector       TEXT NOT NULL,
    answers_json    TEXT NOT NULL,
    content_sha256  TEXT NOT NULL,
    device_time     TEXT NOT NULL,
    trusted_time    TEXT,
    clock_offset_ms INTEGER,
    created_at      TEXT NOT NULL
);
CREATE INDEX submissions_household ON submissions (household_id, created_at);
CREATE TRIGGER submissions_are_immutable BEFORE UPDATE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'submissions are immutable');
END;
CREATE TRIGGER submissions_are_kept BEFORE DELETE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'submissions are never deleted');
END;

-- Photo metadata; the file is blobs/<first two hex>/<sha256>.
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
    created_at      TEXT NOT NULL
);
CREATE INDEX photos_household ON photos (household_id, slot);

CREATE TABLE signatures (
    id                    TEXT PRIMARY KEY,
    household_id          TEXT NOT NULL REFERENCES households (id),
    slot                  TEXT NOT NULL,
    signer_name           TEXT NOT NULL,
    method_json           TEXT NOT NULL,
    image_sha256          TEXT NOT NULL,
    signed_content_sha256 TEXT NOT NULL,
    signed_at             TEXT NOT NULL
);

CREATE TABLE findings (
    id            TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL REFERENCES households (id),
    submission_id TEXT REFERENCES submissions (id),
    item          TEXT,
    description   TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open'
                  CHECK (state IN ('open', 'rectified', 'closed', 'reopened')),
    created_at    TEXT NOT NULL
);
CREATE INDEX findings_household ON findings (household_id);

-- What waits to go to the office, in the order it was made. A row is acknowledged only
-- when the office has confirmed it; the record itself stays on the device. A row the
-- office refused for good (conflict, not assigned) is marked rejected and kept for review.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    record_kind     TEXT NOT NULL
                    CHECK (record_kind IN ('photo', 'signature', 'submission', 'finding')),
    record_id       TEXT NOT NULL,
    household_id    TEXT NOT NULL REFERENCES households (id),
    content_sha256  TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    acknowledged_at TEXT,
    rejected_at     TEXT,
    rejection_code  INTEGER,
    UNIQUE (record_kind, record_id)
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE acknowledged_at IS NULL AND rejected_at IS NULL;

-- Cursor, digest, clock anchor, server address: small named values.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
