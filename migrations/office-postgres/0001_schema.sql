-- The township office's database on PostgreSQL: the same tables, views and invariants as
-- the SQLite migrations 0001–0009 under migrations/office/ (read those for what each
-- table is for), in PostgreSQL's types. Times are UTC text in RFC 3339, as on SQLite, so
-- that both compare and sort them alike; flags are 0/1 integers for the same reason.

-- What the office's SQL, written in SQLite's dialect, calls (see anju-sql's dialect.rs).
CREATE FUNCTION anju_json_each(doc TEXT) RETURNS TABLE (value TEXT)
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT json_array_elements_text(doc::json) $$;
-- json_extract(doc, '$.a.b') for text values.
CREATE FUNCTION anju_json_extract(doc TEXT, path TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT (doc::jsonb) #>> string_to_array(substr(path, 3), '.') $$;

CREATE FUNCTION anju_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;

CREATE TABLE townships (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    sort_order BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX townships_sort ON townships (sort_order);

CREATE TABLE villages (
    id          TEXT PRIMARY KEY,
    township_id TEXT NOT NULL REFERENCES townships (id),
    name        TEXT NOT NULL,
    UNIQUE (township_id, name)
);

CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    township_id TEXT NOT NULL REFERENCES townships (id),
    village_id  TEXT REFERENCES villages (id),
    name        TEXT NOT NULL,
    newly_built BIGINT NOT NULL DEFAULT 0 CHECK (newly_built IN (0, 1)),
    kind        TEXT NOT NULL,
    UNIQUE (township_id, name)
);

CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    file_sha256 TEXT,
    households  BIGINT NOT NULL,
    people      BIGINT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE households (
    id                  TEXT PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    head_name           TEXT NOT NULL,
    id_number           TEXT NOT NULL UNIQUE,
    size                BIGINT NOT NULL CHECK (size BETWEEN 1 AND 20),
    members_json        TEXT NOT NULL DEFAULT '[]',
    phone               TEXT,
    township_id         TEXT NOT NULL REFERENCES townships (id),
    village_id          TEXT NOT NULL REFERENCES villages (id),
    site_id             TEXT REFERENCES sites (id),
    mode                TEXT NOT NULL CHECK (mode IN ('concentrated', 'scattered')),
    kind                TEXT NOT NULL
                        CHECK (kind IN ('self_built', 'bought', 'unified_self_built', 'unified_built')),
    moved_in_at         TEXT,
    import_id           TEXT NOT NULL REFERENCES imports (id),
    created_at          TEXT NOT NULL,
    agreement_signed_on TEXT,
    demolished_on       TEXT,
    reclaimed_on        TEXT,
    latitude            DOUBLE PRECISION,
    longitude           DOUBLE PRECISION,
    CHECK ((mode = 'concentrated') = (site_id IS NOT NULL))
);
CREATE INDEX households_township ON households (township_id, village_id);
CREATE INDEX households_site ON households (site_id);
CREATE INDEX households_township_number ON households (township_id, number);

CREATE TABLE sync_sequence (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO sync_sequence (id, value) VALUES (1, 0);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('inspector', 'township', 'admin')),
    department     TEXT CHECK (department IN ('poverty', 'reform', 'land', 'housing')),
    township_id    TEXT REFERENCES townships (id),
    password_hash  TEXT NOT NULL,
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    last_failed_at TEXT,
    created_at     TEXT NOT NULL,
    full_name      TEXT,
    organisation   TEXT,
    title          TEXT,
    CHECK (role <> 'township' OR township_id IS NOT NULL)
);

CREATE TABLE device_tokens (
    token_sha256 TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    device_id    TEXT NOT NULL,
    device_name  TEXT,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT,
    revoked_at   TEXT,
    kind         TEXT NOT NULL DEFAULT 'device' CHECK (kind IN ('device', 'pages'))
);
CREATE INDEX device_tokens_user ON device_tokens (user_id);
CREATE INDEX device_tokens_seen ON device_tokens (last_seen_at);

CREATE TABLE assignments (
    user_id      TEXT NOT NULL REFERENCES users (id),
    household_id TEXT NOT NULL REFERENCES households (id),
    seq          BIGINT NOT NULL,
    assigned_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, household_id)
);
CREATE INDEX assignments_user_seq ON assignments (user_id, seq);
CREATE INDEX assignments_household ON assignments (household_id);

CREATE TABLE unassignments (
    user_id       TEXT NOT NULL REFERENCES users (id),
    household_id  TEXT NOT NULL REFERENCES households (id),
    seq           BIGINT NOT NULL,
    unassigned_at TEXT NOT NULL,
    PRIMARY KEY (user_id, household_id)
);
CREATE INDEX unassignments_user_seq ON unassignments (user_id, seq);

