-- Placeholder kept only so this branch's migrations run without gaps.
-- The lead deletes it when the branch that owns this number is merged.
SELECT 1;
