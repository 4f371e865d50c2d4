-- The collection a store features on its storefront's home page (NULL: none). Deleting the
-- collection clears it.
ALTER TABLE astro_primary.tenants
    ADD COLUMN featured_collection_id uuid REFERENCES astro_primary.collections (id) ON DELETE SET NULL;
