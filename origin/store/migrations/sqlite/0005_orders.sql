-- Checkouts, the stock they hold while the shopper pays, and orders (see the PostgreSQL migration
-- 0006 for the rules; the constraints are the same).

ALTER TABLE tenants ADD COLUMN last_order_number INTEGER NOT NULL DEFAULT 0;
-- Whether the store offers cash on delivery (a merchant setting).
ALTER TABLE tenants ADD COLUMN cash_on_delivery INTEGER NOT NULL DEFAULT 0 CHECK (cash_on_delivery IN (0, 1));

CREATE TABLE checkouts (
    id                 BLOB PRIMARY KEY,
    tenant_id          BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
    email              TEXT NOT NULL,
    shipping           TEXT NOT NULL,
    payment_method     TEXT NOT NULL CHECK (payment_method IN ('razorpay', 'cash_on_delivery')),
    total_minor        INTEGER NOT NULL CHECK (total_minor >= 0),
    currency           TEXT NOT NULL CHECK (length(currency) = 3),
    provider_order_id  TEXT UNIQUE,
    session_id         TEXT,
    expires_at_ms      INTEGER NOT NULL,
    created_at_ms      INTEGER NOT NULL
) STRICT;

CREATE TABLE checkout_lines (
    tenant_id         BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    checkout_id       BLOB NOT NULL REFERENCES checkouts (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    variant_id        BLOB NOT NULL,
    title             TEXT NOT NULL,
    sku               TEXT NOT NULL,
    unit_price_minor  INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    quantity          INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    PRIMARY KEY (checkout_id, position)
) STRICT;

CREATE TABLE stock_reservations (
    tenant_id      BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    checkout_id    BLOB NOT NULL REFERENCES checkouts (id) ON DELETE CASCADE,
    variant_id     BLOB NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    expires_at_ms  INTEGER NOT NULL,
    consumed       INTEGER NOT NULL DEFAULT 0 CHECK (consumed IN (0, 1)),
    PRIMARY KEY (checkout_id, variant_id)
) STRICT;
CREATE INDEX stock_reservations_held_idx ON stock_reservations (tenant_id, variant_id, expires_at_ms) WHERE consumed = 0;

CREATE TABLE orders (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    checkout_id     BLOB NOT NULL UNIQUE REFERENCES checkouts (id),
    status          TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'fulfilled', 'cancelled',
                                                    'partially_refunded', 'refunded')),
    payment_method  TEXT NOT NULL CHECK (payment_method IN ('razorpay', 'cash_on_delivery')),
    payment_id      TEXT,
    tracking_carrier TEXT CHECK (tracking_carrier IS NULL OR length(tracking_carrier) BETWEEN 1 AND 40),
    tracking_number  TEXT CHECK (tracking_number IS NULL OR length(tracking_number) BETWEEN 1 AND 64),
    total_minor     INTEGER NOT NULL CHECK (total_minor >= 0),
    refunded_minor  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor BETWEEN 0 AND total_minor),
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    created_at_ms   INTEGER NOT NULL,
    updated_at_ms   INTEGER NOT NULL,
    UNIQUE (tenant_id, number),
    UNIQUE (tenant_id, payment_id)
) STRICT;
CREATE INDEX orders_tenant_created_idx ON orders (tenant_id, created_at_ms DESC, id DESC);

CREATE TABLE refunds (
    id                  BLOB PRIMARY KEY,
    tenant_id           BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id            BLOB NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    provider_refund_id  TEXT NOT NULL,
    amount_minor        INTEGER NOT NULL CHECK (amount_minor > 0),
    created_at_ms       INTEGER NOT NULL,
    UNIQUE (tenant_id, provider_refund_id)
) STRICT;

CREATE TABLE webhook_receipts (
    tenant_id       BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider        TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event           TEXT NOT NULL,
    received_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider, event_id)
) STRICT;

CREATE TABLE event_outbox (
    event_id       BLOB PRIMARY KEY,
    tenant_id      BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    payload        TEXT NOT NULL,
    created_at_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX event_outbox_created_idx ON event_outbox (created_at_ms);
