-- Corrections of S&T-project standard rewards (工作方案任务 2): a reward is
-- never deleted; it is withdrawn (status 'withdrawn') with the reason, who
-- did it and when. withdrawn_on is the day (China time) it took effect: the
-- metric standards.sci.rewards counts a reward at a date unless it was
-- withdrawn on or before that date. Milestones need no new columns: their
-- corrections and deletions are kept in the audit log.
ALTER TABLE standard_rewards ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn'));
ALTER TABLE standard_rewards ADD COLUMN withdrawn_on TEXT NOT NULL DEFAULT '';
ALTER TABLE standard_rewards ADD COLUMN withdrawn_at TEXT NOT NULL DEFAULT '';
ALTER TABLE standard_rewards ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
ALTER TABLE standard_rewards ADD COLUMN withdraw_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE standard_rewards ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE standard_rewards ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
