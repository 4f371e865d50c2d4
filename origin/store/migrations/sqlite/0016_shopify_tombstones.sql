-- Shopify products deleted before Zelly knew them: see the PostgreSQL migration of the same name.
CREATE TABLE shopify_tombstones (
    tenant_id      BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    shopify_id     TEXT NOT NULL CHECK (length(shopify_id) BETWEEN 1 AND 100),
    deleted_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, shopify_id)
) STRICT;
