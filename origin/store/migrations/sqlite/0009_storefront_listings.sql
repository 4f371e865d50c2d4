-- Storefront listings page through the catalog (see the PostgreSQL migration of the same name):
-- each product keeps when it was created, its lowest price and its searchable text, written by
-- the application with the product. Search is an FTS5 index kept in step by triggers.
ALTER TABLE products ADD COLUMN created_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN min_price_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE products SET
    created_at_ms = CAST((julianday(created_at) - 2440587.5) * 86400000 AS INTEGER),
    min_price_minor = coalesce((SELECT min(v.price_minor) FROM variants v WHERE v.product_id = products.id), 0),
    search_text = trim(description || ' ' ||
        coalesce((SELECT group_concat(v.sku, ' ') FROM variants v WHERE v.product_id = products.id), '') || ' ' ||
        coalesce((SELECT group_concat(g.tag, ' ') FROM product_tags g WHERE g.product_id = products.id), ''));

CREATE INDEX products_listing_newest_idx ON products (tenant_id, status, created_at_ms DESC, handle DESC);
CREATE INDEX products_listing_price_idx ON products (tenant_id, status, min_price_minor, handle);
CREATE INDEX products_sitemap_idx ON products (tenant_id, status, handle);
CREATE INDEX variants_tenant_product_idx ON variants (tenant_id, product_id, position);

-- One row per product; the ids ride along unindexed to join back and to scope by tenant.
CREATE VIRTUAL TABLE product_search USING fts5(product_id UNINDEXED, tenant_id UNINDEXED, title, body);
INSERT INTO product_search (product_id, tenant_id, title, body) SELECT id, tenant_id, title, search_text FROM products;
CREATE TRIGGER product_search_insert AFTER INSERT ON products BEGIN
    INSERT INTO product_search (product_id, tenant_id, title, body) VALUES (new.id, new.tenant_id, new.title, new.search_text);
END;
CREATE TRIGGER product_search_update AFTER UPDATE OF title, search_text ON products BEGIN
    DELETE FROM product_search WHERE product_id = old.id;
    INSERT INTO product_search (product_id, tenant_id, title, body) VALUES (new.id, new.tenant_id, new.title, new.search_text);
END;
CREATE TRIGGER product_search_delete AFTER DELETE ON products BEGIN
    DELETE FROM product_search WHERE product_id = old.id;
END;
