-- The seller catalog (see the PostgreSQL migration of the same number; SQLite has no row-level
-- security, so the embedded backend relies on every query naming its tenant).

ALTER TABLE products ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'archived'));
ALTER TABLE products ADD COLUMN option_names TEXT NOT NULL DEFAULT '[]';
ALTER TABLE products ADD COLUMN images TEXT NOT NULL DEFAULT '[]';
ALTER TABLE products ADD COLUMN seo_title TEXT;
ALTER TABLE products ADD COLUMN seo_description TEXT;
ALTER TABLE products ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN updated_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE products SET updated_at_ms = CAST(unixepoch('subsec') * 1000 AS INTEGER);
UPDATE products SET images = json_array(json_object('url', image_url, 'alt', title)) WHERE image_url IS NOT NULL;
ALTER TABLE products DROP COLUMN image_url;
CREATE INDEX products_tenant_updated_idx ON products (tenant_id, updated_at_ms DESC, id DESC);

ALTER TABLE variants ADD COLUMN options TEXT NOT NULL DEFAULT '[]';
ALTER TABLE variants ADD COLUMN compare_at_price_minor INTEGER CHECK (compare_at_price_minor > price_minor);
ALTER TABLE variants ADD COLUMN inventory_quantity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE variants ADD COLUMN track_inventory INTEGER NOT NULL DEFAULT 1 CHECK (track_inventory IN (0, 1));

CREATE TABLE product_tags (
    tenant_id   BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id  BLOB NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    tag_lower   TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (product_id, tag_lower)
) STRICT;
CREATE INDEX product_tags_lookup_idx ON product_tags (tenant_id, tag_lower);

CREATE TABLE collections (
    id             BLOB PRIMARY KEY,
    tenant_id      BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    handle         TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at_ms  INTEGER NOT NULL,
    UNIQUE (tenant_id, handle)
) STRICT;

CREATE TABLE collection_products (
    tenant_id      BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    collection_id  BLOB NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    product_id     BLOB NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    PRIMARY KEY (collection_id, product_id)
) STRICT;

CREATE TABLE inventory_adjustments (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    variant_id      BLOB NOT NULL,
    delta           INTEGER NOT NULL CHECK (delta <> 0),
    quantity_after  INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    actor           TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL
) STRICT;
CREATE INDEX inventory_adjustments_variant_idx ON inventory_adjustments (tenant_id, variant_id, created_at_ms DESC);

CREATE TABLE memberships (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    firebase_uid  TEXT NOT NULL CHECK (length(firebase_uid) BETWEEN 1 AND 128),
    role          TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
    PRIMARY KEY (tenant_id, firebase_uid)
) STRICT;
CREATE INDEX memberships_uid_idx ON memberships (firebase_uid);
