-- The layout of each kind's search documents: which field of a record goes
-- into the title, keywords or body of its document. A release that changes a
-- kind's layout raises the version in code; at start the documents of a
-- kind whose stored version differs (or is missing) are rebuilt from the
-- records, in one transaction, and the version stored with them.
CREATE TABLE search_layout (
    kind TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
