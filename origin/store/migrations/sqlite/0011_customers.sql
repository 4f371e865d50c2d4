-- Shoppers' accounts: see the PostgreSQL migration of the same name.

CREATE TABLE customers (
    id                    BLOB PRIMARY KEY,
    tenant_id             BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email                 TEXT NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name                  TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    password_hash         TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    email_verified_at_ms  INTEGER,
    created_at_ms         INTEGER NOT NULL,
    updated_at_ms         INTEGER NOT NULL,
    failed_sign_ins       INTEGER NOT NULL DEFAULT 0 CHECK (failed_sign_ins >= 0),
    locked_until_ms       INTEGER,
    UNIQUE (tenant_id, email)
) STRICT;

CREATE TABLE customer_sessions (
    id_hash          TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
    tenant_id        BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_id      BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    family_hash      TEXT NOT NULL CHECK (length(family_hash) = 64),
    created_at_ms    INTEGER NOT NULL,
    last_seen_at_ms  INTEGER NOT NULL,
    expires_at_ms    INTEGER NOT NULL
) STRICT;
CREATE INDEX customer_sessions_customer_idx ON customer_sessions (customer_id);
CREATE INDEX customer_sessions_family_idx ON customer_sessions (tenant_id, family_hash);

CREATE TABLE customer_codes (
    code_hash       TEXT PRIMARY KEY CHECK (length(code_hash) = 64),
    tenant_id       BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_id     BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    family_hash     TEXT NOT NULL CHECK (length(family_hash) = 64),
    redirect_uri    TEXT NOT NULL CHECK (length(redirect_uri) <= 2048),
    code_challenge  TEXT NOT NULL CHECK (length(code_challenge) = 43),
    created_at_ms   INTEGER NOT NULL,
    expires_at_ms   INTEGER NOT NULL,
    used_at_ms      INTEGER
) STRICT;

CREATE TABLE customer_tokens (
    token_hash     TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    tenant_id      BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_id    BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    purpose        TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    email          TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    created_at_ms  INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    used_at_ms     INTEGER
) STRICT;
CREATE INDEX customer_tokens_customer_idx ON customer_tokens (customer_id, purpose);