CREATE TABLE submissions (
    id                 TEXT PRIMARY KEY,
    household_id       TEXT NOT NULL REFERENCES households (id),
    kind               TEXT NOT NULL CHECK (kind IN ('acceptance', 'spot_check')),
    form_id            TEXT NOT NULL,
    form_version       BIGINT NOT NULL,
    inspector          TEXT NOT NULL,
    answers_json       TEXT NOT NULL,
    content_sha256     TEXT NOT NULL,
    device_time        TEXT NOT NULL,
    trusted_time       TEXT,
    clock_offset_ms    BIGINT,
    received_at        TEXT NOT NULL,
    device_id          TEXT,
    received_by        TEXT,
    push_offset_ms     BIGINT,
    policy_version     BIGINT,
    recorded_area_json TEXT,
    position_json      TEXT
);
CREATE INDEX submissions_household ON submissions (household_id, kind);
-- Submissions are never changed or deleted, here as on SQLite.
CREATE TRIGGER submissions_are_immutable BEFORE UPDATE ON submissions
    FOR EACH ROW EXECUTE FUNCTION anju_refuse('submissions are immutable');
CREATE TRIGGER submissions_are_kept BEFORE DELETE ON submissions
    FOR EACH ROW EXECUTE FUNCTION anju_refuse('submissions are never deleted');
CREATE TRIGGER submissions_are_not_truncated BEFORE TRUNCATE ON submissions
    FOR EACH STATEMENT EXECUTE FUNCTION anju_refuse('submissions are never deleted');

