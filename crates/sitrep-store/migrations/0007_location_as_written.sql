-- Each incident keeps, beside the gazetteer's name of its place, the name as a report wrote it
-- ("Palmyra" for Tadmur) and what the place is (country, admin1, admin2, settlement, feature).
-- Columns only: the store fills them for incidents stored before from their events' extractions
-- right after this migration (extractions are compressed, which SQL cannot read).
ALTER TABLE incidents ADD COLUMN location_written TEXT;
ALTER TABLE incidents ADD COLUMN place_kind TEXT;
