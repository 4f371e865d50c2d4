-- Storefront listings page through the catalog instead of loading it whole. Each product keeps
-- what its listings sort and search by: when it was created (newest first), its lowest price
-- (price sorts) and its searchable text (title, description, SKUs, tags). The application writes
-- them with the product, in the same transaction.
ALTER TABLE astro_primary.products
    ADD COLUMN created_at_ms bigint NOT NULL DEFAULT astro_primary.now_ms(),
    ADD COLUMN min_price_minor bigint NOT NULL DEFAULT 0,
    ADD COLUMN search_text text NOT NULL DEFAULT '';

-- The backfill touches every tenant's rows: row-level security is lifted for this transaction
-- only (migrations run as the schema owner, inside one transaction).
ALTER TABLE astro_primary.products NO FORCE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.variants NO FORCE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.product_tags NO FORCE ROW LEVEL SECURITY;
UPDATE astro_primary.products p SET
    created_at_ms = (extract(epoch FROM p.created_at) * 1000)::bigint,
    min_price_minor = coalesce((SELECT min(v.price_minor) FROM astro_primary.variants v WHERE v.product_id = p.id), 0),
    search_text = concat_ws(' ', p.description,
        (SELECT string_agg(v.sku, ' ') FROM astro_primary.variants v WHERE v.product_id = p.id),
        (SELECT string_agg(g.tag, ' ') FROM astro_primary.product_tags g WHERE g.product_id = p.id));
ALTER TABLE astro_primary.products FORCE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.variants FORCE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.product_tags FORCE ROW LEVEL SECURITY;

-- One index per listing order, each ending in the handle so that every keyset is total.
CREATE INDEX products_listing_newest_idx ON astro_primary.products (tenant_id, status, created_at_ms DESC, handle DESC);
CREATE INDEX products_listing_price_idx ON astro_primary.products (tenant_id, status, min_price_minor, handle);
CREATE INDEX products_sitemap_idx ON astro_primary.products (tenant_id, status, handle);
-- Full-text search; the title weighs more than the rest. Queries use the same expression.
-- Punctuation becomes space first, so that text splits into words where search terms do (runs of
-- letters and digits): the parser would read "LAMP-0042" as the word "lamp" and the number -42.
CREATE FUNCTION astro_primary.search_words(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT translate($1, '-_./:+@#&,;()[]!?*''"', '                     ') $$;
CREATE FUNCTION astro_primary.product_document(title text, search_text text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT setweight(to_tsvector('simple', astro_primary.search_words(title)), 'A')
              || to_tsvector('simple', astro_primary.search_words(search_text)) $$;
CREATE INDEX products_search_idx ON astro_primary.products USING gin (astro_primary.product_document(title, search_text));
CREATE INDEX variants_tenant_product_idx ON astro_primary.variants (tenant_id, product_id, position);

-- A product as storefronts read it, variants (with their stock) in order.
CREATE FUNCTION astro_primary.storefront_product_json(p astro_primary.products) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'handle', p.handle, 'title', p.title, 'description', p.description,
        'option_names', p.option_names, 'images', p.images,
        'seo_title', p.seo_title, 'seo_description', p.seo_description,
        'variants', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'id', v.id, 'sku', v.sku, 'options', v.options, 'price_minor', v.price_minor,
                'compare_at_price_minor', v.compare_at_price_minor, 'currency', v.currency,
                'inventory_quantity', v.inventory_quantity, 'track_inventory', v.track_inventory) ORDER BY v.position)
            FROM astro_primary.variants v WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id), '[]'::jsonb))
    $$;

-- A product as a listing's card shows it: name, first image, lowest price, how many variants.
CREATE FUNCTION astro_primary.storefront_card_json(p astro_primary.products) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'handle', p.handle, 'title', p.title, 'image_url', p.images -> 0 ->> 'url',
        'price_minor', v.low, 'currency', v.currency, 'variant_count', v.n)
    FROM (SELECT min(price_minor) AS low, min(currency) AS currency, count(*) AS n
          FROM astro_primary.variants WHERE tenant_id = p.tenant_id AND product_id = p.id) v
    $$;

