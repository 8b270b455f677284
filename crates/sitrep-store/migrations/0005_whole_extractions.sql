-- Each report's extraction is stored whole again, its events included, and new ones compressed
-- (src/body.rs): storing a report writes one body instead of one more per event, and a body that
-- compresses three times. An event's row keeps why it joined its incident.
ALTER TABLE events ADD COLUMN merge_reason TEXT;
UPDATE events SET merge_reason = (SELECT b.merge_reason FROM event_bodies b WHERE b.event_id = events.id);

-- Events go back into their report's extraction in the extractor's order (e1, e2, …). Stores
-- before this one kept no events for near-duplicates; their extractions keep an empty list. From
-- now on a near-duplicate's extraction is kept whole, though its events still join no incident.
UPDATE report_bodies SET extraction = json_set(extraction, '$.events', (
    SELECT json_group_array(json(b.json) ORDER BY CAST(substr(e.local_id, 2) AS INTEGER))
    FROM events e JOIN event_bodies b ON b.event_id = e.id
    WHERE e.report_id = report_bodies.report_id))
WHERE EXISTS (SELECT 1 FROM events e WHERE e.report_id = report_bodies.report_id);

DROP TABLE event_bodies;

-- The actor filter matches a name anywhere in it (LIKE '%…%'), which no index can serve: the
-- index on names only cost a B-tree insert per actor.
DROP INDEX event_actors_name;
