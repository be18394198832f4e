package ledger

import (
	"context"
	"fmt"
)

// Received is what the ledger knows of one inbox path: the hash cached
// for its size and mtime, and whether those bytes were received under it.
type Received struct {
	Size    int64
	MtimeNS int64
	SHA256  string
	Known   bool // (path, sha256) is a received submission
}

// ReceivedFiles returns, in one query, the hash cache of every inbox path
// and whether its cached bytes were received: an ingest pass over
// thousands of known files asks nothing more of the database.
func (l *Ledger) ReceivedFiles(ctx context.Context) (map[string]Received, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT f.path, f.size, f.mtime_ns, f.sha256,
		EXISTS(SELECT 1 FROM submissions s WHERE s.path=f.path AND s.sha256=f.sha256) FROM file_cache f`)
	if err != nil {
		return nil, fmt.Errorf("ledger: read file cache: %w", err)
	}
	defer rows.Close()
	out := map[string]Received{}
	for rows.Next() {
		var path string
		var r Received
		if err := rows.Scan(&path, &r.Size, &r.MtimeNS, &r.SHA256, &r.Known); err != nil {
			return nil, fmt.Errorf("ledger: read file cache: %w", err)
		}
		out[path] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger: read file cache: %w", err)
	}
	return out, nil
}
