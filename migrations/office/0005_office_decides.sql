-- The office decides: the district's policy as versioned data, what the office made of
-- each submission, findings the office raises itself, each household's standing, and
-- rows set aside because they cannot be read.

-- Every version of the district's policy; a record is judged by the version in force on
-- its date. Versions are never changed or deleted: a new one takes over.
CREATE TABLE policies (
    version        INTEGER PRIMARY KEY,
    effective_from TEXT NOT NULL,       -- China date, YYYY-MM-DD
    policy_json    TEXT NOT NULL,       -- anju_core::district_policy::DistrictPolicy
    set_by         TEXT NOT NULL,
    set_at         TEXT NOT NULL
);
CREATE TRIGGER policies_are_immutable BEFORE UPDATE ON policies
BEGIN
    SELECT RAISE(ABORT, 'policy versions are immutable');
END;
CREATE TRIGGER policies_are_kept BEFORE DELETE ON policies
BEGIN
    SELECT RAISE(ABORT, 'policy versions are never deleted');
END;

-- What a submission recorded of its own assessment (the device's policy version and
-- figures), kept as it came so that the record can be rebuilt exactly.
ALTER TABLE submissions ADD COLUMN policy_version INTEGER;
ALTER TABLE submissions ADD COLUMN recorded_area_json TEXT;

-- The office's judgement of each submission, made when it arrives (again when a new
-- policy version takes effect on its day): derived data, never typed by a person.
CREATE TABLE submission_checks (
    submission_id          TEXT PRIMARY KEY REFERENCES submissions (id),
    policy_version         INTEGER NOT NULL,   -- in force on the submission's date
    device_policy_version  INTEGER,            -- as the device named it
    built_area_quarter_mm2 INTEGER,            -- NULL without a measurement
    cap_quarter_mm2        INTEGER,
    cap_rule               TEXT,
    over_cap               INTEGER NOT NULL DEFAULT 0 CHECK (over_cap IN (0, 1)),
    critical_failures_json TEXT NOT NULL DEFAULT '[]',
    people_found           INTEGER,            -- 实际家庭人口 on site
    people_registered      INTEGER NOT NULL,
    policy_mismatch_zh     TEXT,               -- the device assessed otherwise
    policy_mismatch_en     TEXT,
    checked_at             TEXT NOT NULL
);

-- Findings the office raises (面积超标, a failed critical item) beside the inspectors',
-- and whether a finding blocks acceptance until it is closed.
ALTER TABLE findings ADD COLUMN origin TEXT NOT NULL DEFAULT 'inspector'
    CHECK (origin IN ('inspector', 'area_over_cap', 'critical_item'));
ALTER TABLE findings ADD COLUMN critical INTEGER NOT NULL DEFAULT 0 CHECK (critical IN (0, 1));
-- The spot check whose re-measure closed a finding, when one did.
ALTER TABLE finding_events ADD COLUMN submission_id TEXT REFERENCES submissions (id);

-- Where each household stands: kept by the office after every change that moves it
-- (submission, review, finding, move-in, policy). No row: 待验收 with nothing found.
CREATE TABLE household_states (
    household_id        TEXT PRIMARY KEY REFERENCES households (id),
    status              TEXT NOT NULL CHECK (status IN
                            ('pending', 'awaiting_review', 'accepted', 'rectifying', 'failed',
                             'moved_in')),
    verdict             TEXT CHECK (verdict IN ('pass', 'pass_after_rectification', 'fail')),
    accepted            INTEGER NOT NULL DEFAULT 0 CHECK (accepted IN (0, 1)),  -- 已验收
    acceptance_id       TEXT REFERENCES submissions (id),  -- the latest that counts
    accepted_at         TEXT,       -- when that acceptance was made, once it counts
    over_cap            INTEGER NOT NULL DEFAULT 0 CHECK (over_cap IN (0, 1)),
    unresolved_findings INTEGER NOT NULL DEFAULT 0,
    updated_at          TEXT NOT NULL
);
CREATE INDEX household_states_status ON household_states (status);

-- Rows that cannot be read, set aside with the reason by `anju-office damaged`. Lists and
-- decisions leave them out; the rows themselves stay as they are.
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

-- The acceptances that count: not returned (退回), not set aside.
DROP VIEW accepted_submissions;
CREATE VIEW accepted_submissions AS
SELECT s.* FROM live_submissions s
WHERE s.kind = 'acceptance'
  AND NOT EXISTS (
      SELECT 1 FROM submission_reviews r
      WHERE r.submission_id = s.id AND r.decision = 'returned'
  );

-- Samples draw scattered households too (no site): the table is rebuilt with a nullable
-- site and the rule's scattered share kept with the sample.
ALTER TABLE samples ADD COLUMN scattered_share_pct INTEGER NOT NULL DEFAULT 0;
CREATE TABLE sample_households_new (
    sample_id    TEXT NOT NULL REFERENCES samples (id),
    household_id TEXT NOT NULL REFERENCES households (id),
    site_id      TEXT REFERENCES sites (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (sample_id, household_id)
);
INSERT INTO sample_households_new (sample_id, household_id, site_id, position)
SELECT sample_id, household_id, site_id, position FROM sample_households;
DROP TABLE sample_households;
ALTER TABLE sample_households_new RENAME TO sample_households;
