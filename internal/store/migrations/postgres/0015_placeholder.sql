-- Reserved for the telemetry migration (branch ingest, 0015_telemetry.sql).
-- This placeholder keeps the numbers contiguous on the alarms branch; delete
-- it when the real 0015 is merged.
SELECT 1;
