-- The checkout form's attempt key: a form submitted twice (a double click, a retried POST) names
-- the same attempt and gets the same checkout, instead of a second hold on the same stock.
ALTER TABLE astro_primary.checkouts ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX checkouts_idempotency_key_idx ON astro_primary.checkouts (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
