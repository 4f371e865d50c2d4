-- Platform staff (admin-api), their sign-in sessions and the audit log of what they do, in the
-- seed's `backoffice` schema. Staff and sessions belong to no tenant. The audit log names the
-- store an action was about, so it is fenced like every table with a tenant column: its rows
-- are visible (and written) only in the platform scope that admin-api's transactions set, never
-- in a store's.
CREATE TABLE backoffice.staff (
    id              uuid PRIMARY KEY,
    email           text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role            text NOT NULL CHECK (role IN ('admin', 'support', 'read_only')),
    password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    -- The TOTP secret (base32) once enrolment is confirmed; pending holds one being enrolled.
    totp_secret     text,
    totp_pending    text,
    -- The last 30-second step whose code was accepted: a code is good once.
    totp_last_step  bigint NOT NULL DEFAULT 0,
    disabled        boolean NOT NULL DEFAULT false,
    created_at_ms   bigint NOT NULL
);

-- A signed-in staff member's refresh token (SHA-256 of it), rotated on every refresh. Sign-out
-- revokes the session, which also ends its access tokens (they name the session).
CREATE TABLE backoffice.staff_sessions (
    id              uuid PRIMARY KEY,
    staff_id        uuid NOT NULL REFERENCES backoffice.staff (id) ON DELETE CASCADE,
    token_hash      text NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at_ms   bigint NOT NULL,
    expires_at_ms   bigint NOT NULL,
    revoked_at_ms   bigint
);
CREATE INDEX staff_sessions_staff_idx ON backoffice.staff_sessions (staff_id);

-- Every staff action: who, what, which store, when, and the state before and after.
CREATE TABLE backoffice.audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms        bigint NOT NULL,
    staff_id     uuid,
    staff_email  text NOT NULL,
    action       text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    tenant_id    uuid,
    target       text NOT NULL DEFAULT '',
    before       jsonb NOT NULL DEFAULT 'null',
    after        jsonb NOT NULL DEFAULT 'null'
);
CREATE INDEX audit_log_tenant_idx ON backoffice.audit_log (tenant_id, id DESC);
CREATE INDEX audit_log_staff_idx ON backoffice.audit_log (staff_id, id DESC);
ALTER TABLE backoffice.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE backoffice.audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY staff_only ON backoffice.audit_log
    USING (astro_primary.platform_scope())
    WITH CHECK (astro_primary.platform_scope());

-- Append-only: the service role may add rows and read them, never change or remove them. The
-- trigger holds for every role that does not own the table, and for the owner too (short of
-- dropping the trigger, which only a migration does).
CREATE FUNCTION backoffice.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON backoffice.audit_log
    FOR EACH ROW EXECUTE FUNCTION backoffice.audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON backoffice.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION backoffice.audit_log_is_append_only();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'zelly_app') THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON backoffice.audit_log FROM zelly_app;
        GRANT SELECT, INSERT ON backoffice.audit_log TO zelly_app;
    END IF;
END $$;

-- Orders are found across stores by payment id and by the shopper's email.
CREATE INDEX orders_payment_idx ON astro_primary.orders (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX checkouts_email_idx ON astro_primary.checkouts (lower(email));
