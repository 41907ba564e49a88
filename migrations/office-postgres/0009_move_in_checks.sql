-- 入住核实, as SQLite's 0017_move_in_checks.
ALTER TABLE submissions DROP CONSTRAINT submissions_kind_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_kind_check CHECK (kind IN
    ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck', 'move_in'));
ALTER TABLE old_house_visits DROP CONSTRAINT old_house_visits_step_check;
ALTER TABLE old_house_visits ADD CONSTRAINT old_house_visits_step_check
    CHECK (step IN ('demolished', 'reclaimed', 'moved_in'));
ALTER TABLE tasks DROP CONSTRAINT tasks_visit_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_visit_kind_check CHECK (visit_kind IN
    ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck', 'move_in'));
