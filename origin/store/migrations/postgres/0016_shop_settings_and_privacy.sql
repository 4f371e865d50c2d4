-- Where shoppers reach the store: the address order confirmations are answered to. A Shopify
-- shop's contact email arrives with its settings.
ALTER TABLE astro_primary.tenants
    ADD COLUMN contact_email text CHECK (contact_email IS NULL OR (length(contact_email) BETWEEN 3 AND 254 AND contact_email LIKE '%_@_%'));

-- Shops that were connected to a store, kept after the disconnect until Shopify's `shop/redact`
-- (48 hours after an uninstall) asks for the shop's data to be erased: the privacy webhooks that
-- arrive after the disconnect still find the store they concern (the latest to have had it).
CREATE TABLE astro_primary.shopify_former_shops (
    shop_domain        text NOT NULL CHECK (shop_domain LIKE '%.myshopify.com' AND length(shop_domain) <= 255),
    tenant_id          uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    disconnected_at_ms bigint NOT NULL,
    PRIMARY KEY (shop_domain, tenant_id)
);
ALTER TABLE astro_primary.shopify_former_shops ENABLE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.shopify_former_shops FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON astro_primary.shopify_former_shops
    USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
    WITH CHECK (tenant_id = astro_primary.current_tenant());
