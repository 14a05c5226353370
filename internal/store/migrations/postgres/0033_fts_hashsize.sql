-- Nothing to change on PostgreSQL: the migration of the same number sets
-- the size of SQLite's FTS5 pending-terms hash.
SELECT 1;
