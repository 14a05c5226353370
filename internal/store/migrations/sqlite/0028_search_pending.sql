-- Records waiting for the search index: registers whose bulk imports are
-- indexed after the import (search.Drain) list their changed rows here, in
-- the import's own transactions; the server drains the list in the
-- background and `sidi import` before it exits.
CREATE TABLE search_pending (
	kind TEXT NOT NULL,
	ref_id INTEGER NOT NULL,
	PRIMARY KEY (kind, ref_id)
) WITHOUT ROWID;
