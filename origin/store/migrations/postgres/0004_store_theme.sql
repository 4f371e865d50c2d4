-- A store's look, set by its merchant: a logo and an accent colour (NULL: Zelly's defaults).
ALTER TABLE astro_primary.tenants
    ADD COLUMN logo_url text CHECK (logo_url IS NULL OR length(logo_url) BETWEEN 1 AND 2048),
    ADD COLUMN accent_color text CHECK (accent_color IS NULL OR accent_color ~ '^#[0-9a-f]{6}$');
