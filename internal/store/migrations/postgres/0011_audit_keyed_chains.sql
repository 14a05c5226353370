-- The audit log and the login log are keyed hash chains (HMAC, key kept
-- outside the database). The login log gains its chain columns; rows written
-- before this migration keep seq NULL and stay outside the chain.
ALTER TABLE login_log ADD COLUMN seq BIGINT, ADD COLUMN prev_hash TEXT, ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX login_log_seq ON login_log(seq);

-- A new record must take exactly the next sequence number: no gaps, no
-- second record under a number already taken (writers hold the chain's
-- advisory lock, so the maximum cannot move under them).
CREATE FUNCTION audit_log_next_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log) THEN
		RAISE EXCEPTION 'audit_log is append-only: a new record must take the next sequence number';
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER audit_log_append_next BEFORE INSERT ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_next_only();

CREATE FUNCTION login_log_next_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq), 0) + 1 FROM login_log) THEN
		RAISE EXCEPTION 'login_log is append-only: a new record must take the next sequence number';
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER login_log_append_next BEFORE INSERT ON login_log
	FOR EACH ROW EXECUTE FUNCTION login_log_next_only();
