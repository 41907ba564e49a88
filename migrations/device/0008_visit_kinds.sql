-- Visits of the whole field cycle (issue 15): drafts and submissions of a 旧房拆除核实
-- ('demolition') or a 宅基地复垦核实 ('reclamation'), and the office's record of them.
-- SQLite cannot alter a CHECK constraint. Widening one changes nothing stored, so this
-- follows SQLite's documented way for such changes (sqlite.org/lang_altertable.html, "making
-- other kinds of table schema changes"): rewrite the table's SQL in sqlite_schema, then set
-- schema_version to a new value so that every connection, this one included, reads the
-- schema again. The guard aborts the migration if a table's SQL was not as expected.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (kind IN (''acceptance'', ''spot_check''))',
                  'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation''))')
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections');
PRAGMA schema_version = 2000008;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE visit_kinds_guard (widened INTEGER CHECK (widened = 3));
INSERT INTO visit_kinds_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('drafts', 'submissions', 'office_inspections') AND sql LIKE '%''reclamation''))%';
DROP TABLE visit_kinds_guard;
