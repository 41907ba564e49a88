-- 入住核实 (issue 15): a submission may be a move-in check ('move_in'), which records
-- 已入住 like the old house's checks record theirs (old_house_visits, step 'moved_in'), and
-- it may be planned as a task. The CHECKs are widened as in 0013; the guard aborts the
-- migration if a table's SQL was not as expected.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck''))',
    'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck'', ''move_in''))')
WHERE type = 'table' AND name = 'submissions';
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (step IN (''demolished'', ''reclaimed''))',
                  'CHECK (step IN (''demolished'', ''reclaimed'', ''moved_in''))')
WHERE type = 'table' AND name = 'old_house_visits';
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (visit_kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck''))',
    'CHECK (visit_kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation'', ''recheck'', ''move_in''))')
WHERE type = 'table' AND name = 'tasks';
PRAGMA schema_version = 1000017;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE move_in_guard (widened INTEGER CHECK (widened = 3));
INSERT INTO move_in_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('submissions', 'old_house_visits', 'tasks')
  AND sql LIKE '%''move%in''))%';
DROP TABLE move_in_guard;
