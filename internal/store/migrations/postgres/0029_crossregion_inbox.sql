-- Cross-region cases name the sending and the receiving department
-- (issue 14 item 8): the receiving bureau (the registration prefecture's
-- department) sees the cases sent to it in its inbox and accepts or
-- returns them. 0 = not recorded (cases of earlier releases, or a
-- receiving bureau outside the province's directory: the sender records
-- the answer as before).
ALTER TABLE inspect_crossregion ADD COLUMN from_dept BIGINT NOT NULL DEFAULT 0;
ALTER TABLE inspect_crossregion ADD COLUMN to_dept BIGINT NOT NULL DEFAULT 0;
CREATE INDEX inspect_crossregion_to ON inspect_crossregion(to_dept, status);
