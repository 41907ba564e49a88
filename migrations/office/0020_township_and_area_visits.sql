-- 面积丈量督查 ('area_inspection') and 乡镇初验 ('township_check') (issue 15): two more
-- visits, which may be planned as tasks; and 分工验收 ('acceptance_part'), one department's
-- part of a team's acceptance, which the office merges into one acceptance. The CHECKs are widened as in 0019; the guard
-- aborts the migration if a table's SQL was not as expected.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    '''groundbreaking'', ''progress''))',
    '''groundbreaking'', ''progress'', ''area_inspection'', ''township_check'', ''acceptance_part''))')
WHERE type = 'table' AND name IN ('submissions', 'tasks');
PRAGMA schema_version = 1000020;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE field_cycle_guard (widened INTEGER CHECK (widened = 2));
INSERT INTO field_cycle_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('submissions', 'tasks')
  AND sql LIKE '%''area_inspection'', ''township_check'', ''acceptance_part''))%';
DROP TABLE field_cycle_guard;

-- The parts of team acceptances, and the acceptances they were merged into. A part is evidence,
-- not a visit: it is kept in submissions but left out of live_submissions, so that no list,
-- review or report counts it; the merged acceptance stands for it.
CREATE TABLE acceptance_parts (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    household_id  TEXT NOT NULL REFERENCES households (id),
    department    TEXT NOT NULL CHECK (department IN ('poverty', 'reform', 'land', 'housing')),
    form_version  INTEGER NOT NULL,
    received_at   TEXT NOT NULL,
    -- Why the parts could not be merged, when they could not (zh / en).
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

DROP VIEW accepted_submissions;
DROP VIEW live_submissions;
CREATE VIEW live_submissions AS
SELECT s.* FROM submissions s
WHERE s.kind <> 'acceptance_part'
  AND NOT EXISTS (SELECT 1 FROM quarantine q
                  WHERE q.record_kind = 'submission' AND q.record_id = s.id);
CREATE VIEW accepted_submissions AS
SELECT s.* FROM live_submissions s
WHERE s.kind = 'acceptance'
  AND NOT EXISTS (
      SELECT 1 FROM submission_reviews r
      WHERE r.submission_id = s.id AND r.decision = 'returned'
  );
