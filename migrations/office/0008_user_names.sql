-- Real names on official records (issue 13): pages, exports and printed forms name people
-- as 姓名（单位/部门）, never by their login. Users made before this keep showing their
-- login, marked as having no name, until one is set (`anju-office user update`).
ALTER TABLE users ADD COLUMN full_name TEXT;     -- 姓名
ALTER TABLE users ADD COLUMN organisation TEXT;  -- 单位/部门, e.g. 区发改委
ALTER TABLE users ADD COLUMN title TEXT;         -- 职务
