// Package ledger is the pipeline's memory between runs: every file ever
// received (by content hash and path, with its receipt time and archive
// copy), the files still settling, every run with its outcome, and the
// reports that must be emitted once. It is an embedded SQLite database
// (modernc.org/sqlite, pure Go); each state change is one transaction.
package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

const schemaSQL = `
CREATE TABLE IF NOT EXISTS submissions (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	sha256       TEXT NOT NULL,
	path         TEXT NOT NULL,
	size         INTEGER NOT NULL,
	received_at  TEXT NOT NULL,   -- the run's clock (RFC 3339)
	seen_real    TEXT NOT NULL,   -- the wall clock when first seen complete
	archive      TEXT NOT NULL,   -- archive path relative to the state dir
	UNIQUE(path, sha256)
);
CREATE TABLE IF NOT EXISTS file_cache (
	path     TEXT PRIMARY KEY,
	size     INTEGER NOT NULL,
	mtime_ns INTEGER NOT NULL,
	sha256   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settling (
	path       TEXT PRIMARY KEY,
	size       INTEGER NOT NULL,
	mtime_ns   INTEGER NOT NULL,
	first_real TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT NOT NULL,
	started     TEXT NOT NULL,
	finished    TEXT,
	clock_now   TEXT NOT NULL,
	outcome     TEXT NOT NULL DEFAULT 'running',
	duration_ms INTEGER,
	files_new   INTEGER DEFAULT 0,
	files_total INTEGER DEFAULT 0,
	rejected    INTEGER DEFAULT 0,
	findings    INTEGER DEFAULT 0,
	message     TEXT
);
CREATE TABLE IF NOT EXISTS emitted (
	kind    TEXT NOT NULL,
	period  TEXT NOT NULL,
	path    TEXT NOT NULL,
	at      TEXT NOT NULL,
	PRIMARY KEY(kind, period)
);
`

// Ledger is an open ledger database.
type Ledger struct {
	db *sql.DB
}

// Open opens (creating when needed) the ledger in the state directory.
func Open(ctx context.Context, stateDir string) (*Ledger, error) {
	path := filepath.Join(stateDir, "ledger.sqlite")
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	// The path is a URI here: '%', '?' and '#' in a folder name must be
	// escaped, or the driver opens another file (or none).
	uriPath := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
	dsn := "file:" + uriPath + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schemaSQL+timeoutsSQL+outcomesSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("create ledger schema in %s: %w", path, err)
	}
	// SQLite gives its journal files the database's permission; an older
	// version's 0644 files are tightened here too.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(path + suffix)
		if err != nil || fi.Mode().Perm() == 0o600 {
			continue
		}
		if err := os.Chmod(path+suffix, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			db.Close()
			return nil, fmt.Errorf("open ledger %s: %w", path, err)
		}
	}
	return &Ledger{db: db}, nil
}

// createPrivate creates an empty database file readable by its owner only
// (SQLite would make it 0644); an existing one is left alone.
func createPrivate(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// Check runs SQLite's integrity check: nil when the database is sound.
func (l *Ledger) Check(ctx context.Context) error {
	rows, err := l.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("ledger: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("ledger: integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ledger: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("ledger: integrity check: %v", problems)
	}
	return nil
}

// Close closes the database.
func (l *Ledger) Close() error { return l.db.Close() }

// Entry is one received file.
type Entry struct {
	Seq        int64
	SHA256     string
	Path       string
	Size       int64
	ReceivedAt time.Time
	SeenReal   time.Time
	Archive    string
}

// CachedHash returns the hash recorded for a path with the same size and
// mtime, so an unchanged file need not be hashed again.
func (l *Ledger) CachedHash(ctx context.Context, path string, size, mtimeNS int64) (string, bool, error) {
	var sha string
	err := l.db.QueryRowContext(ctx, `SELECT sha256 FROM file_cache WHERE path=? AND size=? AND mtime_ns=?`, path, size, mtimeNS).Scan(&sha)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("ledger: read file cache: %w", err)
	}
	return sha, true, nil
}

