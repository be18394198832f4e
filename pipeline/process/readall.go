package process

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"doithoai/pipeline/extract"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read"
	"doithoai/stages/read/grid"
	"doithoai/stages/validate"
)

// DefaultFileTimeout is the time budget of reading one file when none is
// configured: the reader's own default (grid.DefaultLimits). Commune forms
// read in well under a second; a minute is for a file that is huge or built
// to be slow.
var DefaultFileTimeout = grid.DefaultLimits.MaxFileDuration

// abandonAfter is how long past its time budget a read may take to return
// before the run stops waiting for it. The reader enforces the budget
// itself (grid.Limits.MaxFileDuration) and its decoders check their
// context often, so this watchdog only matters for a decoder that does
// not: the run goes on (or stops) without it, and the abandoned read ends
// with the process.
var abandonAfter = 2 * time.Second

// errFileBudget is the cause of a read's context when the watchdog, not
// the run, ended it.
var errFileBudget = errors.New("the file's read time budget ran out")

// ReaderKey names the reader for the ledger's memory of timed-out files:
// the reader's version and the limits it reads with, the time budget
// aside (the ledger keeps the budget a file ran out of, so that a larger
// one reads it again). A file remembered under another key is read again.
func ReaderKey(lim grid.Limits) string {
	lim = lim.WithDefaults()
	lim.MaxFileDuration = 0
	return fmt.Sprintf("read/%s %+v", read.Version, lim)
}

// StagesKey names what the extracts hold besides the bytes (see
// extract.Key): the reader's (ReaderKey) and the validation's versions.
func StagesKey(lim grid.Limits) string {
	return ReaderKey(lim) + " validate/" + validate.Version
}

// StoreKey is the key of the extracts that the reader with these limits,
// the validation and the plan store (extract.Key of StagesKey): the one
// NewStore uses, and what a run's input fingerprint covers.
func StoreKey(lim grid.Limits, p *plan.Plan) (string, error) {
	if p == nil {
		p = plan.Default()
	}
	return extract.Key(StagesKey(lim), p)
}

// NewStore is the extract store of a state folder for the reader with
// these limits, the validation and the plan (see extract.Key).
func NewStore(stateDir string, lim grid.Limits, p *plan.Plan, log *slog.Logger) (*extract.Store, error) {
	if p == nil {
		p = plan.Default()
	}
	key, err := StoreKey(lim, p)
	if err != nil {
		return nil, err
	}
	st := extract.NewStore(stateDir, key, log)
	st.Location = p.Location()
	return st, nil
}

// ReadStats counts how ReadAll got each workbook.
type ReadStats struct {
	Decoded    int // files decoded by the reader
	Loaded     int // workbooks loaded from their extract
	Remembered int // files rejected at once as too slow (the ledger's memory)
	// Checked counts the files validated alone (validate.Check) in this
	// call: the decoded ones and those whose extract held no check.
	Checked int
}

// Item is one submission as ReadAll got it: its workbook, the check of
// that workbook alone (validate.Check) and its number of source rows.
// With an extract store, the workbook's tables have no rows (Rows nil)
// once they are stored: they are loaded again on demand (see Sources).
type Item struct {
	Workbook record.Workbook
	Checked  record.Checked
	Rows     int
	// Whole: Workbook holds its source rows (no extract to load them from).
	Whole bool
	// RosterRows is the number of M1 rows of Checked kept out of memory
	// (Checked.Households is then nil): they are in the checked extract,
	// read again through the dataset's Roster (see Config.HeldRows). A
	// file with more M1 rows than a run holds gets it when it is read
	// (they are never loaded); others when the spill engages.
	RosterRows int
	// inStore: the check is in the extract store (loaded from it or saved).
	inStore bool
}

