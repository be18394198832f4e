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
	"sync"
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
	// Workers is how many files are hashed and copied into the archive at
	// once (0: DefaultWorkers). Whatever the number, a pass records the
	// same receipts in the same order and logs the same lines.
	Workers int
	Logger  *slog.Logger
}

// DefaultWorkers is how many files a pass archives at once when
// Config.Workers is 0. Archiving waits on the disk (each copy is synced)
// more than on the processor, so it is more than the two cores of an
// office machine.
const DefaultWorkers = 4

// Result of an ingest pass.
type Result struct {
	All     []record.Submission // every submission ever received, in receipt order
	New     []string            // submission paths first received in this pass
	Pending []string            // paths still being written (not yet complete)
	Ignored []string            // lock and temporary files seen
	// Skipped are entries not received: links (never followed), FIFOs,
	// sockets and devices (never opened), unreadable files and folders.
	// Each was logged as a warning.
	Skipped []record.Skip
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
	info    fs.FileInfo // what the scan saw (lstat), to recognise the same file when opened
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
	cands, ignored, skipped, err := scan(ctx, cfg.Inbox)
	if err != nil {
		return nil, err
	}
	res.Ignored = ignored
	res.Skipped = skipped
	for _, s := range skipped {
		log.Warn("inbox entry skipped", "path", s.Path, "reason", s.Reason)
	}
	// Files received before, unchanged (same size and mtime), are known
	// from one query: no hashing, no query per file.
	received, err := led.ReceivedFiles(ctx)
	if err != nil {
		return nil, err
	}
	p := &pass{led: led, cfg: cfg, res: res, log: log, received: received, arch: &archiver{state: cfg.State}}
	waiting, err := p.receive(ctx, cands)
	if err != nil {
		return nil, err
	}
	if len(waiting) > 0 && cfg.WaitSettle && cfg.Settle > 0 {
		log.Info("waiting for files still being written", "files", len(waiting), "settle", cfg.Settle)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(cfg.Settle + 50*time.Millisecond):
		}
		var again []candidate
		for _, c := range waiting {
			fi, err := os.Lstat(c.abs)
			if err != nil || !fi.Mode().IsRegular() {
				continue // vanished or replaced: the next scan sees what it is
			}
			again = append(again, candidate{rel: c.rel, abs: c.abs, size: fi.Size(), mtimeNS: fi.ModTime().UnixNano(), info: fi})
		}
		if waiting, err = p.receive(ctx, again); err != nil {
			return nil, err
		}
	}
	for _, c := range waiting {
		res.Pending = append(res.Pending, c.rel)
	}
	sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].Path < res.Skipped[j].Path })
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

// scan lists the inbox without following any link: regular files are
// candidates, lock and temporary files are ignored, and links, FIFOs,
// sockets, devices and unreadable folders are skipped (reported, never
// opened).
func scan(ctx context.Context, inbox string) ([]candidate, []string, []record.Skip, error) {
	var cands []candidate
	var ignored []string
	var skipped []record.Skip
	// The inbox folder itself may be reached through a link the office
	// set up; what is inside it is the communes' and is not trusted.
	root, rerr := filepath.EvalSymlinks(inbox)
	if rerr != nil {
		root = inbox
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if p == root {
			return err
		}
		rel, rerr := filepath.Rel(root, p)
		if rerr != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			// An unreadable sub-folder is reported and does not stop the
			// others.
			if !errors.Is(err, fs.ErrNotExist) {
				skipped = append(skipped, record.Skip{Path: rel, Reason: record.SkipUnreadableDir})
			}
			return nil
		}
		typ := d.Type()
		if d.IsDir() && typ == fs.ModeDir && !reparsePoint(d) {
			if strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir // hidden, whatever it is
		}
		if !d.IsDir() && Ignored(rel) {
			ignored = append(ignored, rel)
			return nil
		}
		switch {
		case typ&fs.ModeSymlink != 0, d.IsDir():
			// A symbolic link, or a junction or mount point (Windows): never
			// followed, wherever it points.
			skipped = append(skipped, record.Skip{Path: rel, Reason: linkReason(p, root)})
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		case !typ.IsRegular() || reparsePoint(d):
			skipped = append(skipped, record.Skip{Path: rel, Reason: record.SkipSpecial})
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // vanished meanwhile
		}
		cands = append(cands, candidate{rel: rel, abs: p, size: fi.Size(), mtimeNS: fi.ModTime().UnixNano(), info: fi})
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("scan inbox %s: %w", inbox, err)
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].rel < cands[j].rel })
	return cands, ignored, skipped, nil
}

// linkReason tells a link into the inbox from one out of it (or to
// nothing). Only names are resolved: the target is never opened.
func linkReason(p, realInbox string) string {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return record.SkipLinkOutside
	}
	rel, err := filepath.Rel(realInbox, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return record.SkipLinkOutside
	}
	return record.SkipLink
}

var (
	errChanged  = errors.New("file changed while being archived")
	errVanished = errors.New("file removed from the inbox")
)

// skipError is an inbox file that cannot be received as it is: unreadable,
// or not a regular file once opened.
type skipError struct {
	reason string
	err    error
}

func (e *skipError) Error() string { return e.reason + ": " + e.err.Error() }
func (e *skipError) Unwrap() error { return e.err }

// tempPattern names the archive's temporary copies so that
// atomicfile.CleanTemps, which each run applies to State/archive, removes
// those a killed run left behind.
const tempPattern = ".tmp-incoming-*"

// Archive permissions: the folders are the owner's only, a copy is
// read-only for its owner and nobody else's.
const (
	archiveDirMode  os.FileMode = 0o700
	archiveFileMode os.FileMode = 0o400
)

