-- The enterprise directory (internal/enterprise) becomes the one record of
-- market entities: names over time, and bases operators, pilot
-- organisations and standard rewards point at it by id. The free-text
-- names and credit codes stay in their rows (nothing is dropped); a row
-- whose code is empty or not a valid GB 32100 code keeps its free text and
-- gets no reference.

-- Names over time: the current name is the one with the latest valid_from
-- (then the latest id) and is kept in enterprises.name as well; searching
-- by a former name finds the enterprise.
CREATE TABLE enterprise_names (
	id INTEGER PRIMARY KEY,
	enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
	name TEXT NOT NULL,
	valid_from TEXT NOT NULL,            -- YYYY-MM-DD, China time
	recorded_by TEXT NOT NULL,
	recorded_at TEXT NOT NULL
);
CREATE INDEX enterprise_names_ent ON enterprise_names(enterprise_id, valid_from, id);
CREATE INDEX enterprises_region ON enterprises(region);

ALTER TABLE bases ADD COLUMN operator_id INTEGER REFERENCES enterprises(id);
ALTER TABLE pilots ADD COLUMN org_id INTEGER REFERENCES enterprises(id);
ALTER TABLE standard_rewards ADD COLUMN enterprise_id INTEGER REFERENCES enterprises(id);
CREATE INDEX bases_operator ON bases(operator_id);
CREATE INDEX pilots_org ON pilots(org_id);
CREATE INDEX standard_rewards_enterprise ON standard_rewards(enterprise_id);

-- Every (code, name, first seen, demo) the three registers recorded.
CREATE TABLE m0012_seen (credit_code TEXT NOT NULL, name TEXT NOT NULL, seen TEXT NOT NULL, demo INTEGER NOT NULL);
INSERT INTO m0012_seen(credit_code, name, seen, demo)
SELECT operator_credit_code, operator_name, created_at, demo FROM bases WHERE operator_credit_code <> ''
UNION ALL
SELECT org_credit_code, org_name, created_at, demo FROM pilots WHERE org_credit_code <> ''
UNION ALL
SELECT credit_code, enterprise, created_at, demo FROM standard_rewards WHERE credit_code <> '';

-- Only valid codes (18 characters of the alphabet, characters 3–8 digits,
-- the GB 32100 check character) enter the directory.
DELETE FROM m0012_seen WHERE NOT (length(credit_code) = 18 AND credit_code GLOB '[0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y][0-9][0-9][0-9][0-9][0-9][0-9][0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y][0-9A-HJ-NP-RTUW-Y]'
	AND substr('0123456789ABCDEFGHJKLMNPQRTUWXY', (31 - ((instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 1, 1)) - 1) * 1 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 2, 1)) - 1) * 3 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 3, 1)) - 1) * 9 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 4, 1)) - 1) * 27 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 5, 1)) - 1) * 19 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 6, 1)) - 1) * 26 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 7, 1)) - 1) * 16 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 8, 1)) - 1) * 17 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 9, 1)) - 1) * 20 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 10, 1)) - 1) * 29 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 11, 1)) - 1) * 25 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 12, 1)) - 1) * 13 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 13, 1)) - 1) * 8 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 14, 1)) - 1) * 24 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 15, 1)) - 1) * 10 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 16, 1)) - 1) * 30 + (instr('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(credit_code, 17, 1)) - 1) * 28) % 31) % 31 + 1, 1) = substr(credit_code, 18, 1));

-- Each name of a code with the day it was first recorded.
CREATE TABLE m0012_names (credit_code TEXT NOT NULL, name TEXT NOT NULL, seen TEXT NOT NULL, demo INTEGER NOT NULL);
INSERT INTO m0012_names(credit_code, name, seen, demo)
SELECT credit_code, name, MIN(seen), MIN(demo) FROM m0012_seen WHERE name <> '' GROUP BY credit_code, name;

-- The codes the directory does not know yet.
CREATE TABLE m0012_new (credit_code TEXT NOT NULL);
INSERT INTO m0012_new(credit_code)
SELECT DISTINCT credit_code FROM m0012_names n
WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.credit_code = n.credit_code);

-- A new enterprise takes the name first recorded last (on a tie, the
-- greater name); it is a demo entry only when every row naming it is.
INSERT INTO enterprises(credit_code, name, region, address, contact, demo, note, created_at, updated_at)
SELECT n.credit_code, n.name, substr(n.credit_code, 3, 6), '', '',
	(SELECT MIN(a.demo) FROM m0012_names a WHERE a.credit_code = n.credit_code),
	'由基地、试点和奖励登记中的统一社会信用代码迁移登记', n.seen, n.seen
FROM m0012_names n
WHERE n.credit_code IN (SELECT credit_code FROM m0012_new)
	AND NOT EXISTS (SELECT 1 FROM m0012_names o WHERE o.credit_code = n.credit_code
		AND (o.seen > n.seen OR (o.seen = n.seen AND o.name > n.name)));

-- The other names of a new enterprise are its former names.
INSERT INTO enterprise_names(enterprise_id, name, valid_from, recorded_by, recorded_at)
SELECT e.id, n.name, substr(n.seen, 1, 10), 'migration 0012', n.seen
FROM m0012_names n JOIN enterprises e ON e.credit_code = n.credit_code
WHERE n.credit_code IN (SELECT credit_code FROM m0012_new) AND n.name <> e.name
ORDER BY e.id, n.seen, n.name;

-- Every enterprise's current name starts its history.
INSERT INTO enterprise_names(enterprise_id, name, valid_from, recorded_by, recorded_at)
SELECT id, name, substr(created_at, 1, 10), 'migration 0012', created_at FROM enterprises ORDER BY id;

UPDATE bases SET operator_id = (SELECT e.id FROM enterprises e WHERE e.credit_code = bases.operator_credit_code)
WHERE operator_credit_code <> '';
UPDATE pilots SET org_id = (SELECT e.id FROM enterprises e WHERE e.credit_code = pilots.org_credit_code)
WHERE org_credit_code <> '';
UPDATE standard_rewards SET enterprise_id = (SELECT e.id FROM enterprises e WHERE e.credit_code = standard_rewards.credit_code)
WHERE credit_code <> '';

DROP TABLE m0012_seen;
DROP TABLE m0012_names;
DROP TABLE m0012_new;
