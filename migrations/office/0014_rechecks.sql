-- 整改复查 (issue 15): a submission may re-check a finding ('recheck', naming it in
-- finding_id), and the office plans work for inspectors as tasks their devices receive.
-- The kind's CHECK is widened as in 0013 (sqlite.org/lang_altertable.html, "making other
-- kinds of table schema changes"); the guard aborts the migration if the SQL was not as
-- expected.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation''))',
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck''))')
WHERE type = 'table' AND name = 'submissions';
PRAGMA schema_version = 1000014;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE recheck_kind_guard (widened INTEGER CHECK (widened = 1));
INSERT INTO recheck_kind_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name = 'submissions' AND sql LIKE '%''recheck''))%';
DROP TABLE recheck_kind_guard;

-- No foreign key: findings name their submission, and a copy (`migrate`) moves
-- submissions before findings; the office checks the finding when the re-check arrives.
ALTER TABLE submissions ADD COLUMN finding_id TEXT;
CREATE INDEX submissions_finding ON submissions (finding_id) WHERE finding_id IS NOT NULL;

-- A task: one piece of field work for one inspector (or none yet: the district assigns
-- it), with a due date. A 整改复查 task is made when the township reports a finding
-- rectified, and done by the re-check that arrives for it.
CREATE TABLE tasks (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('recheck')),
    household_id  TEXT NOT NULL REFERENCES households (id),
    finding_id    TEXT REFERENCES findings (id),
    assignee_id   TEXT REFERENCES users (id),
    due_on        TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
    -- For a done re-check: whether it confirmed the rectification.
    outcome       TEXT CHECK (outcome IN ('confirmed', 'not_rectified')),
    submission_id TEXT REFERENCES submissions (id),
    created_at    TEXT NOT NULL,
    created_by    TEXT REFERENCES users (id),
    done_at       TEXT
);
CREATE INDEX tasks_open_by_assignee ON tasks (assignee_id, due_on) WHERE state = 'open';
CREATE INDEX tasks_by_finding ON tasks (finding_id);
