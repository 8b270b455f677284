-- Incident figures are updated as each report arrives instead of recomputed from all of an
-- incident's events, so merging into a large incident costs the same as into a small one. Each
-- best figure keeps the key of the report behind it (publication date, then report id): a later
-- report's figure supersedes it.
ALTER TABLE incidents ADD COLUMN killed_best_key TEXT;
ALTER TABLE incidents ADD COLUMN injured_best_key TEXT;
UPDATE incidents SET
    killed_best_key = (
        SELECT COALESCE(r.published, '') || printf('%020d', r.id)
        FROM events e JOIN reports r ON r.id = e.report_id
        WHERE e.incident_id = incidents.id AND e.part_of IS NULL AND e.killed IS NOT NULL
        ORDER BY COALESCE(r.published, '') DESC, r.id DESC LIMIT 1),
    injured_best_key = (
        SELECT COALESCE(r.published, '') || printf('%020d', r.id)
        FROM events e JOIN reports r ON r.id = e.report_id
        WHERE e.incident_id = incidents.id AND e.part_of IS NULL AND e.injured IS NOT NULL
        ORDER BY COALESCE(r.published, '') DESC, r.id DESC LIMIT 1);
