-- Products imported from a connected Shopify shop. Each is matched by its Shopify GID, so that a
-- catalog sync run twice, or resumed after a crash, creates nothing twice. `source_updated_at_ms`
-- is the Shopify time of the state last applied: an older delivery never overwrites it. A product
-- deleted in Shopify stays mapped (archived here) so that a late update cannot bring it back.
CREATE TABLE astro_primary.shopify_products (
    tenant_id             uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    shopify_id            text NOT NULL CHECK (length(shopify_id) BETWEEN 1 AND 100),
    product_id            uuid NOT NULL UNIQUE REFERENCES astro_primary.products (id) ON DELETE CASCADE,
    source_updated_at_ms  bigint NOT NULL,
    deleted               boolean NOT NULL DEFAULT false,
    seen_run              text,
    PRIMARY KEY (tenant_id, shopify_id)
);

-- Variants of imported products, by Shopify variant GID, with their inventory item (what
-- Shopify's inventory webhooks and adjustments name).
CREATE TABLE astro_primary.shopify_variants (
    tenant_id          uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    shopify_id         text NOT NULL CHECK (length(shopify_id) BETWEEN 1 AND 100),
    variant_id         uuid NOT NULL UNIQUE REFERENCES astro_primary.variants (id) ON DELETE CASCADE,
    product_id         uuid NOT NULL REFERENCES astro_primary.products (id) ON DELETE CASCADE,
    inventory_item_id  text CHECK (length(inventory_item_id) <= 100),
    PRIMARY KEY (tenant_id, shopify_id)
);
CREATE INDEX shopify_variants_item_idx ON astro_primary.shopify_variants (tenant_id, inventory_item_id);
CREATE INDEX shopify_variants_product_idx ON astro_primary.shopify_variants (product_id);

-- The store's latest catalog sync: which run, how far it got (the cursor after the last page
-- stored, written in the page's transaction) and how it ended.
CREATE TABLE astro_primary.shopify_syncs (
    tenant_id       uuid PRIMARY KEY REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    run_id          text NOT NULL CHECK (length(run_id) BETWEEN 1 AND 100),
    status          text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    page_cursor     text,
    imported        bigint NOT NULL DEFAULT 0,
    total           bigint,
    archived        bigint NOT NULL DEFAULT 0,
    skipped         jsonb NOT NULL DEFAULT '[]',
    error           text,
    started_at_ms   bigint NOT NULL,
    finished_at_ms  bigint
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['shopify_products', 'shopify_variants', 'shopify_syncs'] LOOP
        EXECUTE format('ALTER TABLE astro_primary.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE astro_primary.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON astro_primary.%I
                 USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
                 WITH CHECK (tenant_id = astro_primary.current_tenant())', t);
    END LOOP;
END $$;
