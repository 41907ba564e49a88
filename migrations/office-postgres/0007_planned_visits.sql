-- Visits planned by the district or the township, as SQLite's 0015_planned_visits.
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check CHECK (kind IN ('recheck', 'visit'));
ALTER TABLE tasks ADD COLUMN visit_kind TEXT
    CHECK (visit_kind IN ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck'));
ALTER TABLE tasks ADD COLUMN instructions TEXT;
UPDATE tasks SET visit_kind = 'recheck' WHERE kind = 'recheck';
CREATE INDEX tasks_open_visits ON tasks (household_id, visit_kind) WHERE state = 'open';
