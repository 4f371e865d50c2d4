-- Merchants onboard themselves: a store's own currency, its team (members with their email, and
-- invites), and custom domains proven by DNS.

ALTER TABLE astro_primary.tenants
    ADD COLUMN currency char(3) NOT NULL DEFAULT 'INR' CHECK (currency ~ '^[A-Z]{3}$');

-- Who a member is, for the team list; older rows have no email.
ALTER TABLE astro_primary.memberships
    ADD COLUMN email text CHECK (length(email) <= 254),
    ADD COLUMN created_at_ms bigint NOT NULL DEFAULT astro_primary.now_ms();

-- An owner's invitation to join their store. Only the SHA-256 of the link's secret is kept, so
-- neither the database nor its backups can be turned into a working link. Single use: accepting
-- sets accepted_at_ms in the same statement that checks it is unset.
CREATE TABLE astro_primary.invites (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    role            text NOT NULL CHECK (role IN ('owner', 'staff')),
    token_hash      text NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    invited_by      text NOT NULL,
    created_at_ms   bigint NOT NULL DEFAULT astro_primary.now_ms(),
    expires_at_ms   bigint NOT NULL,
    accepted_at_ms  bigint,
    accepted_by     text,
    revoked_at_ms   bigint
);
CREATE INDEX invites_tenant_idx ON astro_primary.invites (tenant_id, created_at_ms DESC);
ALTER TABLE astro_primary.invites ENABLE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.invites FORCE ROW LEVEL SECURITY;
-- Before it is accepted an invite is found by its secret's hash alone (`zelly.invite`), by a
-- user who is not yet a member of its store.
CREATE POLICY tenant_isolation ON astro_primary.invites
    USING (tenant_id = astro_primary.current_tenant()
           OR token_hash = current_setting('zelly.invite', true)
           OR astro_primary.platform_scope())
    WITH CHECK (tenant_id = astro_primary.current_tenant());

-- tenant_domains holds exactly the domains the platform serves, so every host lookup (Caddy's
-- ask, the storefront's functions) stays as it is: `platform` ones ({slug}.{PLATFORM_DOMAIN}) are
-- active from the start; `custom` ones arrive once their TXT record proved them (`verified`) and
-- are `active` once they also point at the storefront.
ALTER TABLE astro_primary.tenant_domains
    ADD COLUMN kind text NOT NULL DEFAULT 'platform' CHECK (kind IN ('platform', 'custom')),
    ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('verified', 'active')),
    ADD COLUMN token text,
    ADD COLUMN failure text,
    ADD COLUMN checked_at_ms bigint;
CREATE INDEX tenant_domains_recheck_idx ON astro_primary.tenant_domains (checked_at_ms) WHERE kind = 'custom';

-- A domain a store asked for and has not proven (`pending`, or `failed` after a check), or one
-- whose record a later check no longer found (`flagged`, moved back here from tenant_domains, so
-- it is no longer served). Several stores may claim the same name (a squatter cannot block its
-- owner); the first to prove it gets it.
CREATE TABLE astro_primary.domain_claims (
    tenant_id       uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    domain          text NOT NULL CHECK (domain = lower(domain) AND length(domain) <= 253),
    token           text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed', 'flagged')),
    failure         text,
    created_at_ms   bigint NOT NULL DEFAULT astro_primary.now_ms(),
    checked_at_ms   bigint,
    PRIMARY KEY (tenant_id, domain)
);
ALTER TABLE astro_primary.domain_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.domain_claims FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON astro_primary.domain_claims
    USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
    WITH CHECK (tenant_id = astro_primary.current_tenant());
