-- Shopify shops connected to Zelly stores: one shop per store and one store per shop. The Admin
-- API access token is kept sealed by core-api (never in clear here). Webhook deliveries are
-- claimed in webhook_receipts under the provider 'shopify'.
CREATE TABLE astro_primary.shopify_connections (
    tenant_id        uuid PRIMARY KEY REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    shop_domain      text NOT NULL UNIQUE CHECK (shop_domain LIKE '%.myshopify.com' AND length(shop_domain) <= 255),
    access_token     text NOT NULL CHECK (length(access_token) BETWEEN 1 AND 4096),
    scopes           text NOT NULL DEFAULT '' CHECK (length(scopes) <= 1000),
    connected_at_ms  bigint NOT NULL
);

ALTER TABLE astro_primary.shopify_connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.shopify_connections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON astro_primary.shopify_connections
    USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
    WITH CHECK (tenant_id = astro_primary.current_tenant());

-- A Shopify install under way: the `state` sent with the authorize redirect (SHA-256 of it), the
-- store and the shop it is for. It works once (the callback deletes it) for ten minutes.
CREATE TABLE astro_primary.shopify_install_states (
    state_hash     text PRIMARY KEY CHECK (length(state_hash) = 64),
    tenant_id      uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    shop_domain    text NOT NULL CHECK (shop_domain LIKE '%.myshopify.com'),
    expires_at_ms  bigint NOT NULL
);
ALTER TABLE astro_primary.shopify_install_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.shopify_install_states FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON astro_primary.shopify_install_states
    USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
    WITH CHECK (tenant_id = astro_primary.current_tenant());
