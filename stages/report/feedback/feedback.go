// Package feedback writes, for every submission, the feedback a commune
// clerk opens to fix every problem without calling the district (SPEC §7):
// one folder per commune under outbox/phan-hoi, and per submission an
// Excel workbook and a short text file.
//
// The workbook starts with a summary sheet “Tóm tắt” (file, commune, form,
// time received, verdict, counts, what to do next and the list of every
// problem with sheet, row, column, value and message). For an accepted
// file each table of the commune's file follows on its own sheet, at the
// same rows and column letters as the original: problem cells are filled
// red (error) or yellow (warning) with a comment holding the message, and
// the column “Cần sửa” lists the row's problems. A rejected, duplicate or
// replaced file gets a one-page explanation instead. Citizen IDs and phone
// numbers are masked (last 4 digits), since feedback leaves the office.
//
// Files are only rewritten when their content would change: a manifest in
// the feedback folder keeps a fingerprint per submission.
package feedback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas/template/xlsxzip"
	"doithoai/stages/report/quarterly/xl"
)

// ManifestName is the manifest of what was written, in the feedback folder.
const ManifestName = ".manifest.json"

// layoutVersion changes whenever the layout or wording of the feedback
// changes, so that every file is written again.
//
// 2: the fingerprint names the workbook's reading (its extract) instead of
// hashing its source rows.
const layoutVersion = 2

// manifest remembers, per submission, the fingerprint of its feedback and
// the files written for it (relative to the feedback folder, '/'-separated).
type manifest struct {
	Version     int              `json:"version"`
	Submissions map[string]entry `json:"submissions"`
}

type entry struct {
	Fingerprint string   `json:"fingerprint"`
	Files       []string `json:"files"`
}

// key identifies a submission in the manifest: a duplicate shares its ID
// with the file it repeats, so the path is part of the key.
func key(o *record.SubmissionOutcome) string { return o.ID + "|" + o.Path }

// Write writes feedback for every submission of ds into dir (outbox/
// phan-hoi) and returns the paths written in this call (dir-joined); a
// submission whose feedback is unchanged and still on disk is not written
// again. Feedback files of submissions no longer in ds are removed (only
// files this package wrote, as listed in its manifest). A failure on one
// submission does not stop the others; the errors are returned together.
// Cancelling ctx stops between submissions. Workbooks are written by
// runtime.GOMAXPROCS(0) workers at once (see WriteWorkers).
func Write(ctx context.Context, dir string, p *plan.Plan, ds *record.Dataset) ([]string, error) {
	return WriteWorkers(ctx, dir, p, ds, 0)
}

// job is the writing of one submission's feedback files. The
// coordinating goroutine fills in what it decided (names, whether the
// source rows must be loaded, the fingerprint when the reading names
// them); a worker loads the rows, builds the view and writes the files,
// and the results are taken in submission order (WriteWorkers' settle).
type job struct {
	k, rel, trel, fp string
	xp, tp           string // the files' paths
	o                *record.SubmissionOutcome
	findings         []record.Finding
	load             bool // the worker loads the workbook's source rows and builds v and s
	hash             bool // no reading's name: the worker fingerprints the tables and may find them unchanged
	v                view
	s                *sub
	path             string // the submission's path, for errors

	// Results.
	loadErr error // loading the source rows failed: nothing written
	loaded  bool  // the source rows were loaded
	skip    bool  // hash found the feedback unchanged: nothing written
	err     error // writing failed
}

