-- Shopify products deleted before Zelly knew them (a products/delete delivered ahead of its
-- products/create): the create, older than the deletion, must not make the product.
CREATE TABLE astro_primary.shopify_tombstones (
    tenant_id      uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    shopify_id     text NOT NULL CHECK (length(shopify_id) BETWEEN 1 AND 100),
    deleted_at_ms  bigint NOT NULL,
    PRIMARY KEY (tenant_id, shopify_id)
);
ALTER TABLE astro_primary.shopify_tombstones ENABLE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.shopify_tombstones FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON astro_primary.shopify_tombstones
    USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
    WITH CHECK (tenant_id = astro_primary.current_tenant());
