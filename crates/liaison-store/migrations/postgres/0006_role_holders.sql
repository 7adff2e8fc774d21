-- Who holds a role (the station heads and center staff an overdue item notifies): a walk of the role's
-- holders instead of every account. Without it the SLA sweep's overdue step scanned all users per item.
CREATE INDEX user_role_by_role ON user_role(role, user_id);
