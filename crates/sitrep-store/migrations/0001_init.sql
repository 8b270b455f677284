-- sitrep store, schema version 1.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    ext_id        TEXT,
    url           TEXT,
    source        TEXT,
    title         TEXT,
    published     TEXT,
    text          TEXT NOT NULL,
    content_hash  TEXT NOT NULL UNIQUE,
    simhash       INTEGER NOT NULL,
    duplicate_of  INTEGER REFERENCES reports(id),
    extractor     TEXT NOT NULL,
    extraction    TEXT NOT NULL,
    ingested_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX reports_url ON reports(url) WHERE url IS NOT NULL;

-- Four 16-bit bands of each simhash: two texts within Hamming distance 3 share a band.
CREATE TABLE simhash_bands (
    band      INTEGER NOT NULL,
    value     INTEGER NOT NULL,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    PRIMARY KEY (band, value, report_id)
) WITHOUT ROWID;

CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    family        TEXT NOT NULL,
    type          TEXT NOT NULL,
    location      TEXT,
    country       TEXT,
    admin1        TEXT,
    lat           REAL,
    lon           REAL,
    precision     TEXT,
    day_start     INTEGER,
    day_end       INTEGER,
    date_start    TEXT,
    date_end      TEXT,
    initiator     TEXT,
    initiator_country TEXT,
    target        TEXT,
    killed_low    INTEGER, killed_best INTEGER, killed_high INTEGER,
    injured_low   INTEGER, injured_best INTEGER, injured_high INTEGER,
    sources       INTEGER NOT NULL DEFAULT 0,
    summary       TEXT
);
CREATE INDEX incidents_nowhere ON incidents(family, type, day_end) WHERE lat IS NULL;

-- Where and when each incident is, for candidate search when a new event arrives.
CREATE VIRTUAL TABLE incident_box USING rtree(id, day_min, day_max, lat_min, lat_max, lon_min, lon_max);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    report_id     INTEGER NOT NULL REFERENCES reports(id),
    local_id      TEXT NOT NULL,
    part_of       TEXT,
    incident_id   INTEGER REFERENCES incidents(id),
    family        TEXT NOT NULL,
    type          TEXT NOT NULL,
    lat           REAL,
    lon           REAL,
    country       TEXT,
    day_start     INTEGER,
    day_end       INTEGER,
    killed        INTEGER,
    killed_at_least INTEGER,
    injured       INTEGER,
    injured_at_least INTEGER,
    initiator_country TEXT,
    json          TEXT NOT NULL,
    merge_reason  TEXT NOT NULL
);
CREATE INDEX events_report ON events(report_id);
CREATE INDEX events_incident ON events(incident_id);

CREATE TABLE quotes (
    report_id     INTEGER NOT NULL REFERENCES reports(id),
    text          TEXT NOT NULL,
    start         INTEGER NOT NULL,
    end           INTEGER NOT NULL,
    speaker       TEXT,
    speaker_title TEXT
);
CREATE INDEX quotes_report ON quotes(report_id);

CREATE TABLE event_actors (
    event_id      INTEGER NOT NULL REFERENCES events(id),
    name          TEXT NOT NULL,
    country       TEXT,
    role          TEXT NOT NULL
);
CREATE INDEX event_actors_name ON event_actors(name);

CREATE VIRTUAL TABLE reports_fts USING fts5(title, text, content='reports', content_rowid='id');
