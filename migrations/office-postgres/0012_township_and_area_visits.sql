-- 面积丈量督查 and 乡镇初验, as SQLite's 0020_township_and_area_visits.
ALTER TABLE submissions DROP CONSTRAINT submissions_kind_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_kind_check CHECK (kind IN
    ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck', 'move_in',
     'groundbreaking', 'progress', 'area_inspection', 'township_check'));
ALTER TABLE tasks DROP CONSTRAINT tasks_visit_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_visit_kind_check CHECK (visit_kind IN
    ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck', 'move_in',
     'groundbreaking', 'progress', 'area_inspection', 'township_check'));
