-- A record's items as one document per patient (issue 21, `document.rs`) instead of one row per
-- item: about 95 % smaller once compressed, one statement per save and one lookup per read.
CREATE TABLE record_documents (
    patient_id TEXT PRIMARY KEY REFERENCES patients(id) ON DELETE CASCADE,
    item_count BIGINT NOT NULL,
    items BLOB NOT NULL
);

-- The items kept so far, each record's in its order, as an uncompressed document; the next save
-- that changes the record compresses it.
INSERT INTO record_documents (patient_id, item_count, items)
SELECT patient_id, COUNT(*),
       CAST(json_group_array(json_array(kind, item_id, json(payload)) ORDER BY ord) AS BLOB)
FROM record_items
GROUP BY patient_id;

DROP TABLE record_items;
