-- 整改复查, as SQLite's 0014_rechecks: a submission may re-check a finding, and the office
-- plans work for inspectors as tasks. The views over submissions are made again, since a
-- PostgreSQL view fixes its columns when it is made.
ALTER TABLE submissions DROP CONSTRAINT submissions_kind_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_kind_check
    CHECK (kind IN ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck'));
-- No foreign key: findings name their submission, and a copy (`migrate`) moves
-- submissions before findings; the office checks the finding when the re-check arrives.
ALTER TABLE submissions ADD COLUMN finding_id TEXT;
CREATE INDEX submissions_finding ON submissions (finding_id) WHERE finding_id IS NOT NULL;

CREATE OR REPLACE VIEW live_submissions AS
SELECT s.* FROM submissions s
WHERE NOT EXISTS (SELECT 1 FROM quarantine q
                  WHERE q.record_kind = 'submission' AND q.record_id = s.id);
CREATE OR REPLACE VIEW accepted_submissions AS
SELECT s.* FROM live_submissions s
WHERE s.kind = 'acceptance'
  AND NOT EXISTS (
      SELECT 1 FROM submission_reviews r
      WHERE r.submission_id = s.id AND r.decision = 'returned'
  );

CREATE TABLE tasks (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('recheck')),
    household_id  TEXT NOT NULL REFERENCES households (id),
    finding_id    TEXT REFERENCES findings (id),
    assignee_id   TEXT REFERENCES users (id),
    due_on        TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
    outcome       TEXT CHECK (outcome IN ('confirmed', 'not_rectified')),
    submission_id TEXT REFERENCES submissions (id),
    created_at    TEXT NOT NULL,
    created_by    TEXT REFERENCES users (id),
    done_at       TEXT
);
CREATE INDEX tasks_open_by_assignee ON tasks (assignee_id, due_on) WHERE state = 'open';
CREATE INDEX tasks_by_finding ON tasks (finding_id);