// WriteWorkers is Write with at most workers submissions' files written at
// once (0 or less: runtime.GOMAXPROCS(0)). Everything but the loading of
// the source rows and the writing of the files (fingerprints, what is
// unchanged, the manifest, the paths returned and their order, the errors
// and their order) is decided in submission order, so the outcome does
// not depend on workers; when two submissions share a feedback file name,
// the later one is written after the earlier one is done, and still wins.
// At most workers submissions' source rows are held at once.
func WriteWorkers(ctx context.Context, dir string, p *plan.Plan, ds *record.Dataset, workers int) ([]string, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if p == nil {
		return nil, errors.New("feedback: no plan")
	}
	if ds == nil {
		ds = &record.Dataset{}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	if err := atomicfile.CleanTemps(dir); err != nil {
		slog.Warn("feedback: temporaries of a killed run left", "dir", dir, "err", err)
	}
	old := loadManifest(dir)
	cur := manifest{Version: layoutVersion, Submissions: map[string]entry{}}

	findings := map[string][]record.Finding{}
	for _, f := range ds.Findings {
		k := f.SubmissionID + "|" + f.Path
		findings[k] = append(findings[k], f)
	}
	byID := map[string]*record.SubmissionOutcome{}
	byPath := map[string]*record.SubmissionOutcome{}
	for i := range ds.Submissions {
		o := &ds.Submissions[i]
		if o.Status != record.StatusDuplicate && o.DuplicateOf == "" {
			if _, ok := byID[o.ID]; !ok {
				byID[o.ID] = o
			}
		}
		if _, ok := byPath[o.Path]; !ok {
			byPath[o.Path] = o
		}
	}

	var written []string
	var errs []error
	targets := map[string]string{} // relative path -> key of its submission (as of the results taken)
	claimed := map[string]bool{}   // relative paths a submission handed out may take (a superset of targets)
	skipped, loaded := 0, 0        // feedback unchanged; workbooks loaded with their rows
	folders := NewFolders(p)

	// Workers load and write; the results are taken in submission order.
	var (
		pending  []*job
		inFlight sync.WaitGroup
		work     = make(chan *job)
	)
	cache := xlsxzip.NewCache(0, 0) // parts the workbooks share (styles, theme…)
	run := func(j *job) {
		if j.load && !j.hash && writeBatched(ctx, j, ds.Sources, p, folders, byID, byPath, cache) {
			return
		}
		if j.load {
			// One submission's source rows per worker (ds.Sources loads them).
			var wb *record.Workbook
			if ds.Sources != nil {
				w, ok, err := ds.Sources.Workbook(ctx, j.o.ID, j.o.Path)
				if err != nil {
					j.loadErr = err
					return
				}
				if ok {
					wb = &w
					j.loaded = true
				}
			}
			j.s = newSub(j.o, wb, j.findings)
			j.v = build(p, folders, j.s, byID, byPath)
		}
		if j.hash {
			j.fp = fingerprint(j.rel, j.trel, &j.v, j.s, "")
			if unchanged(old, j.k, j.fp, dir, j.rel, j.trel) {
				j.skip = true
				return
			}
		}
		j.err = writeWorkbook(j.xp, &j.v, j.s, cache)
		if j.err == nil {
			j.err = writeText(j.tp, &j.v)
		}
	}
	for range workers {
		go func() {
			for j := range work {
				run(j)
				j.v, j.s, j.findings = view{}, nil, nil // done with the content
				inFlight.Done()
			}
		}()
	}
	defer close(work)
	// The errors of the results taken since the last flush: those of
	// loading come first, as when the rows were loaded before handing
	// the job out.
	var loadErrs, writeErrs []error
	flush := func() {
		errs = append(append(errs, loadErrs...), writeErrs...)
		loadErrs, writeErrs = nil, nil
	}
	// settle waits for the jobs handed out and takes their results.
	settle := func() {
		inFlight.Wait()
		for _, j := range pending {
			if j.loadErr != nil {
				loadErrs = append(loadErrs, fmt.Errorf("feedback for %s: %w", j.path, j.loadErr))
				if e, ok := old.Submissions[j.k]; ok {
					// Still ours: kept, and written again next time.
					cur.Submissions[j.k] = entry{Files: e.Files}
					for _, rel := range e.Files {
						targets[rel] = j.k
					}
				}
				continue
			}
			targets[j.rel], targets[j.trel] = j.k, j.k
			if j.loaded {
				loaded++
			}
			if j.skip {
				cur.Submissions[j.k] = old.Submissions[j.k]
				skipped++
				continue
			}
			if j.err != nil {
				writeErrs = append(writeErrs, fmt.Errorf("feedback for %s: %w", j.path, j.err))
				if e, ok := old.Submissions[j.k]; ok {
					// Still ours: tracked, and written again next time.
					cur.Submissions[j.k] = entry{Files: e.Files}
				}
				continue
			}
			cur.Submissions[j.k] = entry{Fingerprint: j.fp, Files: []string{j.rel, j.trel}}
			written = append(written, j.xp, j.tp)
		}
		pending = pending[:0]
	}
	for i := range ds.Submissions {
		if err := ctx.Err(); err != nil {
			settle()
			flush()
			// Keep what earlier runs wrote for the submissions not reached.
			for k, e := range old.Submissions {
				if _, ok := cur.Submissions[k]; !ok {
					cur.Submissions[k] = e
				}
			}
			if merr := saveManifest(dir, &cur); merr != nil {
				errs = append(errs, merr)
			}
			return written, errors.Join(append(errs, fmt.Errorf("feedback: %w", err))...)
		}
		o := &ds.Submissions[i]
		k := key(o)
		rel, trel := folders.RelPath(*o), folders.TextRelPath(*o)
		if claimed[rel] || claimed[trel] {
			settle() // targets is now exact
		}
		if prev, ok := targets[rel]; ok && prev != k {
			slog.Warn("feedback: two submissions share a feedback file name; the later one wins", "file", rel, "path", o.Path)
			flush() // the earlier one's files are written before this one looks at them
		} else if prev, ok := targets[trel]; ok && prev != k {
			flush()
		}
		claimed[rel], claimed[trel] = true, true
		// With a name of the submission's reading (record.Identities), the
		// fingerprint needs only the workbook's header: its source rows are
		// loaded when the feedback must be written. Without one, the whole
		// workbook is loaded and its tables are hashed.
		ident, hasIdent := "", false
		if ids, ok := ds.Sources.(record.Identities); ok {
			ident, hasIdent = ids.Identity(o.ID, o.Path)
		}
		j := &job{k: k, rel: rel, trel: trel, o: o, findings: findings[k], path: o.Path, hash: !hasIdent,
			xp: filepath.Join(dir, filepath.FromSlash(rel)), tp: filepath.Join(dir, filepath.FromSlash(trel))}
		if hasIdent {
			var wb *record.Workbook
			if h, ok := ds.Sources.Header(o.ID, o.Path); ok {
				wb = &h
			}
			j.s = newSub(o, wb, j.findings)
			j.v = build(p, folders, j.s, byID, byPath)
			j.fp = fingerprint(rel, trel, &j.v, j.s, ident)
			if unchanged(old, k, j.fp, dir, rel, trel) {
				targets[rel], targets[trel] = k, k
				cur.Submissions[k] = old.Submissions[k]
				skipped++
				continue
			}
		}
		if j.load = !hasIdent || j.s.wb != nil; j.load {
			j.v, j.s = view{}, nil // the worker builds them with the rows
			if e, ok := old.Submissions[k]; ok {
				for _, rel := range e.Files {
					claimed[rel] = true // taken should the rows fail to load
				}
			}
		}
		pending = append(pending, j)
		inFlight.Add(1)
		work <- j
	}
	settle()
	flush()

	// Remove the feedback of submissions that are gone or moved (a renamed
	// commune, a new layout): only files listed in the manifest.
	for _, e := range old.Submissions {
		for _, rel := range e.Files {
			if _, ok := targets[rel]; ok || !filepath.IsLocal(filepath.FromSlash(rel)) {
				continue
			}
			full := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.Remove(full); err == nil {
				_ = os.Remove(filepath.Dir(full)) // only when now empty
			} else if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("feedback: remove stale %s: %w", rel, err))
			}
		}
	}
	if err := saveManifest(dir, &cur); err != nil {
		errs = append(errs, err)
	}
	slog.Info("feedback written", "dir", dir, "files", len(written), "unchanged", skipped, "workbooks_loaded", loaded, "submissions", len(ds.Submissions))
	return written, errors.Join(errs...)
}

