-- Queues paused from the staff dashboard: while a queue has a row here, workers claim none of its
-- jobs (in any process: the claim reads this table in its write transaction).
CREATE TABLE paused_queues (
    queue TEXT PRIMARY KEY,
    paused_at INTEGER NOT NULL
);
