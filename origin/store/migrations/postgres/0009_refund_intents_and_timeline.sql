-- Refunds are recorded before Razorpay is asked, as a pending intent named by the caller's
-- idempotency key, in the same transaction that checks the refundable balance (pending intents
-- count against it). A double click or a retry finds its intent instead of paying twice, and
-- concurrent refunds can never add up to more than was paid.
ALTER TABLE astro_primary.refunds ALTER COLUMN provider_refund_id DROP NOT NULL;
ALTER TABLE astro_primary.refunds ADD COLUMN idempotency_key text;
ALTER TABLE astro_primary.refunds ADD COLUMN status text NOT NULL DEFAULT 'processed'
    CHECK (status IN ('pending', 'processed', 'failed'));
ALTER TABLE astro_primary.refunds ADD COLUMN actor text;
ALTER TABLE astro_primary.refunds ADD COLUMN failure text;
ALTER TABLE astro_primary.refunds ADD CONSTRAINT refunds_intent_key UNIQUE (tenant_id, order_id, idempotency_key);

-- A parcel ships once: the time is kept when a later refund changes the status.
ALTER TABLE astro_primary.orders ADD COLUMN fulfilled_at_ms bigint;
UPDATE astro_primary.orders SET fulfilled_at_ms = updated_at_ms WHERE status = 'fulfilled';
-- When the money came in (online: with the order; cash on delivery: when the merchant says it
-- was collected, which may be after the parcel shipped).
ALTER TABLE astro_primary.orders ADD COLUMN paid_at_ms bigint;
UPDATE astro_primary.orders SET paid_at_ms = created_at_ms
    WHERE payment_id IS NOT NULL OR status IN ('paid', 'partially_refunded', 'refunded');

-- Who did what to an order, and when: the order page's timeline.
CREATE TABLE astro_primary.order_events (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES astro_primary.tenants (id) ON DELETE CASCADE,
    order_id    uuid NOT NULL REFERENCES astro_primary.orders (id) ON DELETE CASCADE,
    at_ms       bigint NOT NULL,
    actor       text NOT NULL,
    kind        text NOT NULL,
    message     text NOT NULL
);
CREATE INDEX order_events_order_idx ON astro_primary.order_events (tenant_id, order_id, at_ms);
ALTER TABLE astro_primary.order_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE astro_primary.order_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON astro_primary.order_events
    USING (tenant_id = astro_primary.current_tenant() OR astro_primary.platform_scope())
    WITH CHECK (tenant_id = astro_primary.current_tenant());
