-- Location as evidence (issue 13): the device's fix with each photo and submission, where a
-- photo came from, and each household's coordinates when the roster gives them.

-- anju_core::location::Fix as JSON: a position with its accuracy and time, or why none.
ALTER TABLE photos ADD COLUMN fix_json TEXT;
-- 'camera' or 'gallery'; NULL for photos from before (all taken with the camera).
ALTER TABLE photos ADD COLUMN source TEXT CHECK (source IN ('camera', 'gallery'));
-- A gallery photo's EXIF DateTimeOriginal, the camera's wall clock (YYYY-MM-DDTHH:MM:SS).
ALTER TABLE photos ADD COLUMN camera_time TEXT;

ALTER TABLE submissions ADD COLUMN position_json TEXT;

-- The house's (or its site's) coordinates, WGS 84 degrees, from the office's roster.
ALTER TABLE households ADD COLUMN latitude REAL;
ALTER TABLE households ADD COLUMN longitude REAL;