// fingerprint hashes everything a submission's feedback is made from: the
// layout version, the file names, the view (verdict, texts, masked
// problems, the plan's names and time zone as they appear), the outcome,
// the findings, and the workbook: ident, the name of its reading
// (record.Identities: the file's content hash with the key of the reader,
// the validation, the schemas and the plan that made it, and the inbox
// path), or when ident is "" the tables copied. With ident, v is the view
// of the workbook's header (what it shows of the rows, such as the count
// of rows with errors or the household codes left unmasked, is fixed by
// the reading and the findings). Only the hash is kept, never the
// personal data itself.
func fingerprint(rel, trel string, v *view, s *sub, ident string) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	o := s.o
	o.ArchivePath, o.Seq = "", 0 // where the state keeps the bytes changes nothing shown
	_ = enc.Encode(struct {
		Layout   int
		Rel, Txt string
		View     *view
		Outcome  record.SubmissionOutcome
	}{layoutVersion, rel, trel, v, o})
	fs := append([]record.Finding(nil), s.findings...)
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Sheet != b.Sheet {
			return a.Sheet < b.Sheet
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		if a.Ref != b.Ref {
			return a.Ref < b.Ref
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
	_ = enc.Encode(fs)
	switch {
	case ident != "":
		_ = enc.Encode(struct{ Reading string }{ident})
	case s.wb != nil && !v.Verdict.onePage():
		_ = enc.Encode(s.wb.Tables)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// newSub is the submission o with its workbook (nil when none) and
// findings, and the masking of its personal data.
func newSub(o *record.SubmissionOutcome, wb *record.Workbook, findings []record.Finding) *sub {
	s := &sub{o: *o, wb: wb, findings: findings}
	s.pv = newPrivacy(s.wb, s.findings)
	return s
}

// unchanged reports whether the feedback of the submission keyed k, with
// fingerprint fp, was written by an earlier run and is still on disk.
func unchanged(old manifest, k, fp, dir, rel, trel string) bool {
	e, ok := old.Submissions[k]
	return ok && e.Fingerprint == fp && sameFiles(e.Files, rel, trel) && exists(dir, rel) && exists(dir, trel)
}

func sameFiles(files []string, want ...string) bool {
	a := append([]string(nil), files...)
	b := append([]string(nil), want...)
	sort.Strings(a)
	sort.Strings(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func exists(dir, rel string) bool {
	fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
	return err == nil && fi.Mode().IsRegular()
}

// loadManifest reads the manifest; a missing or unreadable one is empty
// (everything is written again).
func loadManifest(dir string) manifest {
	m := manifest{Submissions: map[string]entry{}}
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return m
	}
	var got manifest
	if err := json.Unmarshal(b, &got); err != nil || got.Submissions == nil {
		slog.Warn("feedback: manifest unreadable, writing all feedback again", "err", err)
		return m
	}
	if got.Version != layoutVersion {
		// Fingerprints of another layout never match; keep the file list
		// so that files of the old layout are cleaned up.
		for k, e := range got.Submissions {
			e.Fingerprint = ""
			got.Submissions[k] = e
		}
	}
	return got
}

func saveManifest(dir string, m *manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("feedback manifest: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, ManifestName), append(b, '\n')); err != nil {
		return fmt.Errorf("feedback manifest: %w", err)
	}
	return nil
}

// writeBatched writes the feedback of job j from its source rows read by
// batch (see bigtable.go) when ds's Sources yield them so and they are
// more than streamTableRows, and reports whether it did (or failed in a
// way that is j's result): false leaves j to the whole workbook's path.
func writeBatched(ctx context.Context, j *job, src record.Sources, p *plan.Plan, folders *Folders,
	byID, byPath map[string]*record.SubmissionOutcome, cache *xlsxzip.Cache) bool {
	rs, ok := src.(record.RowStreams)
	if !ok {
		return false
	}
	if n, ok := rs.StreamRows(j.o.ID, j.o.Path); !ok || n <= streamTableRows {
		return false
	}
	h, ok := src.Header(j.o.ID, j.o.Path)
	if !ok {
		return false
	}
	bt, pv, err := scanRows(ctx, rs, j.o, &h, j.findings)
	if errors.Is(err, errWhole) {
		slog.Debug("feedback: rows not written by batch", "path", j.path, "err", err)
		return false
	}
	if err != nil {
		j.loadErr = fmt.Errorf("workbook of %s: %w", j.path, err)
		return true
	}
	s := &sub{o: *j.o, wb: &h, findings: j.findings, pv: pv, big: bt}
	v := build(p, folders, s, byID, byPath)
	err = writeWorkbook(j.xp, &v, s, cache)
	if errors.Is(err, errWhole) || errors.Is(err, xl.ErrNotDirect) {
		slog.Debug("feedback: rows not written by batch", "path", j.path, "err", err)
		return false
	}
	if le := (*loadError)(nil); errors.As(err, &le) {
		j.loadErr = fmt.Errorf("workbook of %s: %w", j.path, le.err)
		return true
	}
	j.loaded = true
	if j.err = err; err == nil {
		j.err = writeText(j.tp, &v)
	}
	return true
}
