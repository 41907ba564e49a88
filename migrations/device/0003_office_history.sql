-- What the office holds of each household's inspections, from any device, replaced on
-- every pull of the household: a supervisor's device learns the area an acceptance
-- recorded on another device, and an inspector learns that the office returned one.
CREATE TABLE office_inspections (
    submission_id TEXT PRIMARY KEY,
    household_id  TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('acceptance', 'spot_check')),
    inspector     TEXT NOT NULL,
    made_at       TEXT NOT NULL,
    -- The built area in quarter square millimetres (anju_core::area::Area), exact.
    built_area_quarter_mm2 INTEGER,
    over_limit    INTEGER CHECK (over_limit IN (0, 1)),
    returned      INTEGER NOT NULL CHECK (returned IN (0, 1)),
    pulled_at     TEXT NOT NULL
);
CREATE INDEX office_inspections_household ON office_inspections (household_id, made_at);

-- Where the office's rectification (整改) of each finding stands; the finding the device
-- made stays as it was sent, and the lists show the office's state over it.
CREATE TABLE office_findings (
    finding_id   TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    state        TEXT NOT NULL CHECK (state IN ('open', 'rectified', 'closed', 'reopened')),
    changed_at   TEXT NOT NULL,
    pulled_at    TEXT NOT NULL
);
CREATE INDEX office_findings_household ON office_findings (household_id);
