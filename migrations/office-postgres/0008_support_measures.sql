-- 帮扶措施, as SQLite's 0016_support_measures.
CREATE TABLE support_measures (
    id           TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id),
    category     TEXT NOT NULL CHECK (category IN ('industry', 'employment', 'education',
                     'health', 'finance', 'social_security', 'other')),
    description  TEXT NOT NULL,
    started_on   TEXT,
    recorded_by  TEXT REFERENCES users (id),
    recorded_at  TEXT NOT NULL,
    removed_at   TEXT,
    removed_by   TEXT REFERENCES users (id)
);
CREATE INDEX support_measures_household ON support_measures (household_id)
    WHERE removed_at IS NULL;
ALTER TABLE households ADD COLUMN able_to_develop BIGINT NOT NULL DEFAULT 0
    CHECK (able_to_develop IN (0, 1));
