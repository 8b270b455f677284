-- Full-text search matches words, never phrases: the index keeps which reports hold each word,
-- not where (detail=none). About half the index to write for every report, and a smaller file.
DROP TABLE reports_fts;
CREATE VIRTUAL TABLE reports_fts USING fts5(title, text, content='reports', content_rowid='id', detail=none);
INSERT INTO reports_fts (reports_fts) VALUES ('rebuild');
