// Package ingest is the pipeline's first stage: it scans the inbox, waits
// until each file is complete, identifies it by its sha256, copies the
// original bytes into a content-addressed read-only archive, and records it
// in the ledger before anything else looks at it. The inbox file itself is
// never moved, changed or deleted.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"doithoai/pipeline/clock"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/record"
)

// Config of one ingest pass.
type Config struct {
	Inbox  string
	State  string      // the state directory; the archive lives in State/archive
	Clock  clock.Clock // the run's clock: receipt times (nil: the wall clock)
	Real   clock.Clock // the wall clock: completeness, never the run's clock (nil: clock.Real)
	Settle time.Duration
	// WaitSettle lets one pass wait (at most Settle) for files that are not
	// yet settled, so that a single `run` picks up a file just copied.
	WaitSettle bool
	Logger     *slog.Logger
}

// Result of an ingest pass.
type Result struct {
	All     []record.Submission // every submission ever received, in receipt order
	New     []string            // submission paths first received in this pass
	Pending []string            // paths still being written (not yet complete)
	Ignored []string            // lock and temporary files seen
}

// Ignored reports whether a file name is never a submission: Excel owner
// files (~$…), LibreOffice locks (.~lock.…#), hidden and temporary files,
// and the folder's own README.
func Ignored(rel string) bool {
	name := path.Base(rel)
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(name, "~$"), strings.HasPrefix(name, ".~lock."), strings.HasPrefix(name, "."):
		return true
	case strings.HasPrefix(name, "~") && strings.HasSuffix(lower, ".tmp"):
		return true
	case strings.HasSuffix(lower, ".tmp"), strings.HasSuffix(lower, ".part"), strings.HasSuffix(lower, ".crdownload"),
		strings.HasSuffix(lower, ".partial"), strings.HasSuffix(lower, ".swp"):
		return true
	case lower == "thumbs.db", lower == "desktop.ini":
		return true
	case !strings.Contains(rel, "/") && (lower == "readme.md" || lower == "readme.txt"):
		return true
	}
	return false
}

type candidate struct {
	rel     string
	abs     string
	size    int64
	mtimeNS int64
}

// Run performs one ingest pass.
func Run(ctx context.Context, led *ledger.Ledger, cfg Config) (*Result, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.Real == nil {
		cfg.Real = clock.Real{}
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	res := &Result{}
	cands, ignored, err := scan(ctx, cfg.Inbox)
	if err != nil {
		return nil, err
	}
	res.Ignored = ignored
	var waiting []candidate
	for _, c := range cands {
		done, err := ingestOne(ctx, led, cfg, c, res, log)
		if err != nil {
			return nil, err
		}
		if !done {
			waiting = append(waiting, c)
		}
	}
	if len(waiting) > 0 && cfg.WaitSettle && cfg.Settle > 0 {
		log.Info("waiting for files still being written", "files", len(waiting), "settle", cfg.Settle)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(cfg.Settle + 50*time.Millisecond):
		}
		again := waiting
		waiting = nil
		for _, c := range again {
			fi, err := os.Stat(c.abs)
			if err != nil {
				continue // vanished: nothing to receive
			}
			c2 := candidate{rel: c.rel, abs: c.abs, size: fi.Size(), mtimeNS: fi.ModTime().UnixNano()}
			done, err := ingestOne(ctx, led, cfg, c2, res, log)
			if err != nil {
				return nil, err
			}
			if !done {
				waiting = append(waiting, c2)
			}
		}
	}
	for _, c := range waiting {
		res.Pending = append(res.Pending, c.rel)
	}
	entries, err := led.Entries(ctx)
	if err != nil {
		return nil, err
	}
	res.All = Submissions(cfg.State, entries)
	return res, nil
}

// Submissions turns ledger entries into submissions, marking later copies of
// the same bytes under another path as duplicates of the first.
func Submissions(stateDir string, entries []ledger.Entry) []record.Submission {
	firstPath := map[string]string{}
	out := make([]record.Submission, 0, len(entries))
	for _, e := range entries {
		s := record.Submission{
			ID:          e.SHA256,
			Path:        e.Path,
			Size:        e.Size,
			ReceivedAt:  e.ReceivedAt,
			ArchivePath: filepath.Join(stateDir, filepath.FromSlash(e.Archive)),
			FolderHint:  FolderHint(e.Path),
			Seq:         e.Seq,
		}
		if p, ok := firstPath[e.SHA256]; ok && p != e.Path {
			s.DuplicateOf = p
		} else if !ok {
			firstPath[e.SHA256] = e.Path
		}
		out = append(out, s)
	}
	return out
}

