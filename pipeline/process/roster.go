package process

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"doithoai/pipeline/extract"
	"doithoai/pipeline/record"
	"doithoai/stages/dedupe"
	"doithoai/stages/validate"
)

// roster is the record.Roster of an inbox whose M1 rows are not held in
// memory: each accepted M1 file's rows are read again from its checked
// extract when a stage asks for them, given their source and superseded
// mark as Assemble would (validate.Attach) and, once dedupe has decided,
// their household.
type roster struct {
	store   *extract.Store
	workers int
	parts   []rosterPart
	n       int
	byCom   map[string][]int // commune code -> indices in parts

	// dedupe's decision, set by setMatches.
	matches *dedupe.Result
}

// rosterPart is one accepted M1 file's rows.
type rosterPart struct {
	wb         record.Workbook // header only (submission, commune)
	superseded bool
	first, n   int
	held       []record.Household // the rows, when they have no extract (already attached)
}

var _ record.Roster = (*roster)(nil)

// streamPartRows is the size above which an M1 file's rows are yielded a
// record batch at a time as they are read from its checked extract (in
// the yielding goroutine, not read ahead), so that a big roster (a
// province's in one file) is never held whole; smaller files are read
// whole, a few ahead on the workers.
var streamPartRows = 1 << 16

// streamed reports whether p's rows are yielded batch by batch.
func (r *roster) streamed(p *rosterPart) bool { return p.held == nil && p.n > streamPartRows }

// newRoster makes the roster of items, given Assemble's outcomes (one per
// item, in order); it takes the M1 rows still held by items (moving them
// out of the checks, so that Assemble gathers none).
func newRoster(cfg Config, items []Item, outcomes []record.SubmissionOutcome) (*roster, error) {
	if len(outcomes) != len(items) {
		return nil, fmt.Errorf("roster: %d outcomes for %d submissions", len(outcomes), len(items))
	}
	r := &roster{store: cfg.Extracts, workers: cfg.Workers, byCom: map[string][]int{}}
	for i := range items {
		it := &items[i]
		gathered, superseded := validate.Gathers(&outcomes[i])
		if !gathered || it.Workbook.Form != record.FormM1 {
			continue
		}
		n := it.RosterRows
		p := rosterPart{wb: record.HeaderOf(it.Workbook), superseded: superseded, first: r.n}
		if hs := it.Checked.Households; hs != nil {
			n = len(hs)
			for k := range hs {
				validate.Attach(&p.wb, superseded, &hs[k].Source, &hs[k].State)
			}
			p.held = hs
		}
		if n == 0 {
			continue
		}
		if p.held == nil && r.store == nil {
			return nil, fmt.Errorf("roster: rows of %s are in no extract", it.Workbook.Submission.Path)
		}
		p.n = n
		r.byCom[p.wb.CommuneCode] = append(r.byCom[p.wb.CommuneCode], len(r.parts))
		r.parts = append(r.parts, p)
		r.n += n
	}
	return r, nil
}

// Len is the number of rows.
func (r *roster) Len() int { return r.n }

// Each yields every part's rows in dataset order; the next parts are read
// ahead by the workers.
func (r *roster) Each(ctx context.Context, fn func(first int, hs []record.Household) error) error {
	idx := make([]int, len(r.parts))
	for i := range idx {
		idx[i] = i
	}
	return r.each(ctx, idx, fn)
}

// rosterBuf is the memory one part's rows are read into, used again from
// part to part once fn has had them (fn keeps nothing of them).
type rosterBuf struct {
	sc   extract.Scratch    // the rows read from a checked extract
	held []record.Household // the copy of held rows
}

