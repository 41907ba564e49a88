-- 帮扶措施 (issue 15): the support measures of each household, as the office records them,
-- and whether the household is able to develop an industry project (有发展能力). A measure
-- taken back is kept, marked removed, so the record of what was arranged stays.
CREATE TABLE support_measures (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id),
    category     TEXT NOT NULL CHECK (category IN ('industry', 'employment', 'education',
                     'health', 'finance', 'social_security', 'other')),
    description  TEXT NOT NULL,
    started_on   TEXT,
    recorded_by  TEXT REFERENCES users (id),   -- NULL: loaded with the demo or an import
    recorded_at  TEXT NOT NULL,
    removed_at   TEXT,
    removed_by   TEXT REFERENCES users (id)
);
CREATE INDEX support_measures_household ON support_measures (household_id)
    WHERE removed_at IS NULL;
ALTER TABLE households ADD COLUMN able_to_develop INTEGER NOT NULL DEFAULT 0
    CHECK (able_to_develop IN (0, 1));
