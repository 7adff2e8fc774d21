-- Counters kept in the transaction of the rows they count, so hot paths read a number instead of counting.

-- Items taken in per enterprise and local day: the daily submission limit reads and advances this row
-- inside the intake's transaction instead of counting the day's items.
CREATE TABLE intake_count (
    enterprise_id  INTEGER NOT NULL REFERENCES enterprise(id),
    day            TEXT NOT NULL,
    submitted      INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, day)
);

-- An item's clean attachments and its referrals: the detail reads those rows only when there are some.
ALTER TABLE item ADD COLUMN attachment_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE item ADD COLUMN referral_count INTEGER NOT NULL DEFAULT 0;
UPDATE item SET attachment_count = (SELECT COUNT(*) FROM attachment a WHERE a.item_id = item.id AND a.status = 'clean')
    WHERE id IN (SELECT item_id FROM attachment WHERE status = 'clean');
UPDATE item SET referral_count = (SELECT COUNT(*) FROM referral r WHERE r.item_id = item.id)
    WHERE id IN (SELECT item_id FROM referral);
