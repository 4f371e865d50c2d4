-- The embedded queue: every job of every queue, in one table. Times are Unix milliseconds.
CREATE TABLE jobs (
    -- Arrival order, and the id of jobs added without one.
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    -- The payload as JSON text.
    data TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'completed', 'failed')),
    attempts INTEGER NOT NULL CHECK (attempts >= 1),
    backoff_ms INTEGER NOT NULL CHECK (backoff_ms >= 0),
    -- Attempts that finished (failed or completed), as BullMQ's attemptsMade.
    attempts_made INTEGER NOT NULL DEFAULT 0,
    -- Times a worker lost the job by letting its lease expire.
    stalls INTEGER NOT NULL DEFAULT 0,
    -- A waiting job runs no earlier than this (retry backoff).
    run_at INTEGER NOT NULL,
    -- An active job's lease: the worker holding it, the claim's token, and until when.
    worker_id TEXT,
    lock_token TEXT,
    lease_until INTEGER,
    failed_reason TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (queue, id)
);

-- Claims (waiting, by arrival), lease checks (active) and clean-up (completed).
CREATE INDEX jobs_by_state ON jobs (queue, state, seq);
-- Lease renewal.
CREATE INDEX jobs_by_worker ON jobs (worker_id) WHERE worker_id IS NOT NULL;