// Test hooks: run just before the inbox file is opened and just after it
// was copied, to change the file at the worst moments.
var (
	hookBeforeOpen func(abs string)
	hookAfterCopy  func(abs string)
)

// archiver copies inbox files into one state folder's archive; several
// goroutines may use it at once.
type archiver struct {
	state string
	// final serialises the last step of a copy (is it there? rename):
	// two inbox files with the same bytes are archived once.
	final sync.Mutex
}

// archive copies the file into State/archive/<aa>/<sha256> while hashing
// it, read-only, with buf as its copy buffer, and returns the hash and the
// archive path relative to State. The copy is synced; its folder's entry
// is not: the caller syncs archiveDir of the path before the ledger
// records it. The copy is kept only when the file is, after the copy, the
// same file with the same size and mtime as when it was found, and the
// copy reads back with the hash of what was read (errChanged otherwise).
// Read failures of the inbox file are *skipError; any other error is the
// state folder's, or the context's.
func (a *archiver) archive(ctx context.Context, c candidate, buf []byte) (string, string, error) {
	dir := filepath.Join(a.state, "archive")
	if err := os.MkdirAll(dir, archiveDirMode); err != nil {
		return "", "", fmt.Errorf("archive folder: %w", err)
	}
	if hookBeforeOpen != nil {
		hookBeforeOpen(c.abs)
	}
	in, err := openInbox(c.abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", "", errVanished
	case err != nil && isLinkErr(err):
		return "", "", errChanged // replaced by a link: the next scan reports it
	case err != nil:
		return "", "", &skipError{record.SkipUnreadable, err}
	}
	defer in.Close()
	// Never trust the name: what was opened must be the regular file the
	// scan found (not a FIFO, device or link put in its place since).
	opened, err := in.Stat()
	if err != nil {
		return "", "", &skipError{record.SkipUnreadable, err}
	}
	if !opened.Mode().IsRegular() {
		return "", "", &skipError{record.SkipSpecial, errors.New("not a regular file once opened")}
	}
	if c.info != nil && !os.SameFile(opened, c.info) {
		return "", "", errChanged
	}
	tmp, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return "", "", fmt.Errorf("archive temporary: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op once renamed
	h := sha256.New()
	n, rerr, werr := copyHashing(ctx, tmp, h, in, buf)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if cerr := ctx.Err(); cerr != nil {
		return "", "", cerr
	}
	if werr != nil {
		return "", "", fmt.Errorf("archive copy of an inbox file: %w", werr)
	}
	if rerr != nil {
		return "", "", &skipError{record.SkipUnreadable, rerr}
	}
	if hookAfterCopy != nil {
		hookAfterCopy(c.abs)
	}
	after, err := in.Stat()
	if err != nil {
		return "", "", &skipError{record.SkipUnreadable, err}
	}
	now, err := os.Lstat(c.abs)
	if err != nil {
		return "", "", errChanged
	}
	if n != c.size || !same(after, c) || !same(now, c) || !os.SameFile(now, opened) {
		return "", "", errChanged
	}
	sha := hex.EncodeToString(h.Sum(nil))
	if got, err := hashFile(tmpName, buf); err != nil {
		return "", "", fmt.Errorf("archive copy read back: %w", err)
	} else if got != sha {
		return "", "", fmt.Errorf("archive copy read back: its bytes differ from the file's (the state folder's disk may be failing)")
	}
	rel := path.Join("archive", sha[:2], sha)
	final := filepath.Join(a.state, filepath.FromSlash(rel))
	a.final.Lock()
	defer a.final.Unlock()
	if _, err := os.Lstat(final); err == nil {
		return sha, rel, nil // the same bytes are archived already
	}
	if err := os.MkdirAll(filepath.Dir(final), archiveDirMode); err != nil {
		return "", "", fmt.Errorf("archive folder: %w", err)
	}
	if err := os.Chmod(tmpName, archiveFileMode); err != nil {
		return "", "", fmt.Errorf("archive copy: %w", err)
	}
	if err := os.Rename(tmpName, final); err != nil {
		return "", "", fmt.Errorf("archive copy: %w", err)
	}
	return sha, rel, nil
}

// same reports whether fi still has the size and mtime the scan saw.
func same(fi fs.FileInfo, c candidate) bool {
	return fi.Size() == c.size && fi.ModTime().UnixNano() == c.mtimeNS
}

// copyBuffer is the size of each worker's copy buffer: with the workers,
// all the bytes a pass holds in memory at once.
const copyBuffer = 256 << 10

// copyHashing copies in to w and h through buf, telling read errors (the
// inbox file's) from write errors (the archive's).
func copyHashing(ctx context.Context, w io.Writer, h io.Writer, in io.Reader, buf []byte) (n int64, rerr, werr error) {
	for {
		if err := ctx.Err(); err != nil {
			return n, err, nil
		}
		k, err := in.Read(buf)
		if k > 0 {
			h.Write(buf[:k])
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, nil, werr
			}
			n += int64(k)
		}
		if errors.Is(err, io.EOF) {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
	}
}

// hashFile is the sha256 of a file's bytes, read through buf.
func hashFile(name string, buf []byte) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	for {
		k, err := f.Read(buf)
		h.Write(buf[:k])
		if errors.Is(err, io.EOF) {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", err
		}
	}
}

// archiveDir is the folder to sync for an archive path relative to State.
func archiveDir(state, rel string) string {
	return filepath.Dir(filepath.Join(state, filepath.FromSlash(rel)))
}
