-- Where shoppers reach the store: see the PostgreSQL migration of the same name.
ALTER TABLE tenants ADD COLUMN contact_email TEXT CHECK (contact_email IS NULL OR (length(contact_email) BETWEEN 3 AND 254 AND contact_email LIKE '%_@_%'));

CREATE TABLE shopify_former_shops (
    shop_domain        TEXT NOT NULL CHECK (shop_domain LIKE '%.myshopify.com' AND length(shop_domain) <= 255),
    tenant_id          BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    disconnected_at_ms INTEGER NOT NULL,
    PRIMARY KEY (shop_domain, tenant_id)
) STRICT;
