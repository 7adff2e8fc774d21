-- Issue 14. (1) An administrator duty is held alone (三权分立), enforced here as well as in core: no
-- account holds two of sys_admin, sec_admin, audit_admin, or one of them beside any other role. The
-- account row is locked first, so two concurrent grants to one account are decided one after the other.
CREATE FUNCTION user_role_admin_alone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'admin_duty_alone';
    END IF;
    PERFORM 1 FROM app_user WHERE id = NEW.user_id FOR UPDATE;
    IF (NEW.role IN ('sys_admin', 'sec_admin', 'audit_admin')
        AND EXISTS (SELECT 1 FROM user_role WHERE user_id = NEW.user_id AND role <> NEW.role))
    OR (NEW.role NOT IN ('sys_admin', 'sec_admin', 'audit_admin')
        AND EXISTS (SELECT 1 FROM user_role WHERE user_id = NEW.user_id
                    AND role IN ('sys_admin', 'sec_admin', 'audit_admin'))) THEN
        RAISE EXCEPTION 'admin_duty_alone';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER user_role_admin_alone BEFORE INSERT OR UPDATE ON user_role
FOR EACH ROW EXECUTE FUNCTION user_role_admin_alone();

-- (2) Sign-in devices: a browser that signed in to an account gets a device cookie; failures from it
-- count apart from the failures of unknown sources, so an attacker cannot lock the owner out.
CREATE TABLE login_device (
    digest        TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES app_user(id),
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_device_user ON login_device(user_id);
ALTER TABLE login_failure ADD COLUMN device TEXT;
CREATE INDEX login_failure_device ON login_failure(username, device, at);

-- (3) An API key acts as its account only with the account holder's consent (keys issued before this
-- rule keep working).
ALTER TABLE api_key ADD COLUMN consented_at TIMESTAMPTZ;
UPDATE api_key SET consented_at = created_at;
