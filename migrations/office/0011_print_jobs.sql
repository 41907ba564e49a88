-- Several office processes (issue 14): a township's print job is a row, not one process's
-- memory, so that any process behind the load balancer answers its progress, and its ZIP
-- is a blob (zip_sha256) that any process serves. claimed_by names the process printing
-- it and heartbeat_at when that process last said it was alive: a job whose process
-- stopped is marked failed by another process instead of printing for ever. Finished jobs
-- are forgotten a day later by the office's maintenance. Times are RFC 3339 UTC text.
CREATE TABLE print_jobs (
    id             TEXT PRIMARY KEY,
    township_id    TEXT NOT NULL,
    township       TEXT NOT NULL,
    requested_by   TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'done', 'failed')),
    households     INTEGER NOT NULL CHECK (households >= 0),
    volumes_total  INTEGER NOT NULL CHECK (volumes_total >= 0),
    volumes_done   INTEGER NOT NULL DEFAULT 0 CHECK (volumes_done >= 0),
    current_volume TEXT,
    error          TEXT,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    file_name      TEXT NOT NULL,
    zip_sha256     TEXT,
    zip_bytes      INTEGER,
    lang           TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
    personal_full  INTEGER NOT NULL CHECK (personal_full IN (0, 1)),
    claimed_by     TEXT,
    heartbeat_at   TEXT,
    CHECK (state <> 'done' OR zip_sha256 IS NOT NULL)
);
CREATE INDEX print_jobs_requested_by ON print_jobs (requested_by, started_at);
CREATE INDEX print_jobs_state ON print_jobs (state);
