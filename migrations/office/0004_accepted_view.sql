-- The acceptances that count: a submission the office returned (退回) no longer makes its
-- household accepted; the inspector's next acceptance will.
CREATE VIEW accepted_submissions AS
SELECT s.*
FROM submissions s
WHERE s.kind = 'acceptance'
  AND NOT EXISTS (
      SELECT 1 FROM submission_reviews r
      WHERE r.submission_id = s.id AND r.decision = 'returned'
  );
