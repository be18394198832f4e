package ledger

import (
	"context"
	"fmt"
	"time"
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

// Receipt is one file archived by an ingest pass, to be recorded: its
// entry and the mtime its hash cache keeps.
type Receipt struct {
	Entry   Entry
	MtimeNS int64
}

// ReceiveAll records receipts in one transaction, in their order: each
// (path, sha256) not yet received is recorded as Receive does (entry,
// cache, settling cleared); one already received only has its cache
// refreshed, as CacheHash does. It returns each receipt's new seq, 0 for
// those already received. Nothing is recorded when it fails.
func (l *Ledger) ReceiveAll(ctx context.Context, rs []Receipt) ([]int64, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("ledger: begin: %w", err)
	}
	defer tx.Rollback()
	known, err := tx.PrepareContext(ctx, `SELECT count(*) FROM submissions WHERE path=? AND sha256=?`)
	if err != nil {
		return nil, fmt.Errorf("ledger: prepare: %w", err)
	}
	defer known.Close()
	insert, err := tx.PrepareContext(ctx, `INSERT INTO submissions(sha256,path,size,received_at,seen_real,archive) VALUES(?,?,?,?,?,?)`)
	if err != nil {
		return nil, fmt.Errorf("ledger: prepare: %w", err)
	}
	defer insert.Close()
	cache, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO file_cache(path,size,mtime_ns,sha256) VALUES(?,?,?,?)`)
	if err != nil {
		return nil, fmt.Errorf("ledger: prepare: %w", err)
	}
	defer cache.Close()
	settled, err := tx.PrepareContext(ctx, `DELETE FROM settling WHERE path=?`)
	if err != nil {
		return nil, fmt.Errorf("ledger: prepare: %w", err)
	}
	defer settled.Close()
	seqs := make([]int64, len(rs))
	for i, r := range rs {
		e := r.Entry
		var n int
		if err := known.QueryRowContext(ctx, e.Path, e.SHA256).Scan(&n); err != nil {
			return nil, fmt.Errorf("ledger: look up %s: %w", e.Path, err)
		}
		if n == 0 {
			res, err := insert.ExecContext(ctx, e.SHA256, e.Path, e.Size, e.ReceivedAt.Format(time.RFC3339Nano),
				e.SeenReal.UTC().Format(time.RFC3339Nano), e.Archive)
			if err != nil {
				return nil, fmt.Errorf("ledger: record %s: %w", e.Path, err)
			}
			if seqs[i], err = res.LastInsertId(); err != nil {
				return nil, fmt.Errorf("ledger: record %s: %w", e.Path, err)
			}
		}
		if _, err := cache.ExecContext(ctx, e.Path, e.Size, r.MtimeNS, e.SHA256); err != nil {
			return nil, fmt.Errorf("ledger: cache %s: %w", e.Path, err)
		}
		if n == 0 {
			if _, err := settled.ExecContext(ctx, e.Path); err != nil {
				return nil, fmt.Errorf("ledger: settle %s: %w", e.Path, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("ledger: commit %d receipts: %w", len(rs), err)
	}
	return seqs, nil
}
