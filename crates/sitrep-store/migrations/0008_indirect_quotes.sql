-- A quote may be reported speech without quotation marks (`Quote.indirect`): the quotes table
-- says which. Quotes stored before are quotations (0); their extractions carry the flag anyway.
ALTER TABLE quotes ADD COLUMN indirect INTEGER NOT NULL DEFAULT 0;
