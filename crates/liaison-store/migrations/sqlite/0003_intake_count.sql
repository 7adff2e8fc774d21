-- Items taken in per enterprise and local day: the daily submission limit reads and advances this row
-- inside the intake's transaction instead of counting the day's items.
CREATE TABLE intake_count (
    enterprise_id  INTEGER NOT NULL REFERENCES enterprise(id),
    day            TEXT NOT NULL,
    submitted      INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, day)
);
