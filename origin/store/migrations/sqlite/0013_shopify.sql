-- Shopify shops connected to Zelly stores: see the PostgreSQL migration of the same name.
CREATE TABLE shopify_connections (
    tenant_id        BLOB PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    shop_domain      TEXT NOT NULL UNIQUE CHECK (shop_domain LIKE '%.myshopify.com' AND length(shop_domain) <= 255),
    access_token     TEXT NOT NULL CHECK (length(access_token) BETWEEN 1 AND 4096),
    scopes           TEXT NOT NULL DEFAULT '' CHECK (length(scopes) <= 1000),
    connected_at_ms  INTEGER NOT NULL
) STRICT;

CREATE TABLE shopify_install_states (
    state_hash     TEXT PRIMARY KEY CHECK (length(state_hash) = 64),
    tenant_id      BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    shop_domain    TEXT NOT NULL CHECK (shop_domain LIKE '%.myshopify.com'),
    expires_at_ms  INTEGER NOT NULL
) STRICT;
