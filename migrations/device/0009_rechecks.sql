-- 整改复查 (issue 15): drafts and submissions of a re-check ('recheck') name the finding
-- they re-check, and the inspector's tasks from the office are kept for offline work.
-- The kind's CHECK is widened as in 0008 (sqlite.org/lang_altertable.html, "making other
-- kinds of table schema changes"); the guard aborts the migration if the SQL was not as
-- expected.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation''))',
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck''))')
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections');
PRAGMA schema_version = 2000009;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE recheck_kind_guard (widened INTEGER CHECK (widened = 3));
INSERT INTO recheck_kind_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections')
  AND sql LIKE '%''recheck''))%';
DROP TABLE recheck_kind_guard;

ALTER TABLE drafts ADD COLUMN finding_id TEXT;
ALTER TABLE submissions ADD COLUMN finding_id TEXT;

-- The signed-in inspector's open tasks as the office last sent them (anju_core::tasks::Task
-- as JSON), replaced whole by each completed pull.
CREATE TABLE tasks (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    finding_id   TEXT,
    due_on       TEXT NOT NULL,
    task_json    TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
CREATE INDEX tasks_by_due ON tasks (due_on, id);
