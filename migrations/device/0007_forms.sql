-- Forms the district published (issue 15), as the device received them with a pull: a
-- new draft starts on the latest version of its form, a draft keeps the version it
-- started with. Version 1 of each form is built in and not stored.
CREATE TABLE forms (
    form_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    schema_json TEXT NOT NULL,      -- anju_core::form::FormSchema
    pulled_at   TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);
