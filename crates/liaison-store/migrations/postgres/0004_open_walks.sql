-- The officer's worklist walks its open items newest first along two indexes (items whose enterprise
-- the officer is responsible for, and items they handle). Partial indexes over open items only let each
-- walk read exactly one page of index entries instead of skipping the officer's closed items, and never
-- touch the table: the item id is all a walk returns. The condition is the text of the lists' open-status
-- term, so both planners prove the index applies.
CREATE INDEX item_officer_open ON item(officer_id, id)
    WHERE status IN ('submitted', 'accepted', 'assigned', 'in_progress');
CREATE INDEX item_handler_open ON item(handler_id, id)
    WHERE status IN ('submitted', 'accepted', 'assigned', 'in_progress');
