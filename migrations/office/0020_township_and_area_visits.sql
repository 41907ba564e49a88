-- 面积丈量督查 ('area_inspection') and 乡镇初验 ('township_check') (issue 15): two more
-- visits, which may be planned as tasks. The CHECKs are widened as in 0019; the guard
-- aborts the migration if a table's SQL was not as expected.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    '''groundbreaking'', ''progress''))',
    '''groundbreaking'', ''progress'', ''area_inspection'', ''township_check''))')
WHERE type = 'table' AND name IN ('submissions', 'tasks');
PRAGMA schema_version = 1000020;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE field_cycle_guard (widened INTEGER CHECK (widened = 2));
INSERT INTO field_cycle_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('submissions', 'tasks')
  AND sql LIKE '%''area_inspection'', ''township_check''))%';
DROP TABLE field_cycle_guard;
