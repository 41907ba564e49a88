-- 面积丈量督查 ('area_inspection') and 乡镇初验 ('township_check') (issue 15): drafts and
-- submissions of the two visits, and the office's record of them; and 分工验收
-- ('acceptance_part'), a member's part of a team's acceptance. Widened as in 0012.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    '''groundbreaking'', ''progress''))',
    '''groundbreaking'', ''progress'', ''area_inspection'', ''township_check'', ''acceptance_part''))')
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections');
PRAGMA schema_version = 2000013;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE field_cycle_guard (widened INTEGER CHECK (widened = 3));
INSERT INTO field_cycle_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections')
  AND sql LIKE '%''area_inspection'', ''township_check'', ''acceptance_part''))%';
DROP TABLE field_cycle_guard;
