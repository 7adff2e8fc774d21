-- The daily submission limit counts an enterprise's items since midnight: a range of this index, not a
-- walk over every item the enterprise ever submitted.
CREATE INDEX item_enterprise_submitted ON item(enterprise_id, submitted_at);
