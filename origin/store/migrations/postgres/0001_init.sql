-- One database, the seed's three schemas. Tenant-owned rows live in astro_primary and carry tenant_id.
CREATE SCHEMA IF NOT EXISTS astro_primary;
CREATE SCHEMA IF NOT EXISTS ecom_store_front;
CREATE SCHEMA IF NOT EXISTS backoffice;

CREATE TABLE astro_primary.tenants (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE astro_primary.tenant_domains (
    domain      text PRIMARY KEY CHECK (domain = lower(domain) AND length(domain) <= 253),
    tenant_id   uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    is_primary  boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenant_domains_tenant_idx ON astro_primary.tenant_domains (tenant_id);
-- At most one primary domain per tenant.
CREATE UNIQUE INDEX tenant_domains_one_primary ON astro_primary.tenant_domains (tenant_id) WHERE is_primary;

CREATE TABLE astro_primary.products (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    handle       text NOT NULL,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description  text NOT NULL DEFAULT '',
    image_url    text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT products_tenant_handle_key UNIQUE (tenant_id, handle)
);

CREATE TABLE astro_primary.variants (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    product_id    uuid NOT NULL REFERENCES astro_primary.products (id) ON DELETE CASCADE,
    sku           text NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
    title         text NOT NULL,
    price_minor   bigint NOT NULL CHECK (price_minor >= 0),
    currency      char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    position      integer NOT NULL DEFAULT 0,
    CONSTRAINT variants_tenant_sku_key UNIQUE (tenant_id, sku)
);
CREATE INDEX variants_product_idx ON astro_primary.variants (product_id);
