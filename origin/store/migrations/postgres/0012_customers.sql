-- Shoppers' accounts (customer-auth, the seed's customer-panel-neptune) in the seed's
-- ecom_store_front schema. A customer belongs to one store: the same email at two stores is two
-- accounts. Every table is scoped to its store by FORCE'd row-level security, as the rest are.

CREATE TABLE ecom_store_front.customers (
    id                    uuid PRIMARY KEY,
    tenant_id             uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    email                 text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name                  text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    -- An argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
    password_hash         text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    email_verified_at_ms  bigint,
    created_at_ms         bigint NOT NULL,
    updated_at_ms         bigint NOT NULL,
    -- Wrong passwords since the last sign-in or reset, and the lock they led to.
    failed_sign_ins       integer NOT NULL DEFAULT 0 CHECK (failed_sign_ins >= 0),
    locked_until_ms       bigint,
    UNIQUE (tenant_id, email)
);

-- A signed-in browser on one host: customer-auth's own, or a store domain that exchanged a sign-in
-- code. Only the SHA-256 of the session id is kept, so neither the database nor a backup yields a
-- working session. It ends after `idle` without use or at `expires_at_ms`. A sign-in's sessions
-- share its `family_hash` (the customer-auth session's id hash), so signing out ends them all.
CREATE TABLE ecom_store_front.customer_sessions (
    id_hash          text PRIMARY KEY CHECK (length(id_hash) = 64),
    tenant_id        uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    customer_id      uuid NOT NULL REFERENCES ecom_store_front.customers (id) ON DELETE CASCADE,
    family_hash      text NOT NULL CHECK (length(family_hash) = 64),
    created_at_ms    bigint NOT NULL,
    last_seen_at_ms  bigint NOT NULL,
    expires_at_ms    bigint NOT NULL
);
CREATE INDEX customer_sessions_customer_idx ON ecom_store_front.customer_sessions (customer_id);
CREATE INDEX customer_sessions_family_idx ON ecom_store_front.customer_sessions (tenant_id, family_hash);

-- A single-use sign-in code, handed to a store domain in its return URL and exchanged by that
-- domain's server for a session of its own. Bound to the store, the exact return URL and a PKCE
-- challenge (S256); it works for a minute.
CREATE TABLE ecom_store_front.customer_codes (
    code_hash       text PRIMARY KEY CHECK (length(code_hash) = 64),
    tenant_id       uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    customer_id     uuid NOT NULL REFERENCES ecom_store_front.customers (id) ON DELETE CASCADE,
    family_hash     text NOT NULL CHECK (length(family_hash) = 64),
    redirect_uri    text NOT NULL CHECK (length(redirect_uri) <= 2048),
    code_challenge  text NOT NULL CHECK (length(code_challenge) = 43),
    created_at_ms   bigint NOT NULL,
    expires_at_ms   bigint NOT NULL,
    used_at_ms      bigint
);

-- The secrets of emailed links (verify an address, reset a password), hashed, single use: using
-- one sets used_at_ms in the statement that checks it is unset.
CREATE TABLE ecom_store_front.customer_tokens (
    token_hash     text PRIMARY KEY CHECK (length(token_hash) = 64),
    tenant_id      uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    customer_id    uuid NOT NULL REFERENCES ecom_store_front.customers (id) ON DELETE CASCADE,
    purpose        text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    -- The address the link was sent to: verifying it makes it the account's address.
    email          text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    created_at_ms  bigint NOT NULL,
    expires_at_ms  bigint NOT NULL,
    used_at_ms     bigint
);
CREATE INDEX customer_tokens_customer_idx ON ecom_store_front.customer_tokens (customer_id, purpose);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customers', 'customer_sessions', 'customer_tokens', 'customer_codes'] LOOP
        EXECUTE format('ALTER TABLE ecom_store_front.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE ecom_store_front.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON ecom_store_front.%I
                 USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
                 WITH CHECK (tenant_id = astro_primary.current_tenant())', t);
    END LOOP;
END $$;