// ReadAll reads and checks every submission with cfg.Workers workers.
// For each file, in this order: a file the ledger remembers as too slow
// for this reader and budget is rejected at once, without being read
// again; a file with a usable checked extract (cfg.Extracts) is loaded
// from it, without its source rows; one with a usable extract of its
// cells is loaded and checked; any other file is read under its own time
// budget (cfg.FileTimeout), checked, and both extracts stored — with a
// store, an accepted file's rows go from the reader to the extracts as
// they are decoded, each checked on the way (see fileReader.stream), so
// that no big sheet is held whole. A bad or
// slow file is a rejected workbook, never an error of the run. A file
// that runs out of its budget is recorded in the ledger (when led is not
// nil) and gets no extract. When ctx ends, the reads in progress are
// cancelled (a read cut short stores nothing) and ReadAll returns ctx's
// error within a few seconds. It logs an info "read summary" line.
func ReadAll(ctx context.Context, cfg Config, led *ledger.Ledger, subs []record.Submission) ([]Item, ReadStats, error) {
	cfg = cfg.withDefaults()
	log := cfg.Logger
	fr := newFileReader(cfg, led)
	out := make([]Item, len(subs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	var st ReadStats
	var firstErr error
	spill := newSpill(cfg, out)
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				it, how, checked, err := fr.read(ctx, subs[i])
				detach(&it)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[i] = it
				spill.add(i)
				done++
				switch how {
				case gotDecoded:
					st.Decoded++
				case gotLoaded:
					st.Loaded++
				case gotRemembered:
					st.Remembered++
				}
				if checked {
					st.Checked++
				}
				if cfg.Progress != nil {
					cfg.Progress("read", done, len(subs))
				}
				mu.Unlock()
				if err == nil {
					log.Debug("read", "path", subs[i].Path, "status", it.Workbook.Status, "form", it.Workbook.Form, "commune", it.Workbook.CommuneCode)
				}
			}
		}()
	}
feed:
	for i := range subs {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	log.Info("read summary", "files", len(subs), "decoded", st.Decoded, "extracts_loaded", st.Loaded, "remembered_too_slow", st.Remembered, "checked", st.Checked)
	if err := ctx.Err(); err != nil {
		return nil, st, err
	}
	if firstErr != nil {
		return nil, st, firstErr
	}
	return out, st, nil
}

// How fileReader.read got a workbook.
const (
	gotNothing = iota
	gotDecoded
	gotLoaded
	gotRemembered
)

// fileReader reads one file under its time budget, with the ledger's
// memory of files that ran out of it.
type fileReader struct {
	r   *read.Reader
	cfg Config
	led *ledger.Ledger
	key string
	log *slog.Logger
}

func newFileReader(cfg Config, led *ledger.Ledger) *fileReader {
	return &fileReader{
		r:   &read.Reader{Plan: cfg.Plan, Limits: cfg.Limits, Logger: cfg.Logger},
		cfg: cfg, led: led, key: ReaderKey(cfg.Limits), log: cfg.Logger,
	}
}

// tooSlow: the reader ran out of its time budget on the file. A timeout
// is the ledger's business (its memory knows the budget), so such a
// workbook gets no extract.
func tooSlow(wb *record.Workbook) bool {
	return wb.Status == record.StatusRejected && wb.Reason == record.ReasonTooSlow
}

