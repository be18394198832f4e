package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"doithoai/pipeline/ledger"
	"doithoai/pipeline/record"
)

// A batch of archived files is recorded in one ledger transaction once
// the copies and their folders are synced: at most batchFiles files or
// batchBytes bytes (whichever comes first; a larger file alone), so that
// a pass killed before a commit has not much to archive again.
const (
	batchFiles = 64
	batchBytes = 32 << 20
)

// pass is one ingest pass's state shared by its rounds (the scan, and the
// look again after waiting for files still being written).
type pass struct {
	led      *ledger.Ledger
	cfg      Config
	res      *Result
	log      *slog.Logger
	received map[string]ledger.Received // the ledger's view at the start of the pass
	arch     *archiver
}

// job is a complete file to archive, with the wall-clock time it was
// judged complete.
type job struct {
	c       candidate
	realNow time.Time
}

// outcome is what archiving one job gave.
type outcome struct {
	sha, rel string
	err      error
}

// receive receives the complete files among cands (in scan order) and
// returns, in scan order, those not yet settled or that changed while
// they were being archived. Files received before, unchanged, are passed
// over. An error stops the pass: the state folder failed, or ctx ended.
func (p *pass) receive(ctx context.Context, cands []candidate) ([]candidate, error) {
	var waiting, jobs []job
	for _, c := range cands {
		if r, ok := p.received[c.rel]; ok && r.Known && r.Size == c.size && r.MtimeNS == c.mtimeNS {
			continue
		}
		done, realNow, err := p.settled(ctx, c)
		if err != nil {
			return nil, err
		}
		if done {
			jobs = append(jobs, job{c, realNow})
		} else {
			waiting = append(waiting, job{c, realNow})
		}
	}
	changed, err := p.archiveAll(ctx, jobs)
	if err != nil {
		return nil, err
	}
	out := make([]candidate, 0, len(waiting)+len(changed))
	for _, j := range waiting {
		out = append(out, j.c)
	}
	out = append(out, changed...)
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel }) // scan order
	return out, nil
}

// settled reports whether a file is complete: its mtime is at least the
// settle interval old, or the ledger has seen it unchanged (same size and
// mtime) for that long on the wall clock. It returns the wall-clock time
// of the judgement.
func (p *pass) settled(ctx context.Context, c candidate) (bool, time.Time, error) {
	realNow := p.cfg.Real.Now()
	if realNow.Sub(time.Unix(0, c.mtimeNS)) >= p.cfg.Settle {
		return true, realNow, nil
	}
	first, err := p.led.Settling(ctx, c.rel, c.size, c.mtimeNS, realNow)
	if err != nil {
		return false, realNow, err
	}
	return realNow.Sub(first) >= p.cfg.Settle, realNow, nil
}