// Known reports whether (path, sha256) was already received.
func (l *Ledger) Known(ctx context.Context, path, sha string) (bool, error) {
	var n int
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE path=? AND sha256=?`, path, sha).Scan(&n); err != nil {
		return false, fmt.Errorf("ledger: look up %s: %w", path, err)
	}
	return n > 0, nil
}

// Receive records a newly received file and its cache entry in one
// transaction, and clears its settling state.
func (l *Ledger) Receive(ctx context.Context, e Entry, mtimeNS int64) (int64, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("ledger: begin: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO submissions(sha256,path,size,received_at,seen_real,archive) VALUES(?,?,?,?,?,?)`,
		e.SHA256, e.Path, e.Size, e.ReceivedAt.Format(time.RFC3339Nano), e.SeenReal.UTC().Format(time.RFC3339Nano), e.Archive)
	if err != nil {
		return 0, fmt.Errorf("ledger: record %s: %w", e.Path, err)
	}
	seq, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO file_cache(path,size,mtime_ns,sha256) VALUES(?,?,?,?)`, e.Path, e.Size, mtimeNS, e.SHA256); err != nil {
		return 0, fmt.Errorf("ledger: cache %s: %w", e.Path, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM settling WHERE path=?`, e.Path); err != nil {
		return 0, fmt.Errorf("ledger: settle %s: %w", e.Path, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("ledger: commit %s: %w", e.Path, err)
	}
	return seq, nil
}

// CacheHash remembers the hash of an already-received path whose size or
// mtime changed but whose bytes did not (e.g. the file was touched).
func (l *Ledger) CacheHash(ctx context.Context, path string, size, mtimeNS int64, sha string) error {
	_, err := l.db.ExecContext(ctx, `INSERT OR REPLACE INTO file_cache(path,size,mtime_ns,sha256) VALUES(?,?,?,?)`, path, size, mtimeNS, sha)
	if err != nil {
		return fmt.Errorf("ledger: cache %s: %w", path, err)
	}
	return nil
}

// Settling returns when a path was first seen with this size and mtime, and
// records it (resetting the time) when it was seen differently before.
func (l *Ledger) Settling(ctx context.Context, path string, size, mtimeNS int64, now time.Time) (time.Time, error) {
	var s, m int64
	var first string
	err := l.db.QueryRowContext(ctx, `SELECT size, mtime_ns, first_real FROM settling WHERE path=?`, path).Scan(&s, &m, &first)
	if err == nil && s == size && m == mtimeNS {
		t, perr := time.Parse(time.RFC3339Nano, first)
		if perr == nil {
			return t, nil
		}
	} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("ledger: settling %s: %w", path, err)
	}
	if _, err := l.db.ExecContext(ctx, `INSERT OR REPLACE INTO settling(path,size,mtime_ns,first_real) VALUES(?,?,?,?)`,
		path, size, mtimeNS, now.UTC().Format(time.RFC3339Nano)); err != nil {
		return time.Time{}, fmt.Errorf("ledger: settling %s: %w", path, err)
	}
	return now, nil
}

// Entries returns every received file in receipt order.
func (l *Ledger) Entries(ctx context.Context) ([]Entry, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT seq,sha256,path,size,received_at,seen_real,archive FROM submissions ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("ledger: list submissions: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var rec, seen string
		if err := rows.Scan(&e.Seq, &e.SHA256, &e.Path, &e.Size, &rec, &seen, &e.Archive); err != nil {
			return nil, fmt.Errorf("ledger: read submission: %w", err)
		}
		e.ReceivedAt, _ = time.Parse(time.RFC3339Nano, rec)
		e.SeenReal, _ = time.Parse(time.RFC3339Nano, seen)
		out = append(out, e)
	}
	return out, rows.Err()
}

