-- A PIN lock-out also on the device's boot clock (issue 15): while the device has not
-- restarted, setting the phone's time forward does not lift it. The boot is kept as text
-- (a 64-bit number that may not fit SQLite's signed integer).
ALTER TABLE team_members ADD COLUMN locked_boot TEXT;
ALTER TABLE team_members ADD COLUMN locked_until_uptime_ms INTEGER;
