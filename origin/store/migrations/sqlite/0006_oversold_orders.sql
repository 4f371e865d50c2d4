-- An order whose payment arrived after its stock hold had run out, when the stock was already
-- gone: the order is kept (the money was taken) and flagged, so the merchant can ship late or
-- refund it.
ALTER TABLE orders ADD COLUMN oversold INTEGER NOT NULL DEFAULT 0 CHECK (oversold IN (0, 1));
