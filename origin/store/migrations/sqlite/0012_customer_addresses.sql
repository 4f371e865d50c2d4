-- Shoppers' saved addresses, and the customer of a checkout: see the PostgreSQL migration of the
-- same name.

CREATE TABLE customer_addresses (
    id             BLOB PRIMARY KEY,
    tenant_id      BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_id    BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    address        TEXT NOT NULL,
    is_default     INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    status         TEXT NOT NULL CHECK (status IN ('verified', 'unverified', 'mismatch')),
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX customer_addresses_customer_idx ON customer_addresses (tenant_id, customer_id);
CREATE UNIQUE INDEX customer_addresses_one_default ON customer_addresses (customer_id) WHERE is_default = 1;

ALTER TABLE checkouts ADD COLUMN customer_id BLOB REFERENCES customers (id) ON DELETE SET NULL;
ALTER TABLE checkouts ADD COLUMN address_status TEXT NOT NULL DEFAULT 'unverified' CHECK (address_status IN ('verified', 'unverified', 'mismatch'));
CREATE INDEX checkouts_customer_idx ON checkouts (tenant_id, customer_id) WHERE customer_id IS NOT NULL;
