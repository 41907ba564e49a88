-- Visits planned by the district or the township (issue 15): a task may be any kind of
-- visit to a household ('visit', with its submission kind in visit_kind and what the
-- planner asks in instructions), besides a re-check. The kind's CHECK is widened as in 0013.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (kind IN (''recheck''))', 'CHECK (kind IN (''recheck'', ''visit''))')
WHERE type = 'table' AND name = 'tasks';
PRAGMA schema_version = 1000015;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE planned_visits_guard (widened INTEGER CHECK (widened = 1));
INSERT INTO planned_visits_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name = 'tasks' AND sql LIKE '%''visit''))%';
DROP TABLE planned_visits_guard;

ALTER TABLE tasks ADD COLUMN visit_kind TEXT
    CHECK (visit_kind IN ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck'));
ALTER TABLE tasks ADD COLUMN instructions TEXT;
UPDATE tasks SET visit_kind = 'recheck' WHERE kind = 'recheck';
CREATE INDEX tasks_open_visits ON tasks (household_id, visit_kind) WHERE state = 'open';
