-- The services connect as `zelly_app`, a role that owns nothing: it may read and write rows (within
-- the row-level-security policies) but not change the schema or the policies. Migrations run as the
-- owner. Where no `zelly_app` role exists (a single-role setup), the owner keeps using its own
-- rights, still under FORCE'd row-level security.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'zelly_app') THEN
        GRANT USAGE ON SCHEMA astro_primary, ecom_store_front, backoffice TO zelly_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA astro_primary TO zelly_app;
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA astro_primary TO zelly_app;
        -- Tables and functions that later migrations create are granted the same way.
        ALTER DEFAULT PRIVILEGES IN SCHEMA astro_primary
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO zelly_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA astro_primary GRANT EXECUTE ON FUNCTIONS TO zelly_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA ecom_store_front
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO zelly_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA backoffice
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO zelly_app;
    END IF;
END $$;