CREATE TABLE findings (
    id             TEXT PRIMARY KEY,
    household_id   TEXT NOT NULL REFERENCES households (id),
    submission_id  TEXT REFERENCES submissions (id),
    item           TEXT,
    description    TEXT NOT NULL,
    deadline       TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'open'
                   CHECK (state IN ('open', 'rectified', 'closed', 'reopened')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    content_sha256 TEXT,
    received_by    TEXT,
    origin         TEXT NOT NULL DEFAULT 'inspector'
                   CHECK (origin IN ('inspector', 'area_over_cap', 'critical_item')),
    critical       BIGINT NOT NULL DEFAULT 0 CHECK (critical IN (0, 1))
);
CREATE INDEX findings_household ON findings (household_id, state);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE photos (
    sha256          TEXT PRIMARY KEY,
    household_id    TEXT NOT NULL REFERENCES households (id),
    slot            TEXT NOT NULL,
    bytes           BIGINT NOT NULL,
    width           BIGINT NOT NULL,
    height          BIGINT NOT NULL,
    device_time     TEXT NOT NULL,
    trusted_time    TEXT,
    clock_offset_ms BIGINT,
    latitude        DOUBLE PRECISION,
    longitude       DOUBLE PRECISION,
    content_sha256  TEXT NOT NULL,
    received_by     TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    fix_json        TEXT,
    source          TEXT,
    camera_time     TEXT
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

CREATE TABLE conflicts (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    record_kind    TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    stored_sha256  TEXT NOT NULL,
    body_json      TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id),
    device_id      TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    decision       TEXT CHECK (decision IN ('stored', 'incoming')),
    decision_note  TEXT,
    decided_by     TEXT REFERENCES users (id),
    decided_at     TEXT,
    UNIQUE (record_kind, record_id, content_sha256)
);

CREATE TABLE devices (
    device_id        TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id),
    device_name      TEXT,
    last_device_time TEXT,
    last_server_time TEXT,
    last_offset_ms   BIGINT,
    pushes           BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE submission_reviews (
    id            TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    decision      TEXT NOT NULL CHECK (decision IN ('approved', 'returned')),
    note          TEXT,
    reviewed_by   TEXT NOT NULL REFERENCES users (id),
    reviewed_at   TEXT NOT NULL
);
CREATE INDEX submission_reviews_submission ON submission_reviews (submission_id, reviewed_at);

CREATE TABLE finding_events (
    id              TEXT PRIMARY KEY,
    finding_id      TEXT NOT NULL REFERENCES findings (id),
    from_state      TEXT,
    to_state        TEXT NOT NULL CHECK (to_state IN ('open', 'rectified', 'closed', 'reopened')),
    note            TEXT,
    evidence_sha256 TEXT,
    user_id         TEXT NOT NULL REFERENCES users (id),
    at              TEXT NOT NULL,
    submission_id   TEXT REFERENCES submissions (id)
);
CREATE INDEX finding_events_finding ON finding_events (finding_id, at);

CREATE TABLE samples (
    id                  TEXT PRIMARY KEY,
    seed                TEXT NOT NULL,
    township_id         TEXT REFERENCES townships (id),
    site_share_pct      BIGINT NOT NULL,
    min_site_households BIGINT NOT NULL,
    household_share_pct BIGINT NOT NULL,
    eligible_sites      BIGINT NOT NULL,
    note                TEXT,
    created_by          TEXT NOT NULL REFERENCES users (id),
    created_at          TEXT NOT NULL,
    scattered_share_pct BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sample_households (
    sample_id    TEXT NOT NULL REFERENCES samples (id),
    household_id TEXT NOT NULL REFERENCES households (id),
    site_id      TEXT REFERENCES sites (id),
    position     BIGINT NOT NULL,
    PRIMARY KEY (sample_id, household_id)
);

CREATE TABLE policies (
    version        BIGINT PRIMARY KEY,
    effective_from TEXT NOT NULL,
    policy_json    TEXT NOT NULL,
    set_by         TEXT NOT NULL,
    set_at         TEXT NOT NULL
);
CREATE TRIGGER policies_are_immutable BEFORE UPDATE ON policies
    FOR EACH ROW EXECUTE FUNCTION anju_refuse('policy versions are immutable');
CREATE TRIGGER policies_are_kept BEFORE DELETE ON policies
    FOR EACH ROW EXECUTE FUNCTION anju_refuse('policy versions are never deleted');
CREATE TRIGGER policies_are_not_truncated BEFORE TRUNCATE ON policies
    FOR EACH STATEMENT EXECUTE FUNCTION anju_refuse('policy versions are never deleted');

CREATE TABLE submission_checks (
    submission_id          TEXT PRIMARY KEY REFERENCES submissions (id),
    policy_version         BIGINT NOT NULL,
    device_policy_version  BIGINT,
    built_area_quarter_mm2 BIGINT,
    cap_quarter_mm2        BIGINT,
    cap_rule               TEXT,
    over_cap               BIGINT NOT NULL DEFAULT 0 CHECK (over_cap IN (0, 1)),
    critical_failures_json TEXT NOT NULL DEFAULT '[]',
    people_found           BIGINT,
    people_registered      BIGINT NOT NULL,
    policy_mismatch_zh     TEXT,
    policy_mismatch_en     TEXT,
    checked_at             TEXT NOT NULL
);

CREATE TABLE household_states (
    household_id        TEXT PRIMARY KEY REFERENCES households (id),
    status              TEXT NOT NULL CHECK (status IN
                            ('pending', 'awaiting_review', 'accepted', 'rectifying', 'failed',
                             'moved_in')),
    verdict             TEXT CHECK (verdict IN ('pass', 'pass_after_rectification', 'fail')),
    accepted            BIGINT NOT NULL DEFAULT 0 CHECK (accepted IN (0, 1)),
    acceptance_id       TEXT REFERENCES submissions (id),
    accepted_at         TEXT,
    over_cap            BIGINT NOT NULL DEFAULT 0 CHECK (over_cap IN (0, 1)),
    unresolved_findings BIGINT NOT NULL DEFAULT 0,
    updated_at          TEXT NOT NULL
);
CREATE INDEX household_states_status ON household_states (status);

CREATE TABLE quarantine (
    record_kind    TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    quarantined_by TEXT NOT NULL,
    quarantined_at TEXT NOT NULL,
    PRIMARY KEY (record_kind, record_id)
);

CREATE VIEW live_submissions AS
SELECT s.* FROM submissions s
WHERE NOT EXISTS (SELECT 1 FROM quarantine q
                  WHERE q.record_kind = 'submission' AND q.record_id = s.id);

CREATE VIEW live_findings AS
SELECT f.* FROM findings f
WHERE NOT EXISTS (SELECT 1 FROM quarantine q
                  WHERE q.record_kind = 'finding' AND q.record_id = f.id);

CREATE VIEW accepted_submissions AS
SELECT s.* FROM live_submissions s
WHERE s.kind = 'acceptance'
  AND NOT EXISTS (
      SELECT 1 FROM submission_reviews r
      WHERE r.submission_id = s.id AND r.decision = 'returned'
  );

CREATE TABLE audit_log (
    seq     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    id      TEXT NOT NULL UNIQUE,
    at      TEXT NOT NULL,
    user_id TEXT REFERENCES users (id),
    actor   TEXT NOT NULL,
    client  TEXT,
    action  TEXT NOT NULL,
    target  TEXT,
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_target ON audit_log (target, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION anju_refuse('the audit log is append-only');
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION anju_refuse('the audit log is append-only');
CREATE TRIGGER audit_log_not_truncated BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION anju_refuse('the audit log is append-only');
