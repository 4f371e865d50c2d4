-- Merchants onboard themselves: see the PostgreSQL migration of the same name.

ALTER TABLE tenants ADD COLUMN currency TEXT NOT NULL DEFAULT 'INR'
    CHECK (length(currency) = 3 AND currency = upper(currency) AND currency GLOB '[A-Z][A-Z][A-Z]');

ALTER TABLE memberships ADD COLUMN email TEXT CHECK (length(email) <= 254);
ALTER TABLE memberships ADD COLUMN created_at_ms INTEGER NOT NULL DEFAULT 0;

CREATE TABLE invites (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email           TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    role            TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
    token_hash      TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    invited_by      TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    expires_at_ms   INTEGER NOT NULL,
    accepted_at_ms  INTEGER,
    accepted_by     TEXT,
    revoked_at_ms   INTEGER
) STRICT;
CREATE INDEX invites_tenant_idx ON invites (tenant_id, created_at_ms DESC);

ALTER TABLE tenant_domains ADD COLUMN kind TEXT NOT NULL DEFAULT 'platform' CHECK (kind IN ('platform', 'custom'));
ALTER TABLE tenant_domains ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('verified', 'active'));
ALTER TABLE tenant_domains ADD COLUMN token TEXT;
ALTER TABLE tenant_domains ADD COLUMN failure TEXT;
ALTER TABLE tenant_domains ADD COLUMN checked_at_ms INTEGER;
CREATE INDEX tenant_domains_recheck_idx ON tenant_domains (checked_at_ms) WHERE kind = 'custom';

CREATE TABLE domain_claims (
    tenant_id       BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    domain          TEXT NOT NULL CHECK (domain = lower(domain) AND length(domain) <= 253),
    token           TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed', 'flagged')),
    failure         TEXT,
    created_at_ms   INTEGER NOT NULL,
    checked_at_ms   INTEGER,
    PRIMARY KEY (tenant_id, domain)
) STRICT;
