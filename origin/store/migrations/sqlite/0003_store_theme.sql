-- A store's look, set by its merchant: a logo and an accent colour (NULL: Zelly's defaults), and
-- the version of everything its storefront shows, raised by every catalog or settings change in
-- the same transaction (edge caches key pages by it).
ALTER TABLE tenants ADD COLUMN logo_url TEXT CHECK (logo_url IS NULL OR length(logo_url) BETWEEN 1 AND 2048);
ALTER TABLE tenants ADD COLUMN accent_color TEXT
    CHECK (accent_color IS NULL OR (length(accent_color) = 7 AND accent_color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'));
ALTER TABLE tenants ADD COLUMN catalog_version INTEGER NOT NULL DEFAULT 0;