// EntryCount is how many files were received (the length of Entries).
func (l *Ledger) EntryCount(ctx context.Context) (int, error) {
	var n int
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM submissions`).Scan(&n); err != nil {
		return 0, fmt.Errorf("ledger: count submissions: %w", err)
	}
	return n, nil
}

// Run is one recorded run.
type Run struct {
	ID         int64
	Kind       string // full, light
	Started    time.Time
	Finished   time.Time
	ClockNow   time.Time
	Outcome    string // running, ok, failed, aborted, interrupted
	Duration   time.Duration
	FilesNew   int
	FilesTotal int
	Rejected   int
	Findings   int
	Message    string
}

// StartRun records the start of a run and returns its id.
func (l *Ledger) StartRun(ctx context.Context, kind string, started, clockNow time.Time) (int64, error) {
	res, err := l.db.ExecContext(ctx, `INSERT INTO runs(kind,started,clock_now) VALUES(?,?,?)`,
		kind, started.UTC().Format(time.RFC3339Nano), clockNow.Format(time.RFC3339Nano))
	if err != nil {
		return 0, fmt.Errorf("ledger: start run: %w", err)
	}
	return res.LastInsertId()
}

// MarkInterrupted closes the runs still marked running: called under the
// run lock, they belong to a process that was killed or lost power. It
// returns how many it closed.
func (l *Ledger) MarkInterrupted(ctx context.Context, at time.Time) (int, error) {
	res, err := l.db.ExecContext(ctx, `UPDATE runs SET finished=?, outcome='interrupted', message='the process ended before the run finished' WHERE outcome='running'`,
		at.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return 0, fmt.Errorf("ledger: mark interrupted runs: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// FinishRun records the outcome of a run.
func (l *Ledger) FinishRun(ctx context.Context, r Run) error {
	_, err := l.db.ExecContext(ctx, `UPDATE runs SET finished=?, outcome=?, duration_ms=?, files_new=?, files_total=?, rejected=?, findings=?, message=? WHERE id=?`,
		r.Finished.UTC().Format(time.RFC3339Nano), r.Outcome, r.Duration.Milliseconds(), r.FilesNew, r.FilesTotal, r.Rejected, r.Findings, r.Message, r.ID)
	if err != nil {
		return fmt.Errorf("ledger: finish run %d: %w", r.ID, err)
	}
	return nil
}

// Runs returns the most recent runs, newest first.
func (l *Ledger) Runs(ctx context.Context, limit int) ([]Run, error) {
	rows, err := l.db.QueryContext(ctx, runColumns+` ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("ledger: list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const runColumns = `SELECT id,kind,started,COALESCE(finished,''),clock_now,outcome,COALESCE(duration_ms,0),
		COALESCE(files_new,0),COALESCE(files_total,0),COALESCE(rejected,0),COALESCE(findings,0),COALESCE(message,'') FROM runs`

// run returns the run with the id.
func (l *Ledger) run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(l.db.QueryRowContext(ctx, runColumns+` WHERE id=?`, id))
	if err != nil {
		return Run{}, fmt.Errorf("ledger: run %d: %w", id, err)
	}
	return r, nil
}

// scanRun reads one row of runColumns.
func scanRun(row interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var st, fin, cn string
	var ms int64
	if err := row.Scan(&r.ID, &r.Kind, &st, &fin, &cn, &r.Outcome, &ms, &r.FilesNew, &r.FilesTotal, &r.Rejected, &r.Findings, &r.Message); err != nil {
		return Run{}, fmt.Errorf("ledger: read run: %w", err)
	}
	r.Started, _ = time.Parse(time.RFC3339Nano, st)
	r.Finished, _ = time.Parse(time.RFC3339Nano, fin)
	r.ClockNow, _ = time.Parse(time.RFC3339Nano, cn)
	r.Duration = time.Duration(ms) * time.Millisecond
	return r, nil
}

// LastSuccessful returns the newest run of a kind ("" for any kind) that
// completed, if any, however many runs came after it.
func (l *Ledger) LastSuccessful(ctx context.Context, kind string) (Run, bool, error) {
	var id int64
	err := l.db.QueryRowContext(ctx, `SELECT id FROM runs WHERE outcome='ok' AND (?='' OR kind=?) ORDER BY id DESC LIMIT 1`, kind, kind).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, fmt.Errorf("ledger: last successful %s run: %w", kind, err)
	}
	r, err := l.run(ctx, id)
	if err != nil {
		return Run{}, false, err
	}
	return r, true, nil
}

// Emitted reports whether a once-only output (e.g. the final quarterly
// report of a period) was already emitted, and where.
func (l *Ledger) Emitted(ctx context.Context, kind, period string) (string, bool, error) {
	var p string
	err := l.db.QueryRowContext(ctx, `SELECT path FROM emitted WHERE kind=? AND period=?`, kind, period).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("ledger: emitted %s %s: %w", kind, period, err)
	}
	return p, true, nil
}

// MarkEmitted records a once-only output.
func (l *Ledger) MarkEmitted(ctx context.Context, kind, period, path string, at time.Time) error {
	_, err := l.db.ExecContext(ctx, `INSERT OR IGNORE INTO emitted(kind,period,path,at) VALUES(?,?,?,?)`, kind, period, path, at.Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("ledger: mark emitted %s %s: %w", kind, period, err)
	}
	return nil
}
