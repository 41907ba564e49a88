-- What the field app shows beside a photo: its thumbnail (a blob of its own, never synced),
-- the camera original's hash (recorded when the photo was taken) and the watermark lines.
ALTER TABLE photos ADD COLUMN thumbnail_sha256 TEXT;
ALTER TABLE photos ADD COLUMN original_sha256 TEXT;
ALTER TABLE photos ADD COLUMN watermark_json TEXT;
