-- An incident lists, with each source report, the copies of it stored as near-duplicates (the
-- same wire story re-published by another outlet): found through this index, which holds only
-- the copies.
CREATE INDEX reports_copies ON reports(duplicate_of) WHERE duplicate_of IS NOT NULL;
