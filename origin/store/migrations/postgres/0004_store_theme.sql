-- A store's look, set by its merchant: a logo and an accent colour (NULL: Zelly's defaults), and
-- the version of everything its storefront shows, raised by every catalog or settings change in
-- the same transaction (edge caches key pages by it).
ALTER TABLE astro_primary.tenants
    ADD COLUMN logo_url text CHECK (logo_url IS NULL OR length(logo_url) BETWEEN 1 AND 2048),
    ADD COLUMN accent_color text CHECK (accent_color IS NULL OR accent_color ~ '^#[0-9a-f]{6}$'),
    ADD COLUMN catalog_version bigint NOT NULL DEFAULT 0;
