-- Storefront events. {table} is the configured events table (CLICKHOUSE_TABLE), in the
-- configured database. Written for ClickHouse 18.16 and later: no DateTime64, LowCardinality,
-- Map, TTL or codecs.
--
-- ReplacingMergeTree collapses rows with the same sorting key when parts merge. The key ends with
-- event_id and everything before it (tenant, day of receipt) is fixed for an event, so the copies
-- of a redelivered event share a key and collapse. Merges happen eventually, never on demand:
-- reads count uniqExact(event_id) and never rely on them.
--
-- received_at is received_at_ms in whole seconds, for month partitions and day-level pruning;
-- reports bucket by received_at_ms itself.
CREATE TABLE IF NOT EXISTS {table} (
    event_id UUID,
    tenant_id UUID,
    received_at DateTime('UTC'),
    received_at_ms Int64,
    kind String,
    session_id String,
    path String,
    client_time_ms Nullable(Int64),
    product_id Nullable(UUID),
    variant_id Nullable(UUID),
    quantity Nullable(UInt32),
    search_query Nullable(String),
    order_id Nullable(String),
    value_minor Nullable(Int64),
    value_currency Nullable(String)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (tenant_id, toDate(received_at), event_id);
