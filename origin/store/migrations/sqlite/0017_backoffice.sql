-- Platform staff, their sessions and the audit log: see the PostgreSQL migration of the same name.
CREATE TABLE staff (
    id              BLOB PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role            TEXT NOT NULL CHECK (role IN ('admin', 'support', 'read_only')),
    password_hash   TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    totp_secret     TEXT,
    totp_pending    TEXT,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    disabled        INTEGER NOT NULL DEFAULT 0,
    created_at_ms   INTEGER NOT NULL
) STRICT;

CREATE TABLE staff_sessions (
    id              BLOB PRIMARY KEY,
    staff_id        BLOB NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    token_hash      TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at_ms   INTEGER NOT NULL,
    expires_at_ms   INTEGER NOT NULL,
    revoked_at_ms   INTEGER
) STRICT;
CREATE INDEX staff_sessions_staff_idx ON staff_sessions (staff_id);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms        INTEGER NOT NULL,
    staff_id     BLOB,
    staff_email  TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    tenant_id    BLOB,
    target       TEXT NOT NULL DEFAULT '',
    before       TEXT NOT NULL DEFAULT 'null',
    after        TEXT NOT NULL DEFAULT 'null'
) STRICT;
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, id DESC);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE INDEX orders_payment_idx ON orders (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX checkouts_email_idx ON checkouts (lower(email));
