-- Accounts, roles, sessions and the login log (GB/T 22239-2019 level 3:
-- identification, login-failure handling, session timeout, security audit).
-- Passwords are argon2id hashes; session ids and API tokens are stored only
-- as SHA-256 hashes of the secret handed to the client.
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	dept_id INTEGER NOT NULL REFERENCES departments(id),
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
	scope TEXT NOT NULL DEFAULT 'own' CHECK (scope IN ('own', 'subtree', 'all')),
	must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
	password_hash TEXT NOT NULL,
	password_changed_at TIMESTAMP NOT NULL,
	failed_count INTEGER NOT NULL DEFAULT 0,
	locked_until TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_dept ON users(dept_id);

CREATE TABLE user_roles (
	user_id INTEGER NOT NULL REFERENCES users(id),
	role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'reporter', 'approver', 'inspector', 'enterprise')),
	PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles(role);

-- Every password hash a user has had, newest last; used to refuse reuse.
CREATE TABLE password_history (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	hash TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, id);

-- id is the SHA-256 hex of the session token; the token itself is never stored.
CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	csrf_token TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	revoked_at TIMESTAMP,
	end_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Every authentication event. Append-only, like audit_log.
CREATE TABLE login_log (
	id INTEGER PRIMARY KEY,
	at TIMESTAMP NOT NULL,
	login TEXT NOT NULL,
	user_id INTEGER REFERENCES users(id),
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL CHECK (outcome IN ('success', 'bad_password', 'unknown_user', 'locked', 'disabled', 'logout', 'expired', 'throttled')),
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX login_log_at ON login_log(at);
CREATE INDEX login_log_login ON login_log(login, at);
CREATE TRIGGER login_log_no_update BEFORE UPDATE ON login_log
BEGIN SELECT RAISE(ABORT, 'login_log is append-only'); END;
CREATE TRIGGER login_log_no_delete BEFORE DELETE ON login_log
BEGIN SELECT RAISE(ABORT, 'login_log is append-only'); END;

-- Failure counters per account ("user:zhang") and per address ("ip:1.2.3.4").
CREATE TABLE login_throttle (
	key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL DEFAULT 0,
	window_start TIMESTAMP NOT NULL,
	locked_until TIMESTAMP
);

-- Personal API tokens; scopes is a comma list of the roles the token may
-- exercise, always a subset of its owner's roles.
CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	prefix TEXT NOT NULL DEFAULT '',
	scopes TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP,
	expires_at TIMESTAMP,
	revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
