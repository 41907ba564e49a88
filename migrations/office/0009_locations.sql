-- Location as evidence (issue 13): each household's coordinates from the roster (or the
-- demo data), and with each photo and submission the device's fix, where the photo came
-- from and a gallery photo's own time. All nullable: records from before have none.

-- The house's (or its site's) coordinates, WGS 84 degrees.
ALTER TABLE households ADD COLUMN latitude REAL;
ALTER TABLE households ADD COLUMN longitude REAL;

-- anju_core::location::Fix as JSON: a position with its accuracy and time, or why none.
ALTER TABLE photos ADD COLUMN fix_json TEXT;
-- 'camera' or 'gallery'; NULL for photos from before (all taken with the camera).
ALTER TABLE photos ADD COLUMN source TEXT;
-- A gallery photo's EXIF DateTimeOriginal, the camera's wall clock (YYYY-MM-DDTHH:MM:SS).
ALTER TABLE photos ADD COLUMN camera_time TEXT;

ALTER TABLE submissions ADD COLUMN position_json TEXT;
