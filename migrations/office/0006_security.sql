-- The office under hostile use (issue 12).

-- Office-page sign-ins and devices' expire after different idle times, so each token
-- says which it is. last_seen_at (from 0002) is now kept, coarsely, on use.
ALTER TABLE device_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'device'
    CHECK (kind IN ('device', 'pages'));
UPDATE device_tokens SET kind = 'pages' WHERE device_name = 'office pages';
UPDATE device_tokens SET last_seen_at = created_at WHERE last_seen_at IS NULL;
CREATE INDEX device_tokens_seen ON device_tokens (last_seen_at);

-- Who did what: sign-ins, lockouts, reveals of personal data, reviews, imports, policy
-- changes, finding transitions. Append-only: nothing may change or remove an entry.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,       -- UUIDv7
    at         TEXT NOT NULL,              -- UTC, RFC 3339
    user_id    TEXT REFERENCES users (id), -- NULL when the actor is no known user
    actor      TEXT NOT NULL,              -- the user's name, or the name that was tried
    client     TEXT,                       -- the address the request came from
    action     TEXT NOT NULL,
    target     TEXT,                       -- what it was done to (a household, a finding…)
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_target ON audit_log (target, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
