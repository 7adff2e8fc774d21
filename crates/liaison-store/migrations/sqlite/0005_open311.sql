-- Open311 GeoReport v2: which categories are public services (listed, and their requests readable
-- without a key), each category's extra attributes and the values an item was given, the API keys
-- admins issue to clients, and an index so a window of requests walks submission times.
ALTER TABLE item_category ADD COLUMN public_service BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE item_category ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE item_category ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
UPDATE item_category SET public_service = 1 WHERE kind IN ('need', 'suggestion', 'consultation');

-- What each starter service is about, for clients listing them.
UPDATE item_category SET description = '企业招工、用工服务需求 / hiring and staffing needs', keywords = '招工,用工,招聘,hiring' WHERE name = '用工招聘';
UPDATE item_category SET description = '融资、信贷对接需求 / financing and credit', keywords = '融资,贷款,信贷,finance' WHERE name = '融资信贷';
UPDATE item_category SET description = '惠企政策申报协助 / applying for enterprise support policies', keywords = '政策,申报,补贴,policy' WHERE name = '政策申报';
UPDATE item_category SET description = '企业周边治安、防盗、秩序问题 / public order around the enterprise', keywords = '治安,盗窃,秩序,safety' WHERE name = '治安环境';
UPDATE item_category SET description = '道路、停车、通勤问题 / roads, parking and commuting', keywords = '交通,停车,道路,traffic' WHERE name = '交通出行';
UPDATE item_category SET description = '对公安服务的意见建议 / suggestions on police services', keywords = '建议,服务,suggestion' WHERE name = '警务服务';
UPDATE item_category SET description = '对营商环境的意见建议 / suggestions on the business environment', keywords = '营商环境,建议,business' WHERE name = '营商环境';
UPDATE item_category SET description = '户籍、居住证、出入境业务咨询 / household registration, residence and travel documents', keywords = '户口,居住证,出入境,护照,residence' WHERE name = '户政出入境';
UPDATE item_category SET description = '法律法规、涉企政策咨询 / laws and enterprise policies', keywords = '法律,政策,咨询,law' WHERE name = '法律政策';
UPDATE item_category SET description = '欠薪、劳动合同纠纷 / wage and labour disputes', keywords = '欠薪,劳动,纠纷,labour' WHERE name = '劳资纠纷';
UPDATE item_category SET description = '经济合同纠纷 / contract disputes', keywords = '合同,纠纷,contract' WHERE name = '合同纠纷';
UPDATE item_category SET description = '与周边单位、居民的纠纷 / disputes with neighbours', keywords = '邻里,纠纷,neighbour' WHERE name = '邻里纠纷';
UPDATE item_category SET description = '涉企违法犯罪线索举报 / reports of crimes against enterprises', keywords = '举报,线索,诈骗,report' WHERE name = '涉企违法线索';

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
