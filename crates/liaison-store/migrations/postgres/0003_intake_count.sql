-- Items taken in per enterprise and local day: the daily submission limit reads and advances this row
-- inside the intake's transaction instead of counting the day's items.
CREATE TABLE intake_count (
    enterprise_id  BIGINT NOT NULL REFERENCES enterprise(id),
    day            DATE NOT NULL,
    submitted      BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, day)
);
