-- The read API's integration tokens and change log on PostgreSQL: the same tables and
-- triggers as migrations/office/0021_integration_tokens.sql (read that for what each is
-- for), in PostgreSQL's types.

CREATE TABLE integration_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);

CREATE TABLE integration_token_townships (
    token_id    TEXT NOT NULL REFERENCES integration_tokens (id),
    township_id TEXT NOT NULL REFERENCES townships (id),
    PRIMARY KEY (token_id, township_id)
);

CREATE TABLE read_sequence (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO read_sequence (id, value) VALUES (1, 0);

CREATE TABLE read_changes (
    feed      TEXT NOT NULL CHECK (feed IN ('household', 'acceptance', 'finding')),
    record_id TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    PRIMARY KEY (feed, record_id)
);
CREATE INDEX read_changes_feed_seq ON read_changes (feed, seq);

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

-- One record of one feed changed now (nothing for a null id).
CREATE FUNCTION anju_read_change(p_feed TEXT, p_record TEXT) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    next_seq BIGINT;
BEGIN
    IF p_record IS NULL THEN
        RETURN;
    END IF;
    UPDATE read_sequence SET value = value + 1 WHERE id = 1 RETURNING value INTO next_seq;
    INSERT INTO read_changes (feed, record_id, seq) VALUES (p_feed, p_record, next_seq)
    ON CONFLICT (feed, record_id) DO UPDATE SET seq = excluded.seq;
END
$$;

CREATE FUNCTION anju_read_households() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM anju_read_change('household', NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER read_households_insert AFTER INSERT ON households
    FOR EACH ROW EXECUTE FUNCTION anju_read_households();
CREATE TRIGGER read_households_update AFTER UPDATE ON households
    FOR EACH ROW WHEN ((OLD.number, OLD.head_name, OLD.size, OLD.township_id, OLD.village_id,
                        OLD.site_id, OLD.mode, OLD.kind, OLD.moved_in_at,
                        OLD.agreement_signed_on, OLD.demolished_on, OLD.reclaimed_on)
                       IS DISTINCT FROM
                       (NEW.number, NEW.head_name, NEW.size, NEW.township_id, NEW.village_id,
                        NEW.site_id, NEW.mode, NEW.kind, NEW.moved_in_at,
                        NEW.agreement_signed_on, NEW.demolished_on, NEW.reclaimed_on))
    EXECUTE FUNCTION anju_read_households();

CREATE FUNCTION anju_read_household_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM anju_read_change('household', NEW.household_id);
    IF TG_OP = 'INSERT' THEN
        PERFORM anju_read_change('acceptance', NEW.acceptance_id);
    ELSE
        IF (OLD.acceptance_id, OLD.verdict, OLD.accepted)
           IS DISTINCT FROM (NEW.acceptance_id, NEW.verdict, NEW.accepted) THEN
            PERFORM anju_read_change('acceptance', NEW.acceptance_id);
        END IF;
        IF OLD.acceptance_id IS DISTINCT FROM NEW.acceptance_id THEN
            PERFORM anju_read_change('acceptance', OLD.acceptance_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER read_household_states_insert AFTER INSERT ON household_states
    FOR EACH ROW EXECUTE FUNCTION anju_read_household_states();
CREATE TRIGGER read_household_states_update AFTER UPDATE ON household_states
    FOR EACH ROW WHEN ((OLD.status, OLD.verdict, OLD.accepted, OLD.acceptance_id,
                        OLD.accepted_at, OLD.over_cap, OLD.unresolved_findings)
                       IS DISTINCT FROM
                       (NEW.status, NEW.verdict, NEW.accepted, NEW.acceptance_id,
                        NEW.accepted_at, NEW.over_cap, NEW.unresolved_findings))
    EXECUTE FUNCTION anju_read_household_states();

CREATE FUNCTION anju_read_submissions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM anju_read_change('acceptance', NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER read_submissions_insert AFTER INSERT ON submissions
    FOR EACH ROW EXECUTE FUNCTION anju_read_submissions();

CREATE FUNCTION anju_read_submission_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM anju_read_change('acceptance', NEW.submission_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER read_submission_reviews_insert AFTER INSERT ON submission_reviews
    FOR EACH ROW EXECUTE FUNCTION anju_read_submission_rows();
CREATE TRIGGER read_submission_checks_insert AFTER INSERT ON submission_checks
    FOR EACH ROW EXECUTE FUNCTION anju_read_submission_rows();
CREATE TRIGGER read_submission_checks_update AFTER UPDATE ON submission_checks
    FOR EACH ROW WHEN ((OLD.built_area_quarter_mm2, OLD.cap_quarter_mm2, OLD.cap_rule,
                        OLD.over_cap, OLD.policy_version)
                       IS DISTINCT FROM
                       (NEW.built_area_quarter_mm2, NEW.cap_quarter_mm2, NEW.cap_rule,
                        NEW.over_cap, NEW.policy_version))
    EXECUTE FUNCTION anju_read_submission_rows();

CREATE FUNCTION anju_read_findings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM anju_read_change('finding', NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER read_findings_insert AFTER INSERT ON findings
    FOR EACH ROW EXECUTE FUNCTION anju_read_findings();
CREATE TRIGGER read_findings_update AFTER UPDATE ON findings
    FOR EACH ROW WHEN ((OLD.state, OLD.updated_at, OLD.deadline, OLD.description,
                        OLD.household_id)
                       IS DISTINCT FROM
                       (NEW.state, NEW.updated_at, NEW.deadline, NEW.description,
                        NEW.household_id))
    EXECUTE FUNCTION anju_read_findings();

CREATE FUNCTION anju_read_finding_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM anju_read_change('finding', NEW.finding_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER read_finding_events_insert AFTER INSERT ON finding_events
    FOR EACH ROW EXECUTE FUNCTION anju_read_finding_events();
