-- Pillar 2, issue 13 item 5 (tasks 11, 13, 14): IP enforcement cases,
-- rights-assistance and mediation requests, public service outlets and IP
-- operations (transfers, licences, pledges). Dates are YYYY-MM-DD text
-- (China time), '' for none; money is integer fen.

-- Enforcement cases: one per case number, visible inside the handling
-- department's subtree. status: clue → filed (立案) → investigating (调查)
-- → penalized (处罚) | transferred (移送) | withdrawn (撤案).
CREATE TABLE ip_cases (
	id INTEGER PRIMARY KEY,
	case_no TEXT NOT NULL UNIQUE,         -- 案件编号
	kind TEXT NOT NULL,                   -- trademark | patent | gi
	dept_id INTEGER NOT NULL,             -- handling department (departments.id)
	subject TEXT NOT NULL,                -- 案由
	party TEXT NOT NULL,                  -- 当事人
	party_code TEXT NOT NULL,             -- 统一社会信用代码, '' for none
	enterprise_id INTEGER,                -- the enterprise directory entry
	discovered_on TEXT NOT NULL,          -- 发现线索之日
	filed_on TEXT NOT NULL,               -- 立案日期
	investigated_on TEXT NOT NULL,        -- 调查开始
	closed_on TEXT NOT NULL,              -- 处罚/移送/撤案 decided
	status TEXT NOT NULL,
	decision_no TEXT NOT NULL,            -- 行政处罚决定书文号
	violation TEXT NOT NULL,              -- 违法行为
	penalty TEXT NOT NULL,                -- 处罚内容
	fine_fen INTEGER NOT NULL,            -- 罚没款（分）
	published INTEGER NOT NULL,           -- decision published to the public
	transferred_to TEXT NOT NULL,         -- 移送机关
	close_note TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX ip_cases_dept ON ip_cases(dept_id, status);

CREATE TABLE ip_case_events (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL,
	at TEXT NOT NULL,
	action TEXT NOT NULL,
	from_status TEXT NOT NULL,
	to_status TEXT NOT NULL,
	actor TEXT NOT NULL,
	note TEXT NOT NULL
);
CREATE INDEX ip_case_events_case ON ip_case_events(case_id, id);

-- 维权援助 (assist) and 纠纷调解 (mediation) requests.
CREATE TABLE ip_assists (
	id INTEGER PRIMARY KEY,
	req_no TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL,                   -- assist | mediation
	dept_id INTEGER NOT NULL,
	applicant TEXT NOT NULL,
	respondent TEXT NOT NULL,
	matter TEXT NOT NULL,
	received_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	status TEXT NOT NULL,                 -- open | closed
	outcome TEXT NOT NULL,                -- '' | assisted | settled | failed | withdrawn
	outcome_note TEXT NOT NULL,
	closed_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX ip_assists_dept ON ip_assists(dept_id, status, due_on);

-- 知识产权公共服务网点: a public list.
CREATE TABLE ip_outlets (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	level TEXT NOT NULL,                  -- 国家级 | 省级 | 市州级 | 县级 | 其他
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	services TEXT NOT NULL,
	contact TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- IP operations: transfers (转让), licences (许可) and pledges (质押).
CREATE TABLE ip_operations (
	id INTEGER PRIMARY KEY,
	ref_no TEXT NOT NULL UNIQUE,          -- 登记/备案号
	kind TEXT NOT NULL,                   -- transfer | licence | pledge
	right_kind TEXT NOT NULL,             -- patent | trademark | gi
	right_no TEXT NOT NULL,
	from_party TEXT NOT NULL,
	to_party TEXT NOT NULL,
	amount_fen INTEGER NOT NULL,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	recorded_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX ip_operations_year ON ip_operations(kind, recorded_on);
