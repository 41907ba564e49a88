-- Visits of the whole field cycle, as SQLite's 0013_old_house_visits: two more kinds of
-- submission, and what each visit to the old house did to its household's milestones.
ALTER TABLE submissions DROP CONSTRAINT submissions_kind_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_kind_check
    CHECK (kind IN ('acceptance', 'spot_check', 'demolition', 'reclamation'));
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
