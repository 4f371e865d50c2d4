-- The checkout form's attempt key: a form submitted twice (a double click, a retried POST) names
-- the same attempt and gets the same checkout, instead of a second hold on the same stock.
ALTER TABLE checkouts ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX checkouts_idempotency_key_idx ON checkouts (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
