-- Storefront events, one row per event_id: a repeated insert of the same event is ignored
-- (INSERT ... ON CONFLICT DO NOTHING). UUIDs are lower-case hyphenated text, so text order is
-- UUID order. Times are Unix milliseconds.
CREATE TABLE store_events (
    event_id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL,
    -- When intake accepted the event; the day an event counts for comes from this.
    received_at_ms INTEGER NOT NULL,
    -- EventKind::as_str(): page_view, product_view, add_to_cart, search, checkout_started, order_placed.
    kind TEXT NOT NULL,
    session_id TEXT NOT NULL,
    path TEXT NOT NULL,
    client_time_ms INTEGER,
    product_id TEXT,
    variant_id TEXT,
    quantity INTEGER,
    search_query TEXT,
    order_id TEXT,
    -- The order's value in minor units, and its ISO 4217 currency.
    value_minor INTEGER,
    value_currency TEXT
);

-- Every report and count reads one tenant's events over a time range.
CREATE INDEX store_events_by_tenant_time ON store_events (tenant_id, received_at_ms);
