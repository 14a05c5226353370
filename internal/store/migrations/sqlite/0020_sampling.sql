-- Pillar 4, issue 15 item 1 (task 23): product-quality supervision sampling
-- (产品质量监督抽查). Dates are YYYY-MM-DD text (China time), '' for none.

-- Sampling plans: one per plan number; level national | provincial |
-- prefecture; products is the plan's product catalogue, one a line.
CREATE TABLE sampling_plans (
	id INTEGER PRIMARY KEY,
	plan_no TEXT NOT NULL UNIQUE,          -- 计划编号
	year INTEGER NOT NULL,                 -- 年度
	level TEXT NOT NULL,                   -- national | provincial | prefecture
	title TEXT NOT NULL,
	dept_id INTEGER,                       -- organising department
	products TEXT NOT NULL,                -- 产品目录, one product a line
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Tasks of a plan: one product, a department, a number of batches, a due day.
CREATE TABLE sampling_tasks (
	id INTEGER PRIMARY KEY,
	task_no TEXT NOT NULL UNIQUE,          -- 任务编号
	plan_id INTEGER NOT NULL,
	product TEXT NOT NULL,
	dept_id INTEGER,                       -- department carrying it out
	planned INTEGER NOT NULL,              -- 计划批次
	due_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX sampling_tasks_plan ON sampling_tasks(plan_id);

-- Batches (抽样批次): outcome qualified | failed | unlicensed (涉嫌无证无照,
-- referred, not tested) | refused (拒检) | no_sample (未抽到样) |
-- retesting (复检中) | retest_upheld (复检维持) | retest_overturned
-- (复检改判). done_on is the day the batch counts as completed ('' for
-- none): the result day of a tested batch, the sampling day of a referred
-- or refused one.
CREATE TABLE sampling_batches (
	id INTEGER PRIMARY KEY,
	batch_no TEXT NOT NULL UNIQUE,         -- 抽样单编号
	task_id INTEGER,
	dept_id INTEGER,                       -- the task's department (NULL: province-wide)
	year INTEGER NOT NULL,
	level TEXT NOT NULL,
	product TEXT NOT NULL,
	key_product TEXT NOT NULL,             -- '' | saltlake | pv
	enterprise_name TEXT NOT NULL,
	credit_code TEXT NOT NULL,
	enterprise_id INTEGER,
	sampling_unit TEXT NOT NULL,           -- 抽样单位
	sampled_on TEXT NOT NULL,
	testing_body TEXT NOT NULL,            -- 检验机构
	report_no TEXT NOT NULL,               -- 检验报告编号
	outcome TEXT NOT NULL,
	result_on TEXT NOT NULL,               -- 检验结果通知日期
	failed_items TEXT NOT NULL,            -- 不合格项目
	retest_on TEXT NOT NULL,               -- 复检申请日期
	retest_reason TEXT NOT NULL,           -- 逾期复检理由
	notice_on TEXT NOT NULL,               -- 不合格公告日期
	done_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX sampling_batches_done ON sampling_batches(done_on, outcome);
CREATE INDEX sampling_batches_enterprise ON sampling_batches(enterprise_id);
CREATE INDEX sampling_batches_notice ON sampling_batches(notice_on) WHERE notice_on <> '';

-- The disposal ladder of a failed batch (产品质量法 art. 17), in order:
-- correct (责令改正) → notice (公告) → suspend (责令停业整顿) → revoke
-- (吊销营业执照).
CREATE TABLE sampling_disposals (
	id INTEGER PRIMARY KEY,
	batch_id INTEGER NOT NULL,
	step TEXT NOT NULL,
	on_date TEXT NOT NULL,
	doc_no TEXT NOT NULL,                  -- 文书编号
	note TEXT NOT NULL,
	actor TEXT NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (batch_id, step)
);
