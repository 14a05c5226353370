-- Pillar 3, issue 14 items 1–4 and 9 (tasks 15–18): fair-competition
-- review of draft measures, the four public fee lists with fee complaints
-- and cases, business-start handling records against the province's
-- commitment per stage, public-interest advertising campaigns, and the
-- live figures a task without a numeric target shows beside its narrative.
-- Dates are YYYY-MM-DD text (China time), times YYYY-MM-DD HH:MM, '' for
-- none; money is integer fen.

-- Draft measures (政策措施草案) of a drafting department, seen inside its
-- scope. status: draft → concluded (审查结论) → issued (出台) | withdrawn.
-- conclusion: '' | pass | exception (符合例外规定) | fail.
CREATE TABLE fair_measures (
	id INTEGER PRIMARY KEY,
	dept_id INTEGER NOT NULL,
	title TEXT NOT NULL,
	doc_kind TEXT NOT NULL,              -- 规章 | 规范性文件 | 其他政策性文件 | 具体政策措施
	summary TEXT NOT NULL,
	drafted_on TEXT NOT NULL,
	checklist TEXT NOT NULL,             -- checklist version: "2024" | "2021"
	status TEXT NOT NULL,
	conclusion TEXT NOT NULL,
	conclusion_note TEXT NOT NULL,
	exception_ground TEXT NOT NULL,      -- code of the exception ground
	exception_alternative TEXT NOT NULL, -- why no less restrictive alternative exists
	exception_limit TEXT NOT NULL,       -- time limit or end condition
	concluded_on TEXT NOT NULL,
	issued_on TEXT NOT NULL,
	doc_no TEXT NOT NULL,                -- 文号 once issued
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX fair_measures_dept ON fair_measures(dept_id, status);

-- The checklist answers of a measure: one row per checklist item.
CREATE TABLE fair_checks (
	measure_id INTEGER NOT NULL,
	item TEXT NOT NULL,                  -- checklist item code, e.g. "8.1"
	verdict TEXT NOT NULL,               -- clear | restricts
	note TEXT NOT NULL,
	PRIMARY KEY (measure_id, item)
);

-- Stakeholder, expert and public opinions on a measure.
CREATE TABLE fair_opinions (
	id INTEGER PRIMARY KEY,
	measure_id INTEGER NOT NULL,
	kind TEXT NOT NULL,                  -- stakeholder | expert | public
	source TEXT NOT NULL,
	content TEXT NOT NULL,
	received_on TEXT NOT NULL,
	adopted INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX fair_opinions_measure ON fair_opinions(measure_id, id);

-- Spot checks (抽查) and complaints (举报) about measures, with handling.
-- kind: spotcheck | complaint; result: '' open | compliant | rectify.
CREATE TABLE fair_oversight (
	id INTEGER PRIMARY KEY,
	dept_id INTEGER NOT NULL,            -- the department handling it
	kind TEXT NOT NULL,
	measure_title TEXT NOT NULL,
	measure_id INTEGER,
	source TEXT NOT NULL,                -- complainant or the checking unit
	content TEXT NOT NULL,
	received_on TEXT NOT NULL,
	closed_on TEXT NOT NULL,
	result TEXT NOT NULL,
	result_note TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX fair_oversight_dept ON fair_oversight(dept_id, kind);

-- The four public fee lists. list: admin (行政事业性收费) | fund (政府性基金)
-- | deposit (涉企保证金) | service (经营服务性收费). One item per list,
-- unit and name.
CREATE TABLE fee_items (
	id INTEGER PRIMARY KEY,
	list TEXT NOT NULL,
	unit TEXT NOT NULL,                  -- 收费单位 / 执收部门
	unit_nature TEXT NOT NULL,           -- 单位性质
	name TEXT NOT NULL,                  -- 收费项目
	nature TEXT NOT NULL,                -- 收费性质 / 资金管理方式
	content TEXT NOT NULL,               -- 服务内容
	standard TEXT NOT NULL,              -- 收费标准
	basis TEXT NOT NULL,                 -- 政策依据
	listed_on TEXT NOT NULL,
	delisted_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (list, unit, name)
);

-- Fee complaints and violation cases. kind: complaint | case; fee_item_id
-- is the list item the charge matched (NULL: not on any list).
CREATE TABLE fee_cases (
	id INTEGER PRIMARY KEY,
	dept_id INTEGER NOT NULL,
	kind TEXT NOT NULL,
	ref_no TEXT NOT NULL UNIQUE,
	party TEXT NOT NULL,                 -- the charging unit
	charge TEXT NOT NULL,                -- the charge as the enterprise names it
	amount_fen INTEGER NOT NULL,
	fee_item_id INTEGER,
	field TEXT NOT NULL,                 -- 中介机构 | 行业协会 | 交通物流 | 公用事业 | 银行 | 其他
	received_on TEXT NOT NULL,
	closed_on TEXT NOT NULL,
	outcome TEXT NOT NULL,
	refund_fen INTEGER NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX fee_cases_dept ON fee_cases(dept_id, kind);

-- The province's commitment per business-start stage (hours), as data.
CREATE TABLE biz_start_limits (
	stage TEXT PRIMARY KEY,
	label TEXT NOT NULL,
	limit_hours REAL NOT NULL,
	sort_order INTEGER NOT NULL,
	basis TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Business-start handling records (企业开办), one per application.
CREATE TABLE biz_starts (
	id INTEGER PRIMARY KEY,
	app_no TEXT NOT NULL UNIQUE,
	entity TEXT NOT NULL,
	credit_code TEXT NOT NULL,
	ent_type TEXT NOT NULL,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	submitted_at TEXT NOT NULL,
	approved_at TEXT NOT NULL,
	month TEXT NOT NULL,                 -- YYYY-MM of approval
	hours REAL NOT NULL,                 -- submitted → approved
	digest TEXT NOT NULL,                -- SHA-256 of the imported row: the same row again changes nothing
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX biz_starts_month ON biz_starts(prefecture, month);

CREATE TABLE biz_start_stages (
	start_id INTEGER NOT NULL,
	stage TEXT NOT NULL,
	started_at TEXT NOT NULL,
	finished_at TEXT NOT NULL,
	hours REAL NOT NULL,
	PRIMARY KEY (start_id, stage)
);

-- Public-interest advertising campaigns and their placements.
CREATE TABLE ad_campaigns (
	id INTEGER PRIMARY KEY,
	dept_id INTEGER NOT NULL,
	title TEXT NOT NULL,
	theme TEXT NOT NULL,
	start_on TEXT NOT NULL,
	end_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX ad_campaigns_dept ON ad_campaigns(dept_id);

CREATE TABLE ad_placements (
	id INTEGER PRIMARY KEY,
	campaign_id INTEGER NOT NULL,
	medium TEXT NOT NULL,                -- 电视 | 广播 | 报刊 | 户外 | 网络 | 其他
	outlet TEXT NOT NULL,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	start_on TEXT NOT NULL,
	end_on TEXT NOT NULL,
	quantity INTEGER NOT NULL,           -- 次 / 块 / 条
	created_at TEXT NOT NULL
);
CREATE INDEX ad_placements_campaign ON ad_placements(campaign_id);

-- Live figures a task shows beside its narrative (tasks without a numeric
-- target): metric keys by plan and task, in order.
CREATE TABLE task_figures (
	plan_id INTEGER NOT NULL,
	task_number INTEGER NOT NULL,
	metric_key TEXT NOT NULL,
	sort_order INTEGER NOT NULL,
	PRIMARY KEY (plan_id, task_number, metric_key)
);