// each yields the rows of parts idx, in that order. The parts read ahead
// and the one being yielded each have a rosterBuf of their own: at most
// workers+1 of them, used again and again through the pass.
func (r *roster) each(ctx context.Context, idx []int, fn func(first int, hs []record.Household) error) error {
	type loaded struct {
		hs     []record.Household
		buf    *rosterBuf
		stream bool // the part is streamed by the yielding loop
		err    error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ahead := max(1, r.workers)
	free := make(chan *rosterBuf, ahead+1)
	getBuf := func() *rosterBuf {
		select {
		case b := <-free:
			return b
		default:
			return new(rosterBuf)
		}
	}
	slots := make([]chan loaded, len(idx))
	for i := range slots {
		slots[i] = make(chan loaded, 1)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < ahead; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				if p := &r.parts[idx[k]]; r.streamed(p) {
					slots[k] <- loaded{stream: true}
					continue
				}
				buf := getBuf()
				hs, err := r.load(&r.parts[idx[k]], buf)
				slots[k] <- loaded{hs: hs, buf: buf, err: err}
			}
		}()
	}
	// Feed at most `ahead` parts beyond the one being yielded.
	feed := make(chan struct{}, ahead)
	go func() {
		defer close(next)
		for k := range idx {
			select {
			case feed <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- k:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()
	defer cancel()
	for k := range idx {
		var l loaded
		select {
		case l = <-slots[k]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-feed
		if l.err != nil {
			return l.err
		}
		p := &r.parts[idx[k]]
		if l.stream {
			if err := r.stream(ctx, p, fn); err != nil {
				return err
			}
			continue
		}
		err := fn(p.first, l.hs)
		select {
		case free <- l.buf:
		default:
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// load reads part p's rows (a copy for held rows) into buf, with
// dedupe's decision.
func (r *roster) load(p *rosterPart, buf *rosterBuf) ([]record.Household, error) {
	if p.held != nil {
		buf.held = append(buf.held[:0], p.held...)
		hs := buf.held
		r.attach(p, 0, hs, false)
		return hs, nil
	}
	chk, ok := r.store.ReadRecords(p.wb.Submission, &buf.sc)
	if !ok {
		return nil, fmt.Errorf("roster: the checked extract of %s could not be read again", p.wb.Submission.Path)
	}
	hs := chk.Households
	if len(hs) != p.n {
		return nil, fmt.Errorf("roster: the checked extract of %s holds %d rows, not %d", p.wb.Submission.Path, len(hs), p.n)
	}
	r.attach(p, 0, hs, true)
	return hs, nil
}

// attach gives hs, part p's rows from its row off on, what Assemble gives
// them (their source and superseded mark: read rows only, held ones have
// them) and dedupe's decision.
func (r *roster) attach(p *rosterPart, off int, hs []record.Household, read bool) {
	for k := range hs {
		if read {
			validate.Attach(&p.wb, p.superseded, &hs[k].Source, &hs[k].State)
		}
		if r.matches != nil && r.matches.HouseholdMatch[p.first+off+k] >= 0 {
			mt := r.matches.OfHousehold(p.first + off + k)
			hs[k].HouseholdGroup, hs[k].MatchReason, hs[k].MatchScore = mt.Group, mt.Reason, mt.Score
		}
	}
}

// stream yields part p's rows to fn a record batch at a time, read from
// its checked extract as fn goes.
func (r *roster) stream(ctx context.Context, p *rosterPart, fn func(first int, hs []record.Household) error) error {
	off := 0
	ok, err := r.store.EachChecked(p.wb.Submission, func(chk *record.Checked) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		hs := chk.Households
		if off+len(hs) > p.n {
			return fmt.Errorf("roster: the checked extract of %s holds more than %d rows", p.wb.Submission.Path, p.n)
		}
		r.attach(p, off, hs, true)
		first := p.first + off
		off += len(hs)
		return fn(first, hs)
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("roster: %w", err)
	}
	if !ok {
		return fmt.Errorf("roster: the checked extract of %s could not be read again", p.wb.Submission.Path)
	}
	if off != p.n {
		return fmt.Errorf("roster: the checked extract of %s holds %d rows, not %d", p.wb.Submission.Path, off, p.n)
	}
	return nil
}

// setMatches keeps dedupe's decision for the rows it yields from now on.
func (r *roster) setMatches(res dedupe.Result) {
	r.matches = &res
}

// loader is dedupe's Loader over the roster and the registrations held in
// memory: the rows of a part's communes with their dataset indices, the
// roster's rows a batch at a time as they are read (dedupe keeps only
// what matching needs of them).
func (r *roster) loader(regs []record.Registration) dedupe.Loader {
	regsOf := map[string][]int{}
	for i := range regs {
		c := regs[i].CommuneCode
		regsOf[c] = append(regsOf[c], i)
	}
	return func(ctx context.Context, communes []string, rows *dedupe.PartRows) error {
		var idx []int
		for _, c := range communes {
			idx = append(idx, r.byCom[c]...)
		}
		slices.Sort(idx) // dataset order, as the whole would be
		n := 0
		for _, i := range idx {
			n += r.parts[i].n
		}
		rows.Grow(n, 0)
		var at []int
		err := r.each(ctx, idx, func(first int, hs []record.Household) error {
			at = at[:0]
			for k := range hs {
				at = append(at, first+k)
			}
			return rows.AddHouseholds(at, hs)
		})
		if err != nil {
			return err
		}
		var rs []int
		for _, c := range communes {
			rs = append(rs, regsOf[c]...)
		}
		slices.Sort(rs)
		return rows.AddRegistrationsOf(regs, rs)
	}
}
