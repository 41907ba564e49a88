-- 面积丈量督查, 乡镇初验 and 分工验收, as SQLite's 0020_township_and_area_visits.
ALTER TABLE submissions DROP CONSTRAINT submissions_kind_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_kind_check CHECK (kind IN
    ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck', 'move_in',
     'groundbreaking', 'progress', 'area_inspection', 'township_check', 'acceptance_part'));
ALTER TABLE tasks DROP CONSTRAINT tasks_visit_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_visit_kind_check CHECK (visit_kind IN
    ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck', 'move_in',
     'groundbreaking', 'progress', 'area_inspection', 'township_check'));

CREATE TABLE acceptance_parts (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    household_id  TEXT NOT NULL REFERENCES households (id),
    department    TEXT NOT NULL CHECK (department IN ('poverty', 'reform', 'land', 'housing')),
    form_version  BIGINT NOT NULL,
    received_at   TEXT NOT NULL,
    merge_problem TEXT
);
-- The latest part of each department, found without reading the others.
CREATE INDEX acceptance_parts_latest
    ON acceptance_parts (household_id, form_version, department, received_at);
-- Which parts each merged acceptance was made of (a part may serve in several: a part
-- corrected after a return merges with the others' latest).
CREATE TABLE acceptance_merges (
    merged_id TEXT NOT NULL REFERENCES submissions (id),
    part_id   TEXT NOT NULL REFERENCES acceptance_parts (submission_id),
    PRIMARY KEY (merged_id, part_id)
);
CREATE INDEX acceptance_merges_part ON acceptance_merges (part_id);

CREATE OR REPLACE VIEW live_submissions AS
SELECT s.* FROM submissions s
WHERE s.kind <> 'acceptance_part'
  AND NOT EXISTS (SELECT 1 FROM quarantine q
                  WHERE q.record_kind = 'submission' AND q.record_id = s.id);
