-- The audit log and the login log are keyed hash chains (HMAC, key kept
-- outside the database). The login log gains its chain columns; rows written
-- before this migration keep seq NULL and stay outside the chain.
ALTER TABLE login_log ADD COLUMN seq INTEGER;
ALTER TABLE login_log ADD COLUMN prev_hash TEXT;
ALTER TABLE login_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX login_log_seq ON login_log(seq);

-- A new record must take exactly the next sequence number. This also stops
-- INSERT OR REPLACE, whose implicit delete fires no DELETE trigger: it can
-- no longer overwrite an existing row, nor leave a gap.
CREATE TRIGGER audit_log_append_next BEFORE INSERT ON audit_log
WHEN NEW.seq IS NULL OR NEW.seq <> COALESCE((SELECT MAX(seq) FROM audit_log), 0) + 1
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: a new record must take the next sequence number'); END;

CREATE TRIGGER login_log_append_next BEFORE INSERT ON login_log
WHEN NEW.seq IS NULL OR NEW.seq <> COALESCE((SELECT MAX(seq) FROM login_log), 0) + 1
	OR EXISTS (SELECT 1 FROM login_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'login_log is append-only: a new record must take the next sequence number'); END;
