-- Forms the district publishes (issue 15): each version of a form as JSON
-- (anju_core::form::FormSchema), never changed or deleted, since a submission names the
-- version it was filled against and the office prints it by that version. The built-in
-- version 1 of each form is not stored: every build knows it.
CREATE TABLE forms (
    form_id      TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 2),
    schema_json  TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    note         TEXT,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);
CREATE TRIGGER forms_are_immutable BEFORE UPDATE ON forms
BEGIN
    SELECT RAISE(ABORT, 'form versions are immutable');
END;
CREATE TRIGGER forms_are_kept BEFORE DELETE ON forms
BEGIN
    SELECT RAISE(ABORT, 'form versions are never deleted');
END;
