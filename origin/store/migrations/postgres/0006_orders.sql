-- Checkouts, the stock they hold while the shopper pays, and orders.
--
-- One order per checkout and one per payment are unique constraints, so a browser callback and a
-- payment webhook racing to finalise the same payment produce one order whichever commits first.
-- Stock is held by reservations (counted while unexpired and not consumed) and decremented once,
-- in the transaction that creates the order.

ALTER TABLE astro_primary.tenants ADD COLUMN last_order_number bigint NOT NULL DEFAULT 0;
-- Whether the store offers cash on delivery (a merchant setting).
ALTER TABLE astro_primary.tenants ADD COLUMN cash_on_delivery boolean NOT NULL DEFAULT false;

CREATE TABLE astro_primary.checkouts (
    id                 uuid PRIMARY KEY,
    tenant_id          uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
    email              text NOT NULL,
    shipping           jsonb NOT NULL,
    payment_method     text NOT NULL CHECK (payment_method IN ('razorpay', 'cash_on_delivery')),
    total_minor        bigint NOT NULL CHECK (total_minor >= 0),
    currency           text NOT NULL CHECK (length(currency) = 3),
    provider_order_id  text UNIQUE,
    session_id         text,
    expires_at_ms      bigint NOT NULL,
    created_at_ms      bigint NOT NULL DEFAULT astro_primary.now_ms()
);

CREATE TABLE astro_primary.checkout_lines (
    tenant_id         uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    checkout_id       uuid NOT NULL REFERENCES astro_primary.checkouts (id) ON DELETE CASCADE,
    position          integer NOT NULL,
    variant_id        uuid NOT NULL,
    title             text NOT NULL,
    sku               text NOT NULL,
    unit_price_minor  bigint NOT NULL CHECK (unit_price_minor >= 0),
    quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    PRIMARY KEY (checkout_id, position)
);

CREATE TABLE astro_primary.stock_reservations (
    tenant_id      uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    checkout_id    uuid NOT NULL REFERENCES astro_primary.checkouts (id) ON DELETE CASCADE,
    variant_id     uuid NOT NULL REFERENCES astro_primary.variants (id) ON DELETE CASCADE,
    quantity       integer NOT NULL CHECK (quantity > 0),
    expires_at_ms  bigint NOT NULL,
    consumed       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (checkout_id, variant_id)
);
CREATE INDEX stock_reservations_held_idx ON astro_primary.stock_reservations (tenant_id, variant_id, expires_at_ms)
    WHERE NOT consumed;

CREATE TABLE astro_primary.orders (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    number          bigint NOT NULL,
    checkout_id     uuid NOT NULL UNIQUE REFERENCES astro_primary.checkouts (id),
    status          text NOT NULL CHECK (status IN ('pending_payment', 'paid', 'fulfilled', 'cancelled',
                                                    'partially_refunded', 'refunded')),
    payment_method  text NOT NULL CHECK (payment_method IN ('razorpay', 'cash_on_delivery')),
    payment_id      text,
    tracking_carrier text CHECK (tracking_carrier IS NULL OR length(tracking_carrier) BETWEEN 1 AND 40),
    tracking_number  text CHECK (tracking_number IS NULL OR length(tracking_number) BETWEEN 1 AND 64),
    total_minor     bigint NOT NULL CHECK (total_minor >= 0),
    refunded_minor  bigint NOT NULL DEFAULT 0 CHECK (refunded_minor BETWEEN 0 AND total_minor),
    currency        text NOT NULL CHECK (length(currency) = 3),
    created_at_ms   bigint NOT NULL DEFAULT astro_primary.now_ms(),
    updated_at_ms   bigint NOT NULL DEFAULT astro_primary.now_ms(),
    CONSTRAINT orders_tenant_number_key UNIQUE (tenant_id, number),
    CONSTRAINT orders_payment_key UNIQUE (tenant_id, payment_id)
);
CREATE INDEX orders_tenant_created_idx ON astro_primary.orders (tenant_id, created_at_ms DESC, id DESC);

-- Money sent back, each refund once (the provider's refund id is unique per store).
CREATE TABLE astro_primary.refunds (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    order_id            uuid NOT NULL REFERENCES astro_primary.orders (id) ON DELETE CASCADE,
    provider_refund_id  text NOT NULL,
    amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
    created_at_ms       bigint NOT NULL DEFAULT astro_primary.now_ms(),
    CONSTRAINT refunds_provider_key UNIQUE (tenant_id, provider_refund_id)
);

-- Webhook deliveries already acted on, by the provider's event id (deliveries repeat).
CREATE TABLE astro_primary.webhook_receipts (
    tenant_id       uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    provider        text NOT NULL,
    event_id        text NOT NULL,
    event           text NOT NULL,
    received_at_ms  bigint NOT NULL DEFAULT astro_primary.now_ms(),
    PRIMARY KEY (tenant_id, provider, event_id)
);

-- Analytics events written with the change they describe (an order placed), published to the
-- store-events queue by core-api afterwards and deleted once queued: never lost, and never
-- counted twice (the queue job id and the analytics key are the event id).
CREATE TABLE astro_primary.event_outbox (
    event_id       uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    kind           text NOT NULL,
    payload        jsonb NOT NULL,
    created_at_ms  bigint NOT NULL DEFAULT astro_primary.now_ms()
);
CREATE INDEX event_outbox_created_idx ON astro_primary.event_outbox (created_at_ms);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['checkouts', 'checkout_lines', 'stock_reservations', 'orders', 'refunds', 'webhook_receipts', 'event_outbox'] LOOP
        EXECUTE format('ALTER TABLE astro_primary.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE astro_primary.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON astro_primary.%I
                 USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
                 WITH CHECK (tenant_id = astro_primary.current_tenant())', t);
    END LOOP;
END $$;
