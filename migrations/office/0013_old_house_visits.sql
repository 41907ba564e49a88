-- Visits of the whole field cycle (issue 15): a submission may be a 旧房拆除核实
-- ('demolition') or a 宅基地复垦核实 ('reclamation') besides an acceptance or a spot check.
-- SQLite cannot alter a CHECK constraint. Widening one changes nothing stored, so this
-- follows SQLite's documented way for such changes (sqlite.org/lang_altertable.html, "making
-- other kinds of table schema changes"): rewrite the table's SQL in sqlite_schema, then set
-- schema_version to a new value so that every connection, this one included, reads the
-- schema again. The guard aborts the migration if a table's SQL was not as expected.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (kind IN (''acceptance'', ''spot_check''))',
                  'CHECK (kind IN (''acceptance'', ''spot_check'', ''demolition'', ''reclamation''))')
WHERE type = 'table' AND name IN ('submissions');
PRAGMA schema_version = 1000013;
PRAGMA writable_schema = OFF;
CREATE TEMP TABLE visit_kinds_guard (widened INTEGER CHECK (widened = 1));
INSERT INTO visit_kinds_guard
SELECT count(*) FROM sqlite_schema
WHERE type = 'table' AND name IN ('submissions') AND sql LIKE '%''reclamation''))%';
DROP TABLE visit_kinds_guard;

-- What each visit to the old house did to its household's milestones: a visit that
-- confirms the step records it on the visit's date, unless it was recorded before or the
-- order (agreement, demolition, reclamation) refuses it; the reason is kept so that the
-- household's timeline says why a visit moved nothing.
CREATE TABLE old_house_visits (
    submission_id TEXT PRIMARY KEY REFERENCES submissions(id),
    household_id  TEXT NOT NULL REFERENCES households(id),
    step          TEXT NOT NULL CHECK (step IN ('demolished', 'reclaimed')),
    visited_on    TEXT NOT NULL,
    outcome       TEXT NOT NULL
                  CHECK (outcome IN ('recorded', 'already', 'refused', 'not_confirmed')),
    reason_zh     TEXT,
    reason_en     TEXT,
    decided_at    TEXT NOT NULL
);
CREATE INDEX old_house_visits_by_household ON old_house_visits (household_id, visited_on);
