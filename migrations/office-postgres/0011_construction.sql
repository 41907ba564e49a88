-- Building the new houses, as SQLite's 0019_construction.
ALTER TABLE submissions DROP CONSTRAINT submissions_kind_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_kind_check CHECK (kind IN
    ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck', 'move_in',
     'groundbreaking', 'progress'));
ALTER TABLE tasks DROP CONSTRAINT tasks_visit_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_visit_kind_check CHECK (visit_kind IN
    ('acceptance', 'spot_check', 'demolition', 'reclamation', 'recheck', 'move_in',
     'groundbreaking', 'progress'));

CREATE TABLE construction_visits (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    household_id  TEXT NOT NULL REFERENCES households (id),
    stage         TEXT NOT NULL CHECK (stage IN ('not_started', 'foundation', 'structure',
                      'roofed', 'finishing', 'completed')),
    visited_on    TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX construction_visits_household ON construction_visits (household_id, visited_on);

ALTER TABLE sites ADD COLUMN guarantor_name TEXT;
ALTER TABLE sites ADD COLUMN guarantor_unit TEXT;
ALTER TABLE sites ADD COLUMN guarantor_phone TEXT;

CREATE TABLE site_plans (
    site_id         TEXT NOT NULL REFERENCES sites (id),
    month           TEXT NOT NULL,
    planned_percent BIGINT NOT NULL CHECK (planned_percent BETWEEN 0 AND 100),
    PRIMARY KEY (site_id, month)
);
