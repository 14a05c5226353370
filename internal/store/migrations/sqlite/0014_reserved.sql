-- Reserved for the equipment register's migration (branch equip). This
-- placeholder keeps the numbers contiguous on the ingest branch; delete it
-- when the real 0014 is merged.
SELECT 1;
