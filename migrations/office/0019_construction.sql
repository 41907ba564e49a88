-- Building the new houses (issue 15): 开工放线 ('groundbreaking') and 建设进度 ('progress')
-- visits, which may be planned as tasks; the stage each visit found (construction_visits);
-- each site's 包保责任人 and its monthly progress plan (site_plans). The CHECKs are widened
-- as in 0013; the guard aborts the migration if a table's SQL was not as expected.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck'', ''move_in''))',
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck'', ''move_in'', ''groundbreaking'', ''progress''))')
WHERE type = 'table' AND name = 'submissions';
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (visit_kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck'', ''move_in''))',
    'CHECK (visit_kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck'', ''move_in'', ''groundbreaking'', ''progress''))')
WHERE type = 'table' AND name = 'tasks';
PRAGMA schema_version = 1000019;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE construction_guard (widened INTEGER CHECK (widened = 2));
INSERT INTO construction_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('submissions', 'tasks')
  AND sql LIKE '%''groundbreaking'', ''progress''))%';
DROP TABLE construction_guard;

-- The stage a construction visit found; the latest visit of a household counts.
CREATE TABLE construction_visits (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    household_id  TEXT NOT NULL REFERENCES households (id),
    stage         TEXT NOT NULL CHECK (stage IN ('not_started', 'foundation', 'structure',
                      'roofed', 'finishing', 'completed')),
    visited_on    TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX construction_visits_household ON construction_visits (household_id, visited_on);

-- 包保责任人 of each site.
ALTER TABLE sites ADD COLUMN guarantor_name TEXT;
ALTER TABLE sites ADD COLUMN guarantor_unit TEXT;
ALTER TABLE sites ADD COLUMN guarantor_phone TEXT;

-- The site's monthly progress plan: by the end of each month, this share built.
CREATE TABLE site_plans (
    site_id         TEXT NOT NULL REFERENCES sites (id),
    month           TEXT NOT NULL,
    planned_percent INTEGER NOT NULL CHECK (planned_percent BETWEEN 0 AND 100),
    PRIMARY KEY (site_id, month)
);
