-- Open311 GeoReport v2: which categories are public services (listed, and their requests readable
-- without a key), each category's extra attributes and the values an item was given, the API keys
-- admins issue to clients, and an index so a window of requests walks submission times.
ALTER TABLE item_category ADD COLUMN public_service BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE item_category ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE item_category ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
UPDATE item_category SET public_service = 1 WHERE kind IN ('need', 'suggestion', 'consultation');

CREATE TABLE category_attribute (
    id                    INTEGER PRIMARY KEY,
    category_id           INTEGER NOT NULL REFERENCES item_category(id),
    code                  TEXT NOT NULL,
    datatype              TEXT NOT NULL,
    required              BOOLEAN NOT NULL,
    description           TEXT NOT NULL,
    datatype_description  TEXT NOT NULL DEFAULT '',
    position              INTEGER NOT NULL,
    value_list            TEXT NOT NULL DEFAULT '',
    CONSTRAINT category_attribute_code_key UNIQUE (category_id, code),
    CONSTRAINT category_attribute_position_key UNIQUE (category_id, position)
);

CREATE TABLE item_attribute (
    item_id   INTEGER NOT NULL REFERENCES item(id),
    code      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (item_id, code, position)
);

CREATE TABLE api_key (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES app_user(id),
    prefix        TEXT NOT NULL,
    digest        TEXT NOT NULL,
    read_private  BOOLEAN NOT NULL DEFAULT 0,
    per_minute    INTEGER NOT NULL,
    created_by    INTEGER REFERENCES app_user(id),
    created_at    TEXT NOT NULL,
    rotated_at    TEXT,
    last_used_at  TEXT,
    revoked_at    TEXT,
    CONSTRAINT api_key_digest_key UNIQUE (digest)
);

CREATE INDEX item_submitted ON item(submitted_at);

-- Starter attributes, so a client can see the shape of a service definition.
INSERT INTO category_attribute (category_id, code, datatype, required, description, position, value_list)
SELECT id, 'headcount', 'number', 1, '需求人数 / number of people wanted', 1, '' FROM item_category WHERE name = '用工招聘';
INSERT INTO category_attribute (category_id, code, datatype, required, description, position, value_list)
SELECT id, 'positions', 'multivaluelist', 0, '岗位类别 / kinds of position', 2,
       '[{"key":"operator","name":"普工 / operator"},{"key":"technician","name":"技工 / technician"},{"key":"security","name":"保安 / security guard"}]'
FROM item_category WHERE name = '用工招聘';
INSERT INTO category_attribute (category_id, code, datatype, required, description, position, value_list)
SELECT id, 'period', 'singlevaluelist', 0, '多发时段 / when it happens', 1,
       '[{"key":"day","name":"白天 / daytime"},{"key":"night","name":"夜间 / at night"}]'
FROM item_category WHERE name = '治安环境';
