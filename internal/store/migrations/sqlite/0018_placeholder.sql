-- Placeholder for 0018 (patents branch); the lead drops it on merge.
SELECT 1;
