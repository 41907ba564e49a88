-- What the office pages record: old-house milestones, reviews of submissions, decisions on
-- conflicts, the history of each finding, and spot-check samples with their seeds.

-- Old houses (旧房): the demolition agreement, the demolition, the reclamation (复垦).
ALTER TABLE households ADD COLUMN agreement_signed_on TEXT;
ALTER TABLE households ADD COLUMN demolished_on TEXT;
ALTER TABLE households ADD COLUMN reclaimed_on TEXT;

-- A person at the office looked at a submission; the last review counts.
CREATE TABLE submission_reviews (
    id            TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    decision      TEXT NOT NULL CHECK (decision IN ('approved', 'returned')),
    note          TEXT,
    reviewed_by   TEXT NOT NULL REFERENCES users (id),
    reviewed_at   TEXT NOT NULL
);
CREATE INDEX submission_reviews_submission ON submission_reviews (submission_id, reviewed_at);

-- What a person decided about a conflicting record: keep the stored one or the incoming.
ALTER TABLE conflicts ADD COLUMN decision TEXT CHECK (decision IN ('stored', 'incoming'));
ALTER TABLE conflicts ADD COLUMN decision_note TEXT;
ALTER TABLE conflicts ADD COLUMN decided_by TEXT REFERENCES users (id);
ALTER TABLE conflicts ADD COLUMN decided_at TEXT;

-- Every change of a finding's state, with who, when, why and the evidence photo.
CREATE TABLE finding_events (
    id              TEXT PRIMARY KEY,
    finding_id      TEXT NOT NULL REFERENCES findings (id),
    from_state      TEXT,
    to_state        TEXT NOT NULL CHECK (to_state IN ('open', 'rectified', 'closed', 'reopened')),
    note            TEXT,
    evidence_sha256 TEXT,
    user_id         TEXT NOT NULL REFERENCES users (id),
    at              TEXT NOT NULL
);
CREATE INDEX finding_events_finding ON finding_events (finding_id, at);

-- A drawn spot-check sample: the seed and rule reproduce it.
CREATE TABLE samples (
    id                  TEXT PRIMARY KEY,
    seed                TEXT NOT NULL,       -- u64 in decimal
    township_id         TEXT REFERENCES townships (id),
    site_share_pct      INTEGER NOT NULL,
    min_site_households INTEGER NOT NULL,
    household_share_pct INTEGER NOT NULL,
    eligible_sites      INTEGER NOT NULL,
    note                TEXT,
    created_by          TEXT NOT NULL REFERENCES users (id),
    created_at          TEXT NOT NULL
);

CREATE TABLE sample_households (
    sample_id    TEXT NOT NULL REFERENCES samples (id),
    household_id TEXT NOT NULL REFERENCES households (id),
    site_id      TEXT NOT NULL REFERENCES sites (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (sample_id, household_id)
);