// FolderHint is the first folder of an inbox-relative path ("" when flat).
func FolderHint(rel string) string {
	if i := strings.IndexByte(rel, '/'); i > 0 {
		return rel[:i]
	}
	return ""
}

func scan(ctx context.Context, inbox string) ([]candidate, []string, error) {
	var cands []candidate
	var ignored []string
	err := filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == inbox {
				return err
			}
			return nil // an unreadable sub-folder does not stop the others
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if p == inbox {
			return nil
		}
		rel, rerr := filepath.Rel(inbox, p)
		if rerr != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks, devices: never followed
		}
		if Ignored(rel) {
			ignored = append(ignored, rel)
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		cands = append(cands, candidate{rel: rel, abs: p, size: fi.Size(), mtimeNS: fi.ModTime().UnixNano()})
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("scan inbox %s: %w", inbox, err)
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].rel < cands[j].rel })
	return cands, ignored, nil
}

// ingestOne receives one file if it is complete. It returns false when the
// file is not yet settled.
func ingestOne(ctx context.Context, led *ledger.Ledger, cfg Config, c candidate, res *Result, log *slog.Logger) (bool, error) {
	if sha, ok, err := led.CachedHash(ctx, c.rel, c.size, c.mtimeNS); err != nil {
		return false, err
	} else if ok {
		known, err := led.Known(ctx, c.rel, sha)
		if err != nil {
			return false, err
		}
		if known {
			return true, nil
		}
	}
	realNow := cfg.Real.Now()
	age := realNow.Sub(time.Unix(0, c.mtimeNS))
	if age < cfg.Settle {
		first, err := led.Settling(ctx, c.rel, c.size, c.mtimeNS, realNow)
		if err != nil {
			return false, err
		}
		if realNow.Sub(first) < cfg.Settle {
			return false, nil
		}
	}
	sha, archRel, err := archive(ctx, cfg.State, c)
	if errors.Is(err, errChanged) {
		log.Info("file changed while being read; will retry", "path", c.rel)
		return false, nil
	}
	if err != nil {
		// An unreadable file (permissions, vanished) is logged and retried
		// next run; it must not stop the other files.
		log.Warn("cannot read inbox file", "path", c.rel, "err", err)
		return true, nil
	}
	known, err := led.Known(ctx, c.rel, sha)
	if err != nil {
		return false, err
	}
	if known {
		return true, led.CacheHash(ctx, c.rel, c.size, c.mtimeNS, sha)
	}
	e := ledger.Entry{SHA256: sha, Path: c.rel, Size: c.size, ReceivedAt: cfg.Clock.Now(), SeenReal: realNow, Archive: archRel}
	if _, err := led.Receive(ctx, e, c.mtimeNS); err != nil {
		return false, err
	}
	res.New = append(res.New, c.rel)
	log.Info("received", "path", c.rel, "sha256", sha[:12], "bytes", c.size)
	return true, nil
}

var errChanged = errors.New("file changed while being archived")

// tempPattern names the archive's temporary copies so that
// atomicfile.CleanTemps, which each run applies to State/archive, removes
// those a killed run left behind.
const tempPattern = ".tmp-incoming-*"

// archive copies the file into State/archive/<aa>/<sha256> while hashing it,
// read-only, and returns the hash and the archive path relative to State.
func archive(ctx context.Context, stateDir string, c candidate) (string, string, error) {
	dir := filepath.Join(stateDir, "archive")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("archive dir: %w", err)
	}
	in, err := os.Open(c.abs)
	if err != nil {
		return "", "", fmt.Errorf("open %s: %w", c.rel, err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return "", "", fmt.Errorf("archive temp: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op once renamed
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, in})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", fmt.Errorf("archive %s: %w", c.rel, err)
	}
	fi, err := os.Stat(c.abs)
	if err != nil {
		return "", "", fmt.Errorf("stat %s: %w", c.rel, err)
	}
	if n != c.size || fi.Size() != c.size || fi.ModTime().UnixNano() != c.mtimeNS {
		return "", "", errChanged
	}
	sha := hex.EncodeToString(h.Sum(nil))
	rel := path.Join("archive", sha[:2], sha)
	final := filepath.Join(stateDir, filepath.FromSlash(rel))
	if _, err := os.Stat(final); err == nil {
		return sha, rel, nil // the same bytes are archived already
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", "", fmt.Errorf("archive dir: %w", err)
	}
	if err := os.Chmod(tmpName, 0o444); err != nil {
		return "", "", fmt.Errorf("archive %s: %w", c.rel, err)
	}
	if err := os.Rename(tmpName, final); err != nil {
		return "", "", fmt.Errorf("archive %s: %w", c.rel, err)
	}
	return sha, rel, nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