// read gets sub's workbook and its check and says how, and whether it
// checked the workbook. It returns an error only when ctx ended (the run
// is stopping) or the ledger failed.
func (f *fileReader) read(ctx context.Context, sub record.Submission) (Item, int, bool, error) {
	if err := ctx.Err(); err != nil {
		return Item{}, gotNothing, false, err
	}
	wb, remembered, err := f.remembered(ctx, sub)
	if err != nil {
		return Item{}, gotNothing, false, err
	}
	if remembered {
		return Item{Workbook: wb, Checked: validate.Check(f.cfg.Plan, &wb), Whole: true}, gotRemembered, true, nil
	}
	st := f.cfg.Extracts
	if st != nil {
		if wb, rows, chk, left, ok := st.LoadCheckedUpTo(sub, f.cfg.heldRows()); ok {
			f.log.Debug("checked extract loaded", "path", sub.Path)
			return Item{Workbook: wb, Checked: chk, Rows: rows, RosterRows: left, inStore: true}, gotLoaded, false, nil
		}
	}
	if st != nil {
		if it, ok, err := f.stream(ctx, sub); ok || err != nil {
			return it, gotDecoded, true, err
		}
	}
	wb, how, stored, err := f.source(ctx, sub)
	if err != nil {
		return Item{}, gotNothing, false, err
	}
	it := Item{Workbook: wb, Checked: validate.Check(f.cfg.Plan, &wb), Rows: TableRows([]record.Workbook{wb}), Whole: true}
	if st != nil && !tooSlow(&wb) {
		if err := st.SaveChecked(wb, it.Checked); err != nil {
			f.log.Warn("checked extract not stored; the file will be checked again by the next run", "path", sub.Path, "err", err)
		} else {
			it.inStore = true
		}
	}
	if stored {
		// The rows are loaded again from the extract when asked for.
		it.Workbook, it.Whole = record.HeaderOf(wb), false
	}
	return it, how, true, nil
}

// stream reads a file that has no extract yet with the rows handed, as
// they are read, to both extracts (extractSink): the item holds the
// workbook without its rows, and its check. It reports false when it got
// nothing usable that way (an extract of cells already there, or one that
// could not be stored): the caller then reads the file whole, as before.
// A file that is not accepted comes back whole and is stored as usual.
func (f *fileReader) stream(ctx context.Context, sub record.Submission) (Item, bool, error) {
	st := f.cfg.Extracts
	p := st.Path(sub)
	if p == "" {
		return Item{}, false, nil
	}
	if _, err := os.Stat(p); err == nil {
		return Item{}, false, nil // source loads it
	}
	sink := &extractSink{st: st, p: f.cfg.Plan, sub: sub, held: f.cfg.heldRows()}
	wb, err := f.decodeTo(ctx, sub, sink)
	if err != nil {
		sink.abort()
		return Item{}, false, err
	}
	if !sink.started() || wb.Status != record.StatusAccepted {
		sink.abort()
		// Whole (no rows, or rejected after its rows were handed over).
		it := Item{Workbook: wb, Checked: validate.Check(f.cfg.Plan, &wb), Rows: TableRows([]record.Workbook{wb}), Whole: true}
		if !tooSlow(&wb) {
			stored := true
			if err := st.Save(wb); err != nil {
				stored = false
				f.log.Warn("extract not stored; the file will be read again by the next run", "path", sub.Path, "err", err)
			}
			if err := st.SaveChecked(wb, it.Checked); err != nil {
				f.log.Warn("checked extract not stored; the file will be checked again by the next run", "path", sub.Path, "err", err)
			}
			if stored {
				it.Workbook, it.Whole = record.HeaderOf(wb), false
			}
		}
		return it, true, nil
	}
	chk, left, err := sink.commit(wb)
	if err != nil {
		f.log.Debug("extracts not stored while reading; the file is read again whole", "path", sub.Path, "err", err)
		return Item{}, false, nil
	}
	rows := 0
	for _, n := range sink.rows {
		rows += n
	}
	return Item{Workbook: wb, Checked: chk, Rows: rows, RosterRows: left, inStore: true}, true, nil
}

