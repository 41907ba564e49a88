-- The read API for the district's other systems (扶贫监测, 国土, 统计): read-only
-- integration tokens an admin makes and revokes, each scoped to townships; and the change
-- log the read API pages by cursor (`read_changes`), fed by triggers on every table whose
-- rows make a household, an acceptance or a finding as the API answers them.

CREATE TABLE integration_tokens (
    id           TEXT PRIMARY KEY,
    -- What the system is (扶贫监测系统): shown on the admin's page.
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- SHA-256 of the secret, never the secret itself (shown once, when made).
    token_sha256 TEXT NOT NULL UNIQUE,
    -- The login of the admin who made it, or `anju-office` for the command line.
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);

-- The townships a token may read: at least one (the code never makes a token without).
CREATE TABLE integration_token_townships (
    token_id    TEXT NOT NULL REFERENCES integration_tokens (id),
    township_id TEXT NOT NULL REFERENCES townships (id),
    PRIMARY KEY (token_id, township_id)
);

-- The read API's sequence: one counter, bumped by the triggers below (on PostgreSQL the
-- row lock and the office's write lock commit its values in order).
CREATE TABLE read_sequence (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO read_sequence (id, value) VALUES (1, 0);

-- Each record of each feed once, at the sequence of its latest change: a page after a
-- cursor is an index range, and a record that changed again moves past the cursor.
CREATE TABLE read_changes (
    feed      TEXT NOT NULL CHECK (feed IN ('household', 'acceptance', 'finding')),
    record_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (feed, record_id)
);
CREATE INDEX read_changes_feed_seq ON read_changes (feed, seq);

-- What the office already holds, in the order it came.
INSERT INTO read_changes (feed, record_id, seq)
SELECT 'household', id, row_number() OVER (ORDER BY created_at, id) FROM households;
INSERT INTO read_changes (feed, record_id, seq)
SELECT 'acceptance', id,
       (SELECT count(*) FROM households) + row_number() OVER (ORDER BY received_at, id)
FROM submissions;
INSERT INTO read_changes (feed, record_id, seq)
SELECT 'finding', id,
       (SELECT count(*) FROM households) + (SELECT count(*) FROM submissions)
       + row_number() OVER (ORDER BY created_at, id)
FROM findings;
UPDATE read_sequence SET value = (SELECT coalesce(max(seq), 0) FROM read_changes) WHERE id = 1;

-- Households: a new one, and a change to what the feed shows (not a no-op update).
CREATE TRIGGER read_households_insert AFTER INSERT ON households BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('household', NEW.id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER read_households_update AFTER UPDATE ON households
WHEN OLD.number IS NOT NEW.number OR OLD.head_name IS NOT NEW.head_name
  OR OLD.size IS NOT NEW.size OR OLD.township_id IS NOT NEW.township_id
  OR OLD.village_id IS NOT NEW.village_id OR OLD.site_id IS NOT NEW.site_id
  OR OLD.mode IS NOT NEW.mode OR OLD.kind IS NOT NEW.kind
  OR OLD.moved_in_at IS NOT NEW.moved_in_at
  OR OLD.agreement_signed_on IS NOT NEW.agreement_signed_on
  OR OLD.demolished_on IS NOT NEW.demolished_on OR OLD.reclaimed_on IS NOT NEW.reclaimed_on
BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('household', NEW.id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;

-- A household's standing (验收合格, 整改中, 已入住 …): the household changes, and so does
-- the verdict of the acceptance that counts for it (and of the one that no longer does).
CREATE TRIGGER read_household_states_insert AFTER INSERT ON household_states BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('household', NEW.household_id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    SELECT 'acceptance', NEW.acceptance_id, (SELECT value FROM read_sequence WHERE id = 1)
    WHERE NEW.acceptance_id IS NOT NULL
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER read_household_states_update AFTER UPDATE ON household_states
WHEN OLD.status IS NOT NEW.status OR OLD.verdict IS NOT NEW.verdict
  OR OLD.accepted IS NOT NEW.accepted OR OLD.acceptance_id IS NOT NEW.acceptance_id
  OR OLD.accepted_at IS NOT NEW.accepted_at OR OLD.over_cap IS NOT NEW.over_cap
  OR OLD.unresolved_findings IS NOT NEW.unresolved_findings
BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('household', NEW.household_id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    SELECT 'acceptance', NEW.acceptance_id, (SELECT value FROM read_sequence WHERE id = 1)
    WHERE NEW.acceptance_id IS NOT NULL
      AND (OLD.acceptance_id IS NOT NEW.acceptance_id OR OLD.verdict IS NOT NEW.verdict
           OR OLD.accepted IS NOT NEW.accepted)
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    SELECT 'acceptance', OLD.acceptance_id, (SELECT value FROM read_sequence WHERE id = 1)
    WHERE OLD.acceptance_id IS NOT NULL AND OLD.acceptance_id IS NOT NEW.acceptance_id
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;

-- Submissions (immutable): when one arrives, when it is reviewed (approved, returned), and
-- when the office's judgement of it (area figures) is made or changes.
CREATE TRIGGER read_submissions_insert AFTER INSERT ON submissions BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('acceptance', NEW.id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER read_submission_reviews_insert AFTER INSERT ON submission_reviews BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('acceptance', NEW.submission_id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER read_submission_checks_insert AFTER INSERT ON submission_checks BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('acceptance', NEW.submission_id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER read_submission_checks_update AFTER UPDATE ON submission_checks
WHEN OLD.built_area_quarter_mm2 IS NOT NEW.built_area_quarter_mm2
  OR OLD.cap_quarter_mm2 IS NOT NEW.cap_quarter_mm2 OR OLD.cap_rule IS NOT NEW.cap_rule
  OR OLD.over_cap IS NOT NEW.over_cap OR OLD.policy_version IS NOT NEW.policy_version
BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('acceptance', NEW.submission_id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;

-- Findings: a new one, its state or words changing, and each step of its history.
CREATE TRIGGER read_findings_insert AFTER INSERT ON findings BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('finding', NEW.id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER read_findings_update AFTER UPDATE ON findings
WHEN OLD.state IS NOT NEW.state OR OLD.updated_at IS NOT NEW.updated_at
  OR OLD.deadline IS NOT NEW.deadline OR OLD.description IS NOT NEW.description
  OR OLD.household_id IS NOT NEW.household_id
BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('finding', NEW.id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER read_finding_events_insert AFTER INSERT ON finding_events BEGIN
    UPDATE read_sequence SET value = value + 1 WHERE id = 1;
    INSERT INTO read_changes (feed, record_id, seq)
    VALUES ('finding', NEW.finding_id, (SELECT value FROM read_sequence WHERE id = 1))
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END;
