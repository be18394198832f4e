package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"doithoai/pipeline/ledger"
	"doithoai/pipeline/record"
	"doithoai/stages/read"
	"doithoai/stages/read/grid"
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

// ReadAll reads every submission with cfg.Workers workers. Each file is
// read independently under its own time budget (cfg.FileTimeout); a bad or
// slow file is a rejected workbook, never an error of the run. A file that
// runs out of its budget is recorded in the ledger (when led is not nil),
// and a file the ledger remembers as too slow for this reader and budget is
// rejected at once, without being read again. When ctx ends, the reads in
// progress are cancelled and ReadAll returns ctx's error within a few
// seconds.
func ReadAll(ctx context.Context, cfg Config, led *ledger.Ledger, subs []record.Submission) ([]record.Workbook, error) {
	if cfg.Limits == (grid.Limits{}) {
		cfg.Limits = grid.DefaultLimits
	}
	if cfg.FileTimeout <= 0 {
		cfg.FileTimeout = DefaultFileTimeout
	}
	// One budget: the reader enforces it, the watchdog below backs it up.
	cfg.Limits.MaxFileDuration = cfg.FileTimeout
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	fr := &fileReader{
		r:   &read.Reader{Plan: cfg.Plan, Limits: cfg.Limits, Logger: log},
		cfg: cfg, led: led, key: ReaderKey(cfg.Limits), log: log,
	}
	out := make([]record.Workbook, len(subs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	var firstErr error
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				wb, err := fr.read(ctx, subs[i])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[i] = wb
				done++
				if cfg.Progress != nil {
					cfg.Progress("read", done, len(subs))
				}
				mu.Unlock()
				if err == nil {
					log.Debug("read", "path", subs[i].Path, "status", wb.Status, "form", wb.Form, "commune", wb.CommuneCode)
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// fileReader reads one file under its time budget, with the ledger's
// memory of files that ran out of it.
type fileReader struct {
	r   *read.Reader
	cfg Config
	led *ledger.Ledger
	key string
	log *slog.Logger
}

// read reads sub. It returns an error only when ctx ended (the run is
// stopping) or the ledger failed.
func (f *fileReader) read(ctx context.Context, sub record.Submission) (record.Workbook, error) {
	if err := ctx.Err(); err != nil {
		return record.Workbook{}, err
	}
	budget := f.cfg.FileTimeout
	if f.led != nil && sub.ID != "" {
		spent, ok, err := f.led.ReadTimeout(ctx, sub.ID, f.key)
		if err != nil {
			return record.Workbook{}, err
		}
		if ok && spent >= budget {
			f.log.Info("not read again: an earlier run ran out of the time budget on this file",
				"path", sub.Path, "sha256", shortSHA(sub.ID), "budget", budget)
			return f.r.TooSlow(sub, budget), nil
		}
	}
	fctx, cancel := context.WithTimeoutCause(ctx, budget+abandonAfter, errFileBudget)
	defer cancel()
	type result struct {
		wb  record.Workbook
		err error
	}
	ch := make(chan result, 1) // buffered: an abandoned read does not block
	go func() {
		wb, err := f.r.Read(fctx, sub)
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
