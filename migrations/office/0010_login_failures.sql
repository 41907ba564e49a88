-- Several office processes (issue 14): failed sign-ins are counted in the database, so that
-- every process behind a load balancer slows down the same attacker, and a restart
-- forgets nothing. scope 'name': a name tried from an address (key "address name");
-- scope 'address': an address over all names (key "address"). Old rows are forgotten by
-- the office's hourly maintenance.
CREATE TABLE login_failures (
    scope   TEXT NOT NULL CHECK (scope IN ('name', 'address')),
    key     TEXT NOT NULL,
    count   INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_failures_last ON login_failures (last_at);
