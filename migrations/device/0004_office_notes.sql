-- The office's words with its history: why an acceptance was returned, and the note of
-- the latest rectification step of a finding.
ALTER TABLE office_inspections ADD COLUMN return_note TEXT;
ALTER TABLE office_findings ADD COLUMN note TEXT;
