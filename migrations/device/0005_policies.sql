-- The district's policy travels to the device: every version the office set, so that the
-- device assesses with the one in force on the day. A submission records the version it
-- was assessed with and the figures it gave, which the office checks.
CREATE TABLE policies (
    version        INTEGER PRIMARY KEY,
    effective_from TEXT NOT NULL,      -- China date, YYYY-MM-DD
    version_json   TEXT NOT NULL,      -- anju_core::district_policy::PolicyVersion
    pulled_at      TEXT NOT NULL
);

ALTER TABLE submissions ADD COLUMN policy_version INTEGER;
ALTER TABLE submissions ADD COLUMN recorded_area_json TEXT;

-- Findings the office raised itself (面积超标, a critical item), which no device made, and
-- where the office says each household stands.
ALTER TABLE office_findings ADD COLUMN origin TEXT NOT NULL DEFAULT 'inspector';
ALTER TABLE office_findings ADD COLUMN description TEXT;
ALTER TABLE office_findings ADD COLUMN deadline TEXT;
ALTER TABLE households ADD COLUMN office_status TEXT;
ALTER TABLE households ADD COLUMN office_verdict TEXT;
