-- The collection a store features on its storefront's home page (NULL: none). Deleting the
-- collection clears it.
ALTER TABLE tenants ADD COLUMN featured_collection_id BLOB REFERENCES collections (id) ON DELETE SET NULL;
