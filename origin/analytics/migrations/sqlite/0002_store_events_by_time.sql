-- The platform report reads every tenant's events over a time range: without this index it
-- would scan the whole table.
CREATE INDEX store_events_by_time ON store_events (received_at_ms);
