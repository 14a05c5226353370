-- 一单两库 and verifiable 双随机 draws (issue 14 items 5–6, task 19).
-- Dates are text: YYYY-MM-DD (China time) or RFC 3339 UTC for stamps.

-- 一单: the inspection items. class: 一般 | 重点.
CREATE TABLE inspect_items (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,            -- 事项编码
	name TEXT NOT NULL,                   -- 事项名称
	object TEXT NOT NULL,                 -- 检查对象
	basis TEXT NOT NULL,                  -- 法律依据
	method TEXT NOT NULL,                 -- 检查方式
	class TEXT NOT NULL,                  -- 类别 一般 | 重点
	updated_at TEXT NOT NULL
);

-- The ratio and frequency rules of the item classes (data, not code):
-- max_ratio is the largest overall share a draw of only such items should
-- take (millionths, 1000000 = no limit), per_year how often one entity may
-- be drawn for the same item in a calendar year (0 = no limit).
CREATE TABLE inspect_rules (
	class TEXT PRIMARY KEY,
	max_ratio INTEGER NOT NULL,
	per_year INTEGER NOT NULL,
	basis TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- 两库 (1): the entity library, keyed by 统一社会信用代码 (check character
-- verified on import). risk: A | B | C | D.
CREATE TABLE inspect_entities (
	id INTEGER PRIMARY KEY,
	credit_code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	region TEXT NOT NULL,                 -- 行政区划代码
	type TEXT NOT NULL,                   -- 类型
	risk TEXT NOT NULL,                   -- 风险等级
	updated_at TEXT NOT NULL
);
CREATE INDEX inspect_entities_name ON inspect_entities(name);

-- 两库 (2): the inspector library. avoid: declared conflicts, credit codes
-- joined by ";".
CREATE TABLE inspect_inspectors (
	id INTEGER PRIMARY KEY,
	cert_no TEXT NOT NULL UNIQUE,         -- 执法证号
	name TEXT NOT NULL,
	unit TEXT NOT NULL,                   -- 单位
	domain TEXT NOT NULL,                 -- 专业领域
	avoid TEXT NOT NULL,                  -- 回避企业
	updated_at TEXT NOT NULL
);

-- Draws: the seed hash is stored when the draw is committed (status
-- committed), the seed and the record when it is drawn (status drawn).
-- kind: draw | redraw (an avoidance redraw of parent_id).
CREATE TABLE inspect_draws (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	parent_id INTEGER,
	name TEXT NOT NULL,
	items TEXT NOT NULL,                  -- item codes joined by ";"
	status TEXT NOT NULL,
	seed_sha256 TEXT NOT NULL,
	seed TEXT NOT NULL,                   -- '' until drawn
	candidates_sha256 TEXT NOT NULL,
	candidates INTEGER NOT NULL,
	drawn INTEGER NOT NULL,
	result_sha256 TEXT NOT NULL,
	record TEXT NOT NULL,                 -- RECORD.json, '' until drawn
	demo INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	committed_at TEXT NOT NULL,
	drawn_at TEXT NOT NULL
);

-- One row per drawn entity of a draw (the current team; a redraw updates
-- the parent's row and keeps its own).
CREATE TABLE inspect_assignments (
	draw_id INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	credit_code TEXT NOT NULL,
	class TEXT NOT NULL,
	team TEXT NOT NULL,                   -- certificate numbers joined by ";"
	PRIMARY KEY (draw_id, seq)
);
CREATE INDEX inspect_assignments_entity ON inspect_assignments(credit_code, draw_id);

-- The holiday calendar (data, editable): days off (kind off) and make-up
-- working days (kind work) with the notice they come from. Other days are
-- working days Monday to Friday.
CREATE TABLE inspect_calendar (
	id INTEGER PRIMARY KEY,
	day TEXT NOT NULL UNIQUE,                 -- YYYY-MM-DD
	kind TEXT NOT NULL,                   -- off | work
	name TEXT NOT NULL,
	source TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Inspection results of drawn entities: formed on a day, to be published
-- within 20 working days (企业信息公示暂行条例 art. 6).
CREATE TABLE inspect_results (
	draw_id INTEGER NOT NULL,
	credit_code TEXT NOT NULL,
	outcome TEXT NOT NULL,                -- 未发现问题 | 发现问题已责令整改 | …
	detail TEXT NOT NULL,
	formed_on TEXT NOT NULL,
	due_on TEXT NOT NULL,                 -- 20 working days after formed_on
	published_on TEXT NOT NULL,           -- '' until published
	entered_by TEXT NOT NULL,
	entered_at TEXT NOT NULL,
	PRIMARY KEY (draw_id, credit_code)
);
CREATE INDEX inspect_results_due ON inspect_results(published_on, due_on);
CREATE INDEX inspect_results_entity ON inspect_results(credit_code);