// archiveAll archives the jobs, several at once, and records them in the
// ledger batch by batch, in the jobs' order: receipts get the seqs a
// one-by-one pass would give them, and every log line and Result entry
// comes in that order too. A file is recorded only once its copy and the
// copy's folder entry are synced. archiveAll returns the files that
// changed while they were being archived. When it fails (the state
// folder, or ctx ended) it has recorded whole batches only, and it
// returns only when no copy is under way any more, the temporaries
// removed.
func (p *pass) archiveAll(ctx context.Context, jobs []job) ([]candidate, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	workers := p.cfg.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	workers = min(workers, len(jobs))
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		stop()
		wg.Wait()
	}()
	outs := make([]outcome, len(jobs))
	done := make([]chan struct{}, len(jobs))
	for i := range done {
		done[i] = make(chan struct{})
	}
	// The workers run at most two batches ahead of what is recorded: the
	// archive holds few copies the ledger does not know yet.
	ahead := make(chan struct{}, 2*batchFiles)
	next := make(chan int)
	wg.Go(func() {
		defer close(next)
		for i := range jobs {
			select {
			case ahead <- struct{}{}:
			case <-wctx.Done():
				return
			}
			select {
			case next <- i:
			case <-wctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			buf := make([]byte, copyBuffer)
			for i := range next {
				if err := wctx.Err(); err != nil {
					outs[i].err = err
				} else {
					outs[i].sha, outs[i].rel, outs[i].err = p.arch.archive(wctx, jobs[i].c, buf)
				}
				close(done[i])
			}
		})
	}
	var b batch
	var changed []candidate
	for i := range jobs {
		select {
		case <-done[i]:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		<-ahead
		o := outs[i]
		var skip *skipError
		switch {
		case o.err == nil, errors.Is(o.err, errChanged), errors.Is(o.err, errVanished), errors.As(o.err, &skip):
			b.add(jobs[i], o)
		default:
			// The state folder failed (or ctx ended): the batch is not
			// recorded; the next run archives its files again.
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			return nil, o.err
		}
		if len(b.items) >= batchFiles || b.bytes >= batchBytes {
			if err := p.flush(ctx, &b, &changed); err != nil {
				return nil, err
			}
		}
	}
	if err := p.flush(ctx, &b, &changed); err != nil {
		return nil, err
	}
	return changed, nil
}

// batch is the archived files not yet recorded, in order.
type batch struct {
	items []item
	bytes int64
}

type item struct {
	job
	outcome
}

func (b *batch) add(j job, o outcome) {
	b.items = append(b.items, item{j, o})
	if o.err == nil {
		b.bytes += j.c.size
	}
}

// flush syncs the archive folders of the batch's copies (each once),
// records them in one ledger transaction, and then reports every file of
// the batch in order: received (New, a log line), skipped, or changed
// (appended to changed). The batch is emptied.
func (p *pass) flush(ctx context.Context, b *batch, changed *[]candidate) error {
	defer func() { b.items, b.bytes = b.items[:0], 0 }()
	var receipts []ledger.Receipt
	var dirs []string
	seen := map[string]bool{}
	for _, it := range b.items {
		if it.err != nil {
			continue
		}
		// Every copy's folder is synced, also when the bytes were there
		// already: another worker may have just put them there.
		if dir := archiveDir(p.cfg.State, it.rel); !seen[dir] {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
		receipts = append(receipts, ledger.Receipt{Entry: ledger.Entry{SHA256: it.sha, Path: it.c.rel, Size: it.c.size,
			ReceivedAt: p.cfg.Clock.Now(), SeenReal: it.realNow, Archive: it.rel}, MtimeNS: it.c.mtimeNS})
	}
	if err := syncDirs(dirs); err != nil {
		return fmt.Errorf("archive folder: %w", err)
	}
	seqs, err := p.led.ReceiveAll(ctx, receipts)
	if err != nil {
		return err
	}
	k := 0
	for _, it := range b.items {
		var skip *skipError
		switch {
		case it.err == nil:
			if seqs[k] != 0 {
				p.res.New = append(p.res.New, it.c.rel)
				p.log.Info("received", "path", it.c.rel, "sha256", it.sha[:12], "bytes", it.c.size)
			}
			k++
		case errors.Is(it.err, errChanged):
			p.log.Info("file changed while being archived; it stays pending", "path", it.c.rel)
			*changed = append(*changed, it.c)
		case errors.Is(it.err, errVanished):
			// removed from the inbox: nothing to receive
		case errors.As(it.err, &skip):
			// An unreadable file is reported and looked at again next
			// run; it does not stop the other files.
			p.res.Skipped = append(p.res.Skipped, record.Skip{Path: it.c.rel, Reason: skip.reason})
			p.log.Warn("inbox entry skipped", "path", it.c.rel, "reason", skip.reason, "err", skip.err)
		}
	}
	return nil
}

// dirSyncs is how many folders are synced at once: the file system
// commits its journal once for all the syncs waiting on it.
const dirSyncs = 16

// syncDirs syncs folders, several at once, and returns the first error in
// their order.
func syncDirs(dirs []string) error {
	errs := make([]error, len(dirs))
	sem := make(chan struct{}, dirSyncs)
	var wg sync.WaitGroup
	for i, d := range dirs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = syncDir(d)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
