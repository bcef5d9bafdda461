-- A record's items as one document per patient (issue 21, `document.rs`) instead of one row per
-- item: about 95 % smaller once compressed, one statement per save and one lookup per read.
CREATE TABLE record_documents (
    patient_id TEXT PRIMARY KEY REFERENCES patients(id) ON DELETE CASCADE,
    item_count BIGINT NOT NULL,
    items BYTEA NOT NULL
);
-- The items kept so far, each record's in its order, as an uncompressed document (the `json` type
-- keeps each payload's text as it was); the next save that changes the record compresses it.
INSERT INTO record_documents (patient_id, item_count, items)
SELECT patient_id, COUNT(*),
       convert_to(json_agg(json_build_array(kind, item_id, payload::json) ORDER BY ord)::text, 'UTF8')
FROM record_items
GROUP BY patient_id;

DROP TABLE record_items;

-- From here on the application compresses each document itself: PostgreSQL need not try again.
-- (Set after the conversion, so that the converted documents are still compressed by TOAST.)
ALTER TABLE record_documents ALTER COLUMN items SET STORAGE EXTERNAL;
