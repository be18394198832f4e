package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"runtime"
	"strings"
	"sync"
	"time"

	"doithoai/pipeline/ledger"
	"doithoai/pipeline/record"
	"doithoai/stages/read"
	"doithoai/stages/read/grid"
)

// DefaultFileTimeout is the time budget of reading one file when none is
// configured. Commune forms read in well under a second; a minute is for a
// file that is huge or built to be slow.
const DefaultFileTimeout = 60 * time.Second

// abandonAfter is how long a read whose context ended may take to return
// before the run stops waiting for it. The decoders check their context
// often, so this only matters for a decoder that does not: the run goes
// on (or stops) without it, and the abandoned read ends with the process.
var abandonAfter = 2 * time.Second

// errFileBudget is the cause of a read's context when the per-file time
// budget, not the run, ended it.
var errFileBudget = errors.New("the file's read time budget ran out")

// ReaderKey names the reader for the ledger's memory of timed-out files:
// the reader's version and the limits it reads with. A file remembered
// under another key is read again.
func ReaderKey(lim grid.Limits) string {
	return fmt.Sprintf("read/%s %+v", read.Version, lim.WithDefaults())
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
			return tooSlow(f.cfg, sub, budget), nil
		}
	}
	fctx, cancel := context.WithTimeoutCause(ctx, budget, errFileBudget)
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
			f.log.Warn("the reader did not stop when its time ran out; the run goes on without waiting for it",
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
		res.wb = tooSlow(f.cfg, sub, budget)
	}
	f.log.Warn("rejected: reading ran out of the per-file time budget", "path", sub.Path, "budget", budget)
	if f.led != nil && sub.ID != "" {
		if err := f.led.RecordReadTimeout(ctx, sub.ID, f.key, budget, time.Now()); err != nil {
			return record.Workbook{}, err
		}
	}
	return res.wb, nil
}

// tooSlow is the rejected workbook of a file whose read ran out of budget,
// with its one file-level finding in Vietnamese naming the time limit.
func tooSlow(cfg Config, sub record.Submission, budget time.Duration) record.Workbook {
	code := ""
	if strings.TrimSpace(sub.FolderHint) != "" && cfg.Plan != nil {
		if c := cfg.Plan.Matcher().Commune(sub.FolderHint); c != nil {
			code = c.Code
		}
	}
	format := strings.TrimPrefix(strings.ToLower(path.Ext(strings.ReplaceAll(sub.Path, "\\", "/"))), ".")
	return record.Workbook{
		Submission:  sub,
		Format:      format,
		CommuneCode: code,
		Status:      record.StatusRejected,
		Reason:      record.ReasonTooSlow,
		Findings: []record.Finding{{
			SubmissionID: sub.ID,
			Path:         sub.Path,
			CommuneCode:  code,
			Code:         record.ReasonTooSlow,
			Severity:     record.Error,
			Message: fmt.Sprintf("Tệp %q cần quá nhiều thời gian để đọc (vượt giới hạn %s cho mỗi tệp) nên không được xử lý. "+
				"Đề nghị xã chỉ giữ lại trang danh sách theo mẫu, xóa các trang, dòng, cột và hình ảnh thừa, lưu lại dạng Excel (.xlsx) rồi gửi lại.",
				sub.Path, durationVI(budget)),
		}},
	}
}

// durationVI writes a time budget in Vietnamese: "60 giây", "2 phút",
// "1 phút 30 giây", "0,5 giây".
func durationVI(d time.Duration) string {
	if d < time.Second {
		return strings.Replace(fmt.Sprintf("%g giây", d.Seconds()), ".", ",", 1)
	}
	d = d.Round(time.Second)
	m, s := int(d/time.Minute), int((d%time.Minute)/time.Second)
	switch {
	case m == 0:
		return fmt.Sprintf("%d giây", s)
	case s == 0:
		return fmt.Sprintf("%d phút", m)
	}
	return fmt.Sprintf("%d phút %d giây", m, s)
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
