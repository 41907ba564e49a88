-- 入住核实 (issue 15): drafts and submissions of a move-in check ('move_in'), and the
-- office's record of them. The CHECKs are widened as in 0008.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck''))',
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck'', ''move_in''))')
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections');
PRAGMA schema_version = 2000010;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE move_in_guard (widened INTEGER CHECK (widened = 3));
INSERT INTO move_in_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections')
  AND sql LIKE '%''move%in''))%';
DROP TABLE move_in_guard;
