-- 开工放线 and 建设进度 (issue 15): drafts and submissions of the two construction visits,
-- and the office's record of them. The CHECKs are widened as in 0008.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck'', ''move_in''))',
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck'', ''move_in'', ''groundbreaking'', ''progress''))')
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections');
PRAGMA schema_version = 2000012;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE construction_guard (widened INTEGER CHECK (widened = 3));
INSERT INTO construction_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections')
  AND sql LIKE '%''groundbreaking'', ''progress''))%';
DROP TABLE construction_guard;