// source gets sub's whole workbook, source rows included, from its
// extract or by reading the file (and then stores its extract), and says
// how and whether the extract is stored. The ledger's memory is not
// consulted (read does it first).
func (f *fileReader) source(ctx context.Context, sub record.Submission) (record.Workbook, int, bool, error) {
	st := f.cfg.Extracts
	if st != nil {
		if wb, ok := st.Load(sub); ok {
			f.log.Debug("extract loaded", "path", sub.Path)
			return wb, gotLoaded, true, nil
		}
	}
	wb, err := f.decode(ctx, sub)
	if err != nil {
		return record.Workbook{}, gotNothing, false, err
	}
	stored := false
	if st != nil && !tooSlow(&wb) {
		if serr := st.Save(wb); serr != nil {
			f.log.Warn("extract not stored; the file will be read again by the next run", "path", sub.Path, "err", serr)
		} else {
			stored = true
		}
	}
	return wb, gotDecoded, stored, nil
}

// remembered returns the ledger's too_slow rejection of sub when an
// earlier run ran out of this reader's budget on it.
func (f *fileReader) remembered(ctx context.Context, sub record.Submission) (record.Workbook, bool, error) {
	budget := f.cfg.FileTimeout
	if f.led == nil || sub.ID == "" {
		return record.Workbook{}, false, nil
	}
	spent, ok, err := f.led.ReadTimeout(ctx, sub.ID, f.key)
	if err != nil {
		return record.Workbook{}, false, err
	}
	if ok && spent >= budget {
		f.log.Info("not read again: an earlier run ran out of the time budget on this file",
			"path", sub.Path, "sha256", shortSHA(sub.ID), "budget", budget)
		return f.r.TooSlow(sub, budget), true, nil
	}
	return record.Workbook{}, false, nil
}

// decode reads the file under its time budget; a read that runs out of
// it is a too_slow rejection, recorded in the ledger (when there is one).
func (f *fileReader) decode(ctx context.Context, sub record.Submission) (record.Workbook, error) {
	return f.decodeTo(ctx, sub, nil)
}

// decodeTo is decode handing the rows of an accepted workbook to sink
// when it is not nil (read.Reader.ReadTo).
func (f *fileReader) decodeTo(ctx context.Context, sub record.Submission, sink read.TableSink) (record.Workbook, error) {
	if err := ctx.Err(); err != nil {
		return record.Workbook{}, err
	}
	budget := f.cfg.FileTimeout
	fctx, cancel := context.WithTimeoutCause(ctx, budget+abandonAfter, errFileBudget)
	defer cancel()
	type result struct {
		wb  record.Workbook
		err error
	}
	ch := make(chan result, 1) // buffered: an abandoned read does not block
	go func() {
		var wb record.Workbook
		var err error
		if sink != nil {
			wb, err = f.r.ReadTo(fctx, sub, sink)
		} else {
			wb, err = f.r.Read(fctx, sub)
		}
		ch <- result{wb, err}
	}()
	f.log.Debug("reading", "path", sub.Path)
	var res result
	select {
	case res = <-ch:
	case <-fctx.Done():
		select {
		case res = <-ch:
		case <-time.After(abandonAfter):
			f.log.Warn("the reader did not stop when its context ended; the run goes on without waiting for it",
				"path", sub.Path, "cause", context.Cause(fctx))
			res = result{err: fctx.Err()}
		}
	}
	if err := ctx.Err(); err != nil {
		f.log.Info("read stopped: the run is stopping", "path", sub.Path)
		return record.Workbook{}, err
	}
	outOfTime := errors.Is(context.Cause(fctx), errFileBudget)
	switch {
	case res.err == nil && res.wb.Status == record.StatusRejected && res.wb.Reason == record.ReasonTooSlow:
		// The reader's own time budget ended the read.
	case res.err == nil:
		return res.wb, nil
	case !outOfTime:
		return record.Workbook{}, res.err
	default:
		res.wb = f.r.TooSlow(sub, budget)
	}
	f.log.Warn("rejected: reading ran out of the per-file time budget", "path", sub.Path, "budget", budget)
	if f.led != nil && sub.ID != "" {
		if err := f.led.RecordReadTimeout(ctx, sub.ID, f.key, budget, time.Now()); err != nil {
			return record.Workbook{}, err
		}
	}
	return res.wb, nil
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
