-- Placeholder for a migration of another branch; the lead deletes it at merge.
SELECT 1;
