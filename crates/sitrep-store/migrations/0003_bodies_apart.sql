-- The tables every insert and merge walks (reports, events, simhash bands) keep only small
-- columns; report text, extractions and event JSON move to tables read only when shown. A store
-- of 100,000 reports then merges against indexes and rows that stay in the page cache.
CREATE TABLE report_bodies (
    report_id   INTEGER PRIMARY KEY REFERENCES reports(id),
    text        TEXT NOT NULL,
    extraction  TEXT NOT NULL
);
INSERT INTO report_bodies (report_id, text, extraction) SELECT id, text, extraction FROM reports;

CREATE TABLE event_bodies (
    event_id      INTEGER PRIMARY KEY REFERENCES events(id),
    json          TEXT NOT NULL,
    merge_reason  TEXT NOT NULL
);
INSERT INTO event_bodies (event_id, json, merge_reason) SELECT id, json, merge_reason FROM events;

-- Full text: contentless (it only answers which reports hold a word), word-only (no positions),
-- over words the store splits itself (src/words.rs) and separates by spaces. The store refills it
-- from report_bodies right after this migration.
DROP TABLE reports_fts;
CREATE VIRTUAL TABLE reports_fts USING fts5(title, text, content='', detail=none, tokenize='ascii');

ALTER TABLE reports DROP COLUMN text;
ALTER TABLE reports DROP COLUMN extraction;
ALTER TABLE events DROP COLUMN json;
ALTER TABLE events DROP COLUMN merge_reason;

-- Only originals can be near-duplicated; their bands carry the simhash, so the check never reads
-- a report row.
CREATE TABLE simhash_bands_new (
    band      INTEGER NOT NULL,
    value     INTEGER NOT NULL,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    simhash   INTEGER NOT NULL,
    PRIMARY KEY (band, value, report_id)
) WITHOUT ROWID;
INSERT INTO simhash_bands_new (band, value, report_id, simhash)
    SELECT b.band, b.value, b.report_id, r.simhash
    FROM simhash_bands b JOIN reports r ON r.id = b.report_id
    WHERE r.duplicate_of IS NULL;
DROP TABLE simhash_bands;
ALTER TABLE simhash_bands_new RENAME TO simhash_bands;

-- "Has this report already an event in this incident?" and "how many reports?" from the index.
DROP INDEX events_incident;
CREATE INDEX events_incident ON events(incident_id, report_id);
