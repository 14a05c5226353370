-- Scale path measurement (docs/PERFORMANCE.md, "Scale path"): 10 M telemetry messages in a
-- single table and in a range-partitioned one. Needs a schema scale_tel holding telemetry_messages
-- (run `sidi bench telemetry --db 'postgres://…&search_path=scale_tel'` first). Run: psql -f FILE
\timing on
DROP TABLE IF EXISTS scale_tel.big;
CREATE TABLE scale_tel.big (LIKE scale_tel.telemetry_messages INCLUDING ALL);
INSERT INTO scale_tel.big (equipment_code, at_ms, device_id, received_ms, points)
SELECT 'DEV' || lpad(d::text, 6, '0'), 1764547200000 + m * 10000, d, 1764547200000 + m * 10000 + 50,
  jsonb_build_object('steam_pressure', jsonb_build_object('v', round((0.9 + random()*0.2)::numeric, 3), 'u', 'MPa'),
   'water_level', jsonb_build_object('v', round((random()*40-20)::numeric,1), 'u', 'mm'),
   'flue_temp', jsonb_build_object('v', round((150+random()*30)::numeric,1), 'u', '℃'),
   'fuel_flow', jsonb_build_object('v', round((80+random()*10)::numeric,2), 'u', 'm3/h'),
   'flame', jsonb_build_object('v', 1, 'u', ''))
FROM generate_series(1, 1000) d, generate_series(0, 9999) m;
ANALYZE scale_tel.big;
SELECT count(*), pg_size_pretty(pg_total_relation_size('scale_tel.big')) total, pg_total_relation_size('scale_tel.big')/count(*) bytes_per_msg FROM scale_tel.big;
\timing on
DROP TABLE IF EXISTS scale_tel.bigp;
CREATE TABLE scale_tel.bigp (LIKE scale_tel.big INCLUDING DEFAULTS, PRIMARY KEY (equipment_code, at_ms)) PARTITION BY RANGE (at_ms);
-- 6-hour partitions standing in for months (the data spans 27.8 hours)
CREATE TABLE scale_tel.bigp_0 PARTITION OF scale_tel.bigp FOR VALUES FROM (1764547200000) TO (1764547200000 + 21600000);
CREATE TABLE scale_tel.bigp_1 PARTITION OF scale_tel.bigp FOR VALUES FROM (1764547200000 + 21600000) TO (1764547200000 + 2*21600000);
CREATE TABLE scale_tel.bigp_2 PARTITION OF scale_tel.bigp FOR VALUES FROM (1764547200000 + 2*21600000) TO (1764547200000 + 3*21600000);
CREATE TABLE scale_tel.bigp_3 PARTITION OF scale_tel.bigp FOR VALUES FROM (1764547200000 + 3*21600000) TO (1764547200000 + 4*21600000);
CREATE TABLE scale_tel.bigp_4 PARTITION OF scale_tel.bigp FOR VALUES FROM (1764547200000 + 4*21600000) TO (1764547200000 + 5*21600000);
INSERT INTO scale_tel.bigp SELECT * FROM scale_tel.big;
ANALYZE scale_tel.bigp;
-- the chart query of telemetry.Store.Series for one device over 6 hours, 120 buckets (twice: cold, warm)
\set q 'SELECT (at_ms - 1764568800000) / 180000 AS b, AVG(v), MIN(v), MAX(v), COUNT(*) FROM (SELECT at_ms, (points->''steam_pressure''->>''v'')::float8 AS v FROM scale_tel.TBL WHERE equipment_code = ''DEV000517'' AND at_ms >= 1764568800000 AND at_ms < 1764590400000) x WHERE v IS NOT NULL GROUP BY b ORDER BY b'
SELECT count(*) FROM (SELECT (at_ms - 1764568800000) / 180000 AS b, AVG(v) FROM (SELECT at_ms, (points->'steam_pressure'->>'v')::float8 AS v FROM scale_tel.big WHERE equipment_code = 'DEV000517' AND at_ms >= 1764568800000 AND at_ms < 1764590400000) x WHERE v IS NOT NULL GROUP BY b) y;
SELECT count(*) FROM (SELECT (at_ms - 1764568800000) / 180000 AS b, AVG(v) FROM (SELECT at_ms, (points->'steam_pressure'->>'v')::float8 AS v FROM scale_tel.big WHERE equipment_code = 'DEV000518' AND at_ms >= 1764568800000 AND at_ms < 1764590400000) x WHERE v IS NOT NULL GROUP BY b) y;
SELECT count(*) FROM (SELECT (at_ms - 1764568800000) / 180000 AS b, AVG(v) FROM (SELECT at_ms, (points->'steam_pressure'->>'v')::float8 AS v FROM scale_tel.bigp WHERE equipment_code = 'DEV000517' AND at_ms >= 1764568800000 AND at_ms < 1764590400000) x WHERE v IS NOT NULL GROUP BY b) y;
SELECT count(*) FROM (SELECT (at_ms - 1764568800000) / 180000 AS b, AVG(v) FROM (SELECT at_ms, (points->'steam_pressure'->>'v')::float8 AS v FROM scale_tel.bigp WHERE equipment_code = 'DEV000518' AND at_ms >= 1764568800000 AND at_ms < 1764590400000) x WHERE v IS NOT NULL GROUP BY b) y;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT (at_ms - 1764568800000) / 180000 AS b, AVG(v), MIN(v), MAX(v), COUNT(*) FROM (SELECT at_ms, (points->'steam_pressure'->>'v')::float8 AS v FROM scale_tel.bigp WHERE equipment_code = 'DEV000519' AND at_ms >= 1764568800000 AND at_ms < 1764590400000) x WHERE v IS NOT NULL GROUP BY b ORDER BY b;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT (at_ms - 1764568800000) / 180000 AS b, AVG(v), MIN(v), MAX(v), COUNT(*) FROM (SELECT at_ms, (points->'steam_pressure'->>'v')::float8 AS v FROM scale_tel.big WHERE equipment_code = 'DEV000520' AND at_ms >= 1764568800000 AND at_ms < 1764590400000) x WHERE v IS NOT NULL GROUP BY b ORDER BY b;
-- retention: drop the oldest period (2,160,000 messages)
SELECT count(*) FROM scale_tel.bigp_0;
DELETE FROM scale_tel.big WHERE at_ms < 1764547200000 + 21600000;
ALTER TABLE scale_tel.bigp DETACH PARTITION scale_tel.bigp_0;
DROP TABLE scale_tel.bigp_0;
SELECT pg_size_pretty(pg_total_relation_size('scale_tel.big')) big_after_delete;
