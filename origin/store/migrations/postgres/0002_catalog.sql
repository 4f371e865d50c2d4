-- The seller catalog: product status, options, images, tags, SEO, optimistic versions; variant
-- options, compare-at prices and stock; manual collections; the inventory audit trail; and which
-- Firebase users may work in which tenant. Then row-level security on every tenant-owned table.

CREATE FUNCTION astro_primary.now_ms() RETURNS bigint LANGUAGE sql VOLATILE
    AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;

ALTER TABLE astro_primary.products
    ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'archived')),
    ADD COLUMN option_names jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN images jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN seo_title text,
    ADD COLUMN seo_description text,
    ADD COLUMN version bigint NOT NULL DEFAULT 1,
    ADD COLUMN updated_at_ms bigint NOT NULL DEFAULT astro_primary.now_ms();
UPDATE astro_primary.products
    SET images = jsonb_build_array(jsonb_build_object('url', image_url, 'alt', title))
    WHERE image_url IS NOT NULL;
ALTER TABLE astro_primary.products DROP COLUMN image_url;
CREATE INDEX products_tenant_updated_idx ON astro_primary.products (tenant_id, updated_at_ms DESC, id DESC);

ALTER TABLE astro_primary.variants
    ADD COLUMN options jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN compare_at_price_minor bigint CHECK (compare_at_price_minor > price_minor),
    ADD COLUMN inventory_quantity bigint NOT NULL DEFAULT 0,
    ADD COLUMN track_inventory boolean NOT NULL DEFAULT true;

CREATE TABLE astro_primary.product_tags (
    tenant_id   uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    product_id  uuid NOT NULL REFERENCES astro_primary.products (id) ON DELETE CASCADE,
    tag         text NOT NULL,
    tag_lower   text NOT NULL,
    position    integer NOT NULL,
    PRIMARY KEY (product_id, tag_lower)
);
CREATE INDEX product_tags_lookup_idx ON astro_primary.product_tags (tenant_id, tag_lower);

CREATE TABLE astro_primary.collections (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    handle         text NOT NULL,
    title          text NOT NULL,
    description    text NOT NULL DEFAULT '',
    version        bigint NOT NULL DEFAULT 1,
    updated_at_ms  bigint NOT NULL DEFAULT astro_primary.now_ms(),
    CONSTRAINT collections_tenant_handle_key UNIQUE (tenant_id, handle)
);

CREATE TABLE astro_primary.collection_products (
    tenant_id      uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    collection_id  uuid NOT NULL REFERENCES astro_primary.collections (id) ON DELETE CASCADE,
    product_id     uuid NOT NULL REFERENCES astro_primary.products (id) ON DELETE CASCADE,
    position       integer NOT NULL,
    PRIMARY KEY (collection_id, product_id)
);

-- The audit trail outlives the variant it describes: no foreign key on variant_id.
CREATE TABLE astro_primary.inventory_adjustments (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    variant_id      uuid NOT NULL,
    delta           bigint NOT NULL CHECK (delta <> 0),
    quantity_after  bigint NOT NULL,
    reason          text NOT NULL,
    actor           text NOT NULL,
    created_at_ms   bigint NOT NULL DEFAULT astro_primary.now_ms()
);
CREATE INDEX inventory_adjustments_variant_idx ON astro_primary.inventory_adjustments (tenant_id, variant_id, created_at_ms DESC);

CREATE TABLE astro_primary.memberships (
    tenant_id     uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    firebase_uid  text NOT NULL CHECK (length(firebase_uid) BETWEEN 1 AND 128),
    role          text NOT NULL CHECK (role IN ('owner', 'staff')),
    PRIMARY KEY (tenant_id, firebase_uid)
);
CREATE INDEX memberships_uid_idx ON astro_primary.memberships (firebase_uid);

-- Row-level security, the second fence behind "every store call takes the tenant". Each store
-- transaction sets `zelly.tenant_id` (SET LOCAL semantics); a query that forgets it sees nothing.
-- `zelly.platform = 'on'` is set only by the platform-wide staff reads (admin-api's tenant list);
-- `zelly.uid` only by the membership lookup that happens before a tenant is chosen.
-- FORCE makes the rules bind the tables' owner too; only superusers bypass them.
-- tenants and tenant_domains stay readable: they are the directory every host resolves by.
CREATE FUNCTION astro_primary.current_tenant() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('zelly.tenant_id', true), '')::uuid $$;
CREATE FUNCTION astro_primary.platform_scope() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT coalesce(current_setting('zelly.platform', true), '') = 'on' $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['products', 'variants', 'product_tags', 'collections',
                             'collection_products', 'inventory_adjustments'] LOOP
        EXECUTE format('ALTER TABLE astro_primary.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE astro_primary.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON astro_primary.%I
                 USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
                 WITH CHECK (tenant_id = astro_primary.current_tenant())', t);
    END LOOP;
END $$;

ALTER TABLE astro_primary.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON astro_primary.memberships
    USING (tenant_id = astro_primary.current_tenant()
           OR firebase_uid = current_setting('zelly.uid', true)
           OR astro_primary.platform_scope())
    WITH CHECK (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope());
