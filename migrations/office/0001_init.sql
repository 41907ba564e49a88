-- The township office's database: the programme's places and households, where the
-- field's submissions and findings arrive, and the imports that brought households in.

CREATE TABLE townships (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE villages (
    id          TEXT PRIMARY KEY,
    township_id TEXT NOT NULL REFERENCES townships (id),
    name        TEXT NOT NULL,
    UNIQUE (township_id, name)
);

-- Concentrated resettlement sites (集中安置点).
CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    township_id TEXT NOT NULL REFERENCES townships (id),
    village_id  TEXT REFERENCES villages (id),
    name        TEXT NOT NULL,
    newly_built INTEGER NOT NULL DEFAULT 0 CHECK (newly_built IN (0, 1)),
    kind        TEXT NOT NULL,
    UNIQUE (township_id, name)
);

CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,          -- 'demo' or the imported file's name
    file_sha256 TEXT,
    households  INTEGER NOT NULL,
    people      INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE households (
    id           TEXT PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,  -- 户编号
    head_name    TEXT NOT NULL,
    id_number    TEXT NOT NULL UNIQUE,
    size         INTEGER NOT NULL CHECK (size BETWEEN 1 AND 20),
    members_json TEXT NOT NULL DEFAULT '[]',
    phone        TEXT,
    township_id  TEXT NOT NULL REFERENCES townships (id),
    village_id   TEXT NOT NULL REFERENCES villages (id),
    site_id      TEXT REFERENCES sites (id),
    mode         TEXT NOT NULL CHECK (mode IN ('concentrated', 'scattered')),
    kind         TEXT NOT NULL
                 CHECK (kind IN ('self_built', 'bought', 'unified_self_built', 'unified_built')),
    -- Milestones after acceptance, set by the office.
    moved_in_at  TEXT,
    import_id    TEXT NOT NULL REFERENCES imports (id),
    created_at   TEXT NOT NULL,
    CHECK ((mode = 'concentrated') = (site_id IS NOT NULL))
);
CREATE INDEX households_township ON households (township_id, village_id);
CREATE INDEX households_site ON households (site_id);

-- Submissions as they arrive from devices: immutable, like on the device.
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
    received_at     TEXT NOT NULL
);
CREATE INDEX submissions_household ON submissions (household_id, kind);
CREATE TRIGGER submissions_are_immutable BEFORE UPDATE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'submissions are immutable');
END;
CREATE TRIGGER submissions_are_kept BEFORE DELETE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'submissions are never deleted');
END;

-- Problems to rectify (整改), with their state.
CREATE TABLE findings (
    id            TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL REFERENCES households (id),
    submission_id TEXT REFERENCES submissions (id),
    item          TEXT,
    description   TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open'
                  CHECK (state IN ('open', 'rectified', 'closed', 'reopened')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX findings_household ON findings (household_id, state);

-- Small named settings: province and programme year for the area policy, demo flag.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
