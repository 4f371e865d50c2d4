-- Embedded default: the same tables as PostgreSQL's astro_primary schema, in one SQLite file.
CREATE TABLE tenants (
    id          BLOB PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 63),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE tenant_domains (
    domain      TEXT PRIMARY KEY CHECK (domain = lower(domain) AND length(domain) <= 253),
    tenant_id   BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    is_primary  INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX tenant_domains_tenant_idx ON tenant_domains (tenant_id);
CREATE UNIQUE INDEX tenant_domains_one_primary ON tenant_domains (tenant_id) WHERE is_primary = 1;

CREATE TABLE products (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    handle       TEXT NOT NULL,
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  TEXT NOT NULL DEFAULT '',
    image_url    TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (tenant_id, handle)
) STRICT;

CREATE TABLE variants (
    id            BLOB PRIMARY KEY,
    tenant_id     BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id    BLOB NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku           TEXT NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
    title         TEXT NOT NULL,
    price_minor   INTEGER NOT NULL CHECK (price_minor >= 0),
    currency      TEXT NOT NULL CHECK (length(currency) = 3),
    position      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, sku)
) STRICT;
CREATE INDEX variants_product_idx ON variants (product_id);
