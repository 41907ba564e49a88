-- As migrations/office/0011_print_jobs.sql: print jobs shared by every office process.
CREATE TABLE print_jobs (
    id             TEXT PRIMARY KEY,
    township_id    TEXT NOT NULL,
    township       TEXT NOT NULL,
    requested_by   TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'done', 'failed')),
    households     BIGINT NOT NULL CHECK (households >= 0),
    volumes_total  BIGINT NOT NULL CHECK (volumes_total >= 0),
    volumes_done   BIGINT NOT NULL DEFAULT 0 CHECK (volumes_done >= 0),
    current_volume TEXT,
    error          TEXT,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    file_name      TEXT NOT NULL,
    zip_sha256     TEXT,
    zip_bytes      BIGINT,
    lang           TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
    personal_full  BIGINT NOT NULL CHECK (personal_full IN (0, 1)),
    claimed_by     TEXT,
    heartbeat_at   TEXT,
    CHECK (state <> 'done' OR zip_sha256 IS NOT NULL)
);
CREATE INDEX print_jobs_requested_by ON print_jobs (requested_by, started_at);
CREATE INDEX print_jobs_state ON print_jobs (state);
