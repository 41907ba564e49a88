-- Forms the district publishes: the same table and invariants as SQLite's 0012_forms.
CREATE TABLE forms (
    form_id      TEXT NOT NULL,
    version      BIGINT NOT NULL CHECK (version >= 2),
    schema_json  TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    note         TEXT,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);
CREATE TRIGGER forms_are_immutable BEFORE UPDATE ON forms
    FOR EACH ROW EXECUTE FUNCTION anju_refuse('form versions are immutable');
CREATE TRIGGER forms_are_kept BEFORE DELETE ON forms
    FOR EACH ROW EXECUTE FUNCTION anju_refuse('form versions are never deleted');
CREATE TRIGGER forms_are_not_truncated BEFORE TRUNCATE ON forms
    FOR EACH STATEMENT EXECUTE FUNCTION anju_refuse('form versions are never deleted');
