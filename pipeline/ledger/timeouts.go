package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// timeoutsSQL is the memory of files whose read ran out of its time
// budget, so that later runs reject them at once instead of spending the
// budget again on every pass. A file is keyed by its content hash and by
// the reader that timed out on it (the reader's version and limits): a new
// reader, or a larger budget, reads it again.
const timeoutsSQL = `
CREATE TABLE IF NOT EXISTS read_timeouts (
	sha256    TEXT NOT NULL,
	reader    TEXT NOT NULL,
	budget_ms INTEGER NOT NULL,  -- the largest budget the file ran out of
	at        TEXT NOT NULL,     -- wall clock of the last timeout (RFC 3339)
	PRIMARY KEY(sha256, reader)
);
`

// ReadTimeout returns the largest per-file time budget the reader (a
// version and limits fingerprint) ran out of on the file with this hash,
// if it ever did.
func (l *Ledger) ReadTimeout(ctx context.Context, sha, reader string) (time.Duration, bool, error) {
	var ms int64
	err := l.db.QueryRowContext(ctx, `SELECT budget_ms FROM read_timeouts WHERE sha256=? AND reader=?`, sha, reader).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("ledger: read timeout of %.12s: %w", sha, err)
	}
	return time.Duration(ms) * time.Millisecond, true, nil
}

// RecordReadTimeout remembers that reading the file with this hash ran out
// of budget; the largest budget seen is kept.
func (l *Ledger) RecordReadTimeout(ctx context.Context, sha, reader string, budget time.Duration, at time.Time) error {
	_, err := l.db.ExecContext(ctx, `INSERT INTO read_timeouts(sha256,reader,budget_ms,at) VALUES(?,?,?,?)
		ON CONFLICT(sha256,reader) DO UPDATE SET budget_ms=max(budget_ms, excluded.budget_ms), at=excluded.at`,
		sha, reader, budget.Milliseconds(), at.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("ledger: record read timeout of %.12s: %w", sha, err)
	}
	return nil
}
