-- Products imported from Shopify, their variants and the catalog sync: see the PostgreSQL
-- migration of the same name.
CREATE TABLE shopify_products (
    tenant_id             BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    shopify_id            TEXT NOT NULL CHECK (length(shopify_id) BETWEEN 1 AND 100),
    product_id            BLOB NOT NULL UNIQUE REFERENCES products (id) ON DELETE CASCADE,
    source_updated_at_ms  INTEGER NOT NULL,
    deleted               INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    seen_run              TEXT,
    PRIMARY KEY (tenant_id, shopify_id)
) STRICT;

CREATE TABLE shopify_variants (
    tenant_id          BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    shopify_id         TEXT NOT NULL CHECK (length(shopify_id) BETWEEN 1 AND 100),
    variant_id         BLOB NOT NULL UNIQUE REFERENCES variants (id) ON DELETE CASCADE,
    product_id         BLOB NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    inventory_item_id  TEXT CHECK (length(inventory_item_id) <= 100),
    PRIMARY KEY (tenant_id, shopify_id)
) STRICT;
CREATE INDEX shopify_variants_item_idx ON shopify_variants (tenant_id, inventory_item_id);
CREATE INDEX shopify_variants_product_idx ON shopify_variants (product_id);

CREATE TABLE shopify_syncs (
    tenant_id       BLOB PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    run_id          TEXT NOT NULL CHECK (length(run_id) BETWEEN 1 AND 100),
    status          TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    page_cursor     TEXT,
    imported        INTEGER NOT NULL DEFAULT 0,
    total           INTEGER,
    archived        INTEGER NOT NULL DEFAULT 0,
    skipped         TEXT NOT NULL DEFAULT '[]',
    error           TEXT,
    started_at_ms   INTEGER NOT NULL,
    finished_at_ms  INTEGER
) STRICT;
