-- Pillar 4, issue 15 item 2 (task 23): the salt-lake chemical enterprise
-- classification indicator system and evaluation model
-- (盐湖化工生产企业分类指标体系及评价模型). A model is versioned (code,
-- version); its tree is criteria (parent_id 0) over indicators; weights are
-- local (within the parent) and set by AHP or the entropy-weight method.
-- Enterprise indicator values are kept by period and indicator code, so a
-- new version of a model scores the same data. Scores are computed on read.

CREATE TABLE eval_models (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL,                   -- 模型代码
	version INTEGER NOT NULL,             -- 版本号 1, 2, …
	name TEXT NOT NULL,
	period TEXT NOT NULL,                 -- 评价年度 YYYY
	dept_id INTEGER NOT NULL,             -- owning department (departments.id)
	method TEXT NOT NULL,                 -- '' | ahp | entropy
	status TEXT NOT NULL,                 -- draft | published
	classes TEXT NOT NULL,                -- JSON [{"class":"A","label":"…","min":85}, …]
	note TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (code, version)
);

CREATE TABLE eval_nodes (
	id INTEGER PRIMARY KEY,
	model_id INTEGER NOT NULL,
	parent_id INTEGER NOT NULL,           -- 0: a criterion; else the criterion's id
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	direction TEXT NOT NULL,              -- '' (criterion) | benefit | cost
	unit TEXT NOT NULL,
	weight REAL NOT NULL,                 -- local weight within the parent, 0 when unset
	sort_order INTEGER NOT NULL,
	UNIQUE (model_id, code)
);
CREATE INDEX eval_nodes_code ON eval_nodes(code);

-- The AHP judgement matrix that set a group's weights ('' = the criteria).
CREATE TABLE eval_judgements (
	id INTEGER PRIMARY KEY,
	model_id INTEGER NOT NULL,
	group_code TEXT NOT NULL,
	matrix TEXT NOT NULL,                 -- JSON array of rows
	lambda_max REAL NOT NULL,
	ci REAL NOT NULL,
	cr REAL NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (model_id, group_code)
);

CREATE TABLE eval_values (
	id INTEGER PRIMARY KEY,
	period TEXT NOT NULL,
	enterprise_id INTEGER NOT NULL,
	indicator_code TEXT NOT NULL,
	value REAL NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (period, enterprise_id, indicator_code)
);
CREATE INDEX eval_values_enterprise ON eval_values(enterprise_id);
-- Scoring reads a period's values of a model's indicators from the index alone.
CREATE INDEX eval_values_frame ON eval_values(period, indicator_code, enterprise_id, value);
