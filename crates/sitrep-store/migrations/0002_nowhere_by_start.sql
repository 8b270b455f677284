-- Candidate search for events without a place scans a bounded range of start days, not every
-- incident that ends later.
DROP INDEX incidents_nowhere;
CREATE INDEX incidents_nowhere ON incidents(family, type, day_start) WHERE lat IS NULL;