-- Everything one storefront request reads, in one statement: the store a domain belongs to and,
-- for an active store, one page of what the request asks for. The function scopes row-level
-- security to that store itself (SET LOCAL, ending with the statement's transaction), so a
-- storefront read is one round trip to the database and still cannot see another tenant's rows.
--
-- p_kind: 'listing' (home, collection, search), 'product' (p_handle) or 'sitemap'.
-- Listing keysets: newest (created_at_ms, handle) descending; price (min_price_minor, handle);
-- a collection's own order (position, handle); a search by relevance pages by offset (p_after_key).
-- NULL: no store on the domain.
CREATE FUNCTION astro_primary.storefront_read(
    p_domain text, p_kind text, p_handle text, p_search text, p_sort text,
    p_after_key bigint, p_after_handle text, p_limit integer, p_featured integer
) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    t record;
    col record;
    coll uuid;
    q tsquery;
    ids uuid[];
    keys bigint[];
    handles text[];
    result jsonb;
    products jsonb;
BEGIN
    SELECT tn.id, tn.slug, tn.name, tn.status, tn.logo_url, tn.accent_color, tn.catalog_version, tn.featured_collection_id
        INTO t
        FROM astro_primary.tenant_domains d JOIN astro_primary.tenants tn ON tn.id = d.tenant_id
        WHERE d.domain = p_domain;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    result := jsonb_build_object('tenant', jsonb_build_object(
        'id', t.id, 'slug', t.slug, 'name', t.name, 'status', t.status, 'logo_url', t.logo_url,
        'accent_color', t.accent_color, 'catalog_version', t.catalog_version));
    IF t.status <> 'active' THEN
        RETURN result;
    END IF;
    PERFORM set_config('zelly.tenant_id', t.id::text, true);

    IF p_kind = 'product' THEN
        RETURN result || jsonb_build_object('product', (
            SELECT astro_primary.storefront_product_json(p) FROM astro_primary.products p
            WHERE p.tenant_id = t.id AND p.handle = p_handle AND p.status = 'active'));
    END IF;

    IF p_kind = 'sitemap' THEN
        RETURN result || jsonb_build_object(
            'total', (SELECT count(*) FROM astro_primary.products p WHERE p.tenant_id = t.id AND p.status = 'active'),
            'collections', CASE WHEN p_after_key = 0 THEN coalesce((
                SELECT jsonb_agg(c.handle ORDER BY c.handle) FROM astro_primary.collections c WHERE c.tenant_id = t.id), '[]'::jsonb)
                ELSE '[]'::jsonb END,
            'products', coalesce((
                SELECT jsonb_agg(s.handle ORDER BY s.handle) FROM (
                    SELECT p.handle FROM astro_primary.products p WHERE p.tenant_id = t.id AND p.status = 'active'
                    ORDER BY p.handle OFFSET p_after_key LIMIT p_limit) s), '[]'::jsonb));
    END IF;

    result := result || jsonb_build_object('collections', coalesce((
        SELECT jsonb_agg(jsonb_build_object('handle', s.handle, 'title', s.title) ORDER BY s.title, s.handle) FROM (
            SELECT c.handle, c.title FROM astro_primary.collections c WHERE c.tenant_id = t.id
            ORDER BY c.title, c.handle LIMIT 50) s), '[]'::jsonb));
    IF p_handle IS NOT NULL THEN
        SELECT cl.id, cl.handle, cl.title, cl.description INTO col
            FROM astro_primary.collections cl WHERE cl.tenant_id = t.id AND cl.handle = p_handle;
        IF NOT FOUND THEN
            RETURN result;
        END IF;
        coll := col.id;
        result := result || jsonb_build_object('collection', jsonb_build_object('handle', col.handle, 'title', col.title, 'description', col.description));
    END IF;
    IF p_search IS NOT NULL THEN
        q := to_tsquery('simple', p_search);
        IF numnode(q) = 0 THEN
            RETURN result || jsonb_build_object('products', '[]'::jsonb);
        END IF;
    END IF;

    IF q IS NOT NULL AND p_sort = 'featured' THEN
        SELECT array_agg(s.id ORDER BY s.n), array_agg(s.k ORDER BY s.n), array_agg(s.handle ORDER BY s.n)
            INTO ids, keys, handles FROM (
            SELECT p.id, p.handle, 0::bigint AS k,
                   row_number() OVER (ORDER BY ts_rank(astro_primary.product_document(p.title, p.search_text), q) DESC, p.handle) AS n
            FROM astro_primary.products p
            WHERE p.tenant_id = t.id AND p.status = 'active' AND astro_primary.product_document(p.title, p.search_text) @@ q
            ORDER BY ts_rank(astro_primary.product_document(p.title, p.search_text), q) DESC, p.handle
            OFFSET coalesce(p_after_key, 0) LIMIT p_limit + 1) s;
    ELSIF p_handle IS NOT NULL AND p_sort = 'featured' THEN
        SELECT array_agg(s.id ORDER BY s.n), array_agg(s.k ORDER BY s.n), array_agg(s.handle ORDER BY s.n)
            INTO ids, keys, handles FROM (
            SELECT p.id, p.handle, cp.position::bigint AS k, row_number() OVER (ORDER BY cp.position, p.handle) AS n
            FROM astro_primary.collection_products cp
            JOIN astro_primary.products p ON p.id = cp.product_id AND p.tenant_id = cp.tenant_id
            WHERE cp.tenant_id = t.id AND cp.collection_id = coll AND p.status = 'active'
              AND (p_after_key IS NULL OR (cp.position::bigint, p.handle) > (p_after_key, p_after_handle))
            ORDER BY cp.position, p.handle LIMIT p_limit + 1) s;
    ELSIF p_sort IN ('price-asc') THEN
        SELECT array_agg(s.id ORDER BY s.n), array_agg(s.k ORDER BY s.n), array_agg(s.handle ORDER BY s.n)
            INTO ids, keys, handles FROM (
            SELECT p.id, p.handle, p.min_price_minor AS k, row_number() OVER (ORDER BY p.min_price_minor, p.handle) AS n
            FROM astro_primary.products p
            WHERE p.tenant_id = t.id AND p.status = 'active'
              AND (q IS NULL OR astro_primary.product_document(p.title, p.search_text) @@ q)
              AND (coll IS NULL OR EXISTS (SELECT 1 FROM astro_primary.collection_products cp
                   WHERE cp.tenant_id = t.id AND cp.collection_id = coll AND cp.product_id = p.id))
              AND (p_after_key IS NULL OR (p.min_price_minor, p.handle) > (p_after_key, p_after_handle))
            ORDER BY p.min_price_minor, p.handle LIMIT p_limit + 1) s;
    ELSIF p_sort IN ('price-desc') THEN
        SELECT array_agg(s.id ORDER BY s.n), array_agg(s.k ORDER BY s.n), array_agg(s.handle ORDER BY s.n)
            INTO ids, keys, handles FROM (
            SELECT p.id, p.handle, p.min_price_minor AS k, row_number() OVER (ORDER BY p.min_price_minor DESC, p.handle DESC) AS n
            FROM astro_primary.products p
            WHERE p.tenant_id = t.id AND p.status = 'active'
              AND (q IS NULL OR astro_primary.product_document(p.title, p.search_text) @@ q)
              AND (coll IS NULL OR EXISTS (SELECT 1 FROM astro_primary.collection_products cp
                   WHERE cp.tenant_id = t.id AND cp.collection_id = coll AND cp.product_id = p.id))
              AND (p_after_key IS NULL OR (p.min_price_minor, p.handle) < (p_after_key, p_after_handle))
            ORDER BY p.min_price_minor DESC, p.handle DESC LIMIT p_limit + 1) s;
    ELSE
        SELECT array_agg(s.id ORDER BY s.n), array_agg(s.k ORDER BY s.n), array_agg(s.handle ORDER BY s.n)
            INTO ids, keys, handles FROM (
            SELECT p.id, p.handle, p.created_at_ms AS k, row_number() OVER (ORDER BY p.created_at_ms DESC, p.handle DESC) AS n
            FROM astro_primary.products p
            WHERE p.tenant_id = t.id AND p.status = 'active'
              AND (q IS NULL OR astro_primary.product_document(p.title, p.search_text) @@ q)
              AND (coll IS NULL OR EXISTS (SELECT 1 FROM astro_primary.collection_products cp
                   WHERE cp.tenant_id = t.id AND cp.collection_id = coll AND cp.product_id = p.id))
              AND (p_after_key IS NULL OR (p.created_at_ms, p.handle) < (p_after_key, p_after_handle))
            ORDER BY p.created_at_ms DESC, p.handle DESC LIMIT p_limit + 1) s;
    END IF;

    IF coalesce(array_length(ids, 1), 0) > p_limit THEN
        IF q IS NOT NULL AND p_sort = 'featured' THEN
            -- By relevance, a page starts where the one before ended in the ranking.
            result := result || jsonb_build_object('next', jsonb_build_array(coalesce(p_after_key, 0) + p_limit, ''));
        ELSE
            result := result || jsonb_build_object('next', jsonb_build_array(keys[p_limit], handles[p_limit]));
        END IF;
        ids := ids[1:p_limit];
    END IF;
    SELECT coalesce(jsonb_agg(astro_primary.storefront_card_json(p) ORDER BY array_position(ids, p.id)), '[]'::jsonb)
        INTO products
        FROM astro_primary.products p WHERE p.tenant_id = t.id AND p.id = ANY (coalesce(ids, '{}'));
    result := result || jsonb_build_object('products', products);

    IF p_kind = 'listing' AND p_handle IS NULL AND q IS NULL AND p_after_key IS NULL AND t.featured_collection_id IS NOT NULL THEN
        result := result || jsonb_build_object('featured', (
            SELECT jsonb_build_object('handle', cl.handle, 'title', cl.title, 'products', coalesce((
                SELECT jsonb_agg(astro_primary.storefront_card_json(f.prow) ORDER BY f.position) FROM (
                    SELECT p AS prow, cp.position FROM astro_primary.collection_products cp
                    JOIN astro_primary.products p ON p.id = cp.product_id AND p.tenant_id = cp.tenant_id
                    WHERE cp.tenant_id = t.id AND cp.collection_id = cl.id AND p.status = 'active'
                    ORDER BY cp.position LIMIT p_featured) f), '[]'::jsonb))
            FROM astro_primary.collections cl WHERE cl.tenant_id = t.id AND cl.id = t.featured_collection_id));
    END IF;
    RETURN result;
END $$;

-- The price lookup of the cart and checkout in one statement too: the store on the domain, whether
-- it takes cash on delivery, and each asked-for variant that is on sale with its product's name,
-- picture and stock. NULL: no store on the domain.
CREATE FUNCTION astro_primary.storefront_prices(p_domain text, p_variants uuid[]) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    t record;
    result jsonb;
BEGIN
    SELECT tn.id, tn.slug, tn.name, tn.status, tn.logo_url, tn.accent_color, tn.catalog_version, tn.cash_on_delivery
        INTO t
        FROM astro_primary.tenant_domains d JOIN astro_primary.tenants tn ON tn.id = d.tenant_id
        WHERE d.domain = p_domain;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    result := jsonb_build_object('tenant', jsonb_build_object(
        'id', t.id, 'slug', t.slug, 'name', t.name, 'status', t.status, 'logo_url', t.logo_url,
        'accent_color', t.accent_color, 'catalog_version', t.catalog_version),
        'cash_on_delivery', t.cash_on_delivery);
    IF t.status <> 'active' THEN
        RETURN result;
    END IF;
    PERFORM set_config('zelly.tenant_id', t.id::text, true);
    RETURN result || jsonb_build_object('variants', coalesce((
        SELECT jsonb_agg(jsonb_build_object(
            'id', v.id, 'product_title', p.title, 'product_handle', p.handle, 'title', v.title, 'sku', v.sku,
            'price_minor', v.price_minor, 'currency', v.currency, 'image_url', p.images -> 0 ->> 'url',
            'track_inventory', v.track_inventory, 'inventory_quantity', v.inventory_quantity,
            'siblings', (SELECT count(*) FROM astro_primary.variants s WHERE s.tenant_id = v.tenant_id AND s.product_id = v.product_id)))
        FROM astro_primary.variants v
        JOIN astro_primary.products p ON p.id = v.product_id AND p.tenant_id = v.tenant_id
        WHERE v.tenant_id = t.id AND p.status = 'active' AND v.id = ANY (p_variants)), '[]'::jsonb));
END $$;
