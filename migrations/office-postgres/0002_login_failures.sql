-- As migrations/office/0010_login_failures.sql: failed sign-ins counted for every office
-- process.
CREATE TABLE login_failures (
    scope   TEXT NOT NULL CHECK (scope IN ('name', 'address')),
    key     TEXT NOT NULL,
    count   BIGINT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_failures_last ON login_failures (last_at);
