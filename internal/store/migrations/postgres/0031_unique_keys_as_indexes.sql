-- The entity library's credit code and the sampling register's batch number
-- stay unique, through named unique indexes instead of UNIQUE constraints:
-- a first load into an empty table (kit.DeferIndexes) drops the indexes in
-- its transaction and builds them once over the loaded rows, which checks
-- the keys' uniqueness again before the commit.
ALTER TABLE inspect_entities DROP CONSTRAINT inspect_entities_credit_code_key;
CREATE UNIQUE INDEX inspect_entities_credit_code ON inspect_entities(credit_code);
ALTER TABLE sampling_batches DROP CONSTRAINT sampling_batches_batch_no_key;
CREATE UNIQUE INDEX sampling_batches_batch_no ON sampling_batches(batch_no);
