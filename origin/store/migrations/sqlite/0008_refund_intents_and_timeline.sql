-- Refunds are recorded before Razorpay is asked, as a pending intent named by the caller's
-- idempotency key, in the same transaction that checks the refundable balance (pending intents
-- count against it). SQLite cannot drop NOT NULL in place, so the table is rebuilt.
CREATE TABLE refunds_new (
    id                  BLOB PRIMARY KEY,
    tenant_id           BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id            BLOB NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    provider_refund_id  TEXT,
    amount_minor        INTEGER NOT NULL CHECK (amount_minor > 0),
    created_at_ms       INTEGER NOT NULL,
    idempotency_key     TEXT,
    status              TEXT NOT NULL DEFAULT 'processed' CHECK (status IN ('pending', 'processed', 'failed')),
    actor               TEXT,
    failure             TEXT,
    UNIQUE (tenant_id, provider_refund_id),
    UNIQUE (tenant_id, order_id, idempotency_key)
) STRICT;
INSERT INTO refunds_new (id, tenant_id, order_id, provider_refund_id, amount_minor, created_at_ms)
    SELECT id, tenant_id, order_id, provider_refund_id, amount_minor, created_at_ms FROM refunds;
DROP TABLE refunds;
ALTER TABLE refunds_new RENAME TO refunds;

-- A parcel ships once: the time is kept when a later refund changes the status.
ALTER TABLE orders ADD COLUMN fulfilled_at_ms INTEGER;
UPDATE orders SET fulfilled_at_ms = updated_at_ms WHERE status = 'fulfilled';
-- When the money came in (online: with the order; cash on delivery: when the merchant says it
-- was collected, which may be after the parcel shipped).
ALTER TABLE orders ADD COLUMN paid_at_ms INTEGER;
UPDATE orders SET paid_at_ms = created_at_ms
    WHERE payment_id IS NOT NULL OR status IN ('paid', 'partially_refunded', 'refunded');

-- Who did what to an order, and when: the order page's timeline.
CREATE TABLE order_events (
    seq         INTEGER PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id    BLOB NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at_ms       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL
) STRICT;
CREATE INDEX order_events_order_idx ON order_events (tenant_id, order_id, at_ms);
