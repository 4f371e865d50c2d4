-- Shoppers' saved addresses, and which customer a checkout (and so its order) belongs to.

-- An address saved to an account. One is the default (checkout starts from it): a partial unique
-- index keeps it to one. `status` is what the address check made of it when it was saved.
CREATE TABLE ecom_store_front.customer_addresses (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    customer_id    uuid NOT NULL REFERENCES ecom_store_front.customers (id) ON DELETE CASCADE,
    address        jsonb NOT NULL,
    is_default     boolean NOT NULL DEFAULT false,
    status         text NOT NULL CHECK (status IN ('verified', 'unverified', 'mismatch')),
    created_at_ms  bigint NOT NULL,
    updated_at_ms  bigint NOT NULL
);
CREATE INDEX customer_addresses_customer_idx ON ecom_store_front.customer_addresses (tenant_id, customer_id);
CREATE UNIQUE INDEX customer_addresses_one_default ON ecom_store_front.customer_addresses (customer_id) WHERE is_default;

ALTER TABLE ecom_store_front.customer_addresses ENABLE ROW LEVEL SECURITY;
ALTER TABLE ecom_store_front.customer_addresses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ecom_store_front.customer_addresses
    USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
    WITH CHECK (tenant_id = astro_primary.current_tenant());

-- A checkout started signed in names its customer; an account that is deleted leaves its orders
-- as guest orders. The address check's verdict travels with the checkout to its order.
ALTER TABLE astro_primary.checkouts
    ADD COLUMN customer_id uuid REFERENCES ecom_store_front.customers (id) ON DELETE SET NULL,
    ADD COLUMN address_status text NOT NULL DEFAULT 'unverified' CHECK (address_status IN ('verified', 'unverified', 'mismatch'));
CREATE INDEX checkouts_customer_idx ON astro_primary.checkouts (tenant_id, customer_id) WHERE customer_id IS NOT NULL;
