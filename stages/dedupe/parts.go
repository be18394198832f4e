package dedupe

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"doithoai/pipeline/record"
)

// Stats is what resolving a part of the rows needs to know of all of
// them, gathered in one streaming pass (AddHouseholds, AddRegistrations)
// without holding the rows: how often each word of a name occurs (the
// weights of the score), and which communes share a Mã hộ or a citizen ID
// (the only keys that pair rows of two communes). Parts then gives the
// communes that must be resolved together; resolving each part with
// Input.Stats set gives every row the same Match, eligibility and findings
// as resolving all rows at once, because every candidate pair of the
// whole lies inside one part.
type Stats struct {
	// p prepares every batch as Resolve would, with interners kept from
	// batch to batch (each word is folded into its signature once), and
	// keeps no record past its batch.
	p          *preparer
	cntF, cntT [3][]int32   // counts by role of p's folded tokens and toned signatures
	priF, priT [3][]float32 // their priors (names.go), once the counts are complete (priors)
	nRole      [3]float64
	codes      []string // commune codes, in order of first appearance (p.internC's)
	rowsOf     []int    // rows prepared by commune (as codes): the size of the parts
	links      []uint64 // key hash (high bits) | commune index (low linkBits)
}

// linkBits is the room of a commune index in a link; the hash keeps the
// rest. Two different keys that share the hash only join two parts that
// need not be joined: the results stay the same.
const linkBits = 24

// NewStats returns empty statistics.
func NewStats() *Stats {
	p := newPreparer(Options{}.withDefaults())
	p.stats = true
	return &Stats{p: p}
}

// Grow makes room for the links of about rows more rows, so that the
// statistics of a big roster are not copied as they grow.
func (st *Stats) Grow(rows int) {
	st.links = slices.Grow(st.links, 2*rows)
}

// AddHouseholds counts M1 rows (every row, valid or not, as given to
// Resolve). hs is not kept.
func (st *Stats) AddHouseholds(hs []record.Household) error {
	if len(hs) == 0 {
		return nil
	}
	st.reset()
	st.p.addHouseholds(hs)
	st.p.m.nCur = len(st.p.m.recs)
	return st.add()
}

// AddRegistrations counts M2 rows. rs is not kept.
func (st *Stats) AddRegistrations(rs []record.Registration) error {
	if len(rs) == 0 {
		return nil
	}
	st.reset()
	regs := make([]*record.Registration, len(rs))
	for i := range rs {
		regs[i] = &rs[i]
	}
	st.p.addRegistrations(regs)
	err := st.add()
	st.compact() // the registrations come at once, after the roster: their scratch is not kept
	return err
}

// reset empties the preparer's records of the last batch, keeping their
// memory and the interned words.
func (st *Stats) reset() {
	m := st.p.m
	m.recs, m.fold, m.tone = m.recs[:0], m.fold[:0], m.tone[:0]
	m.nM1, m.nCur, m.nHouseholds = 0, 0, 0
	st.p.codeText = st.p.codeText[:0]
}

// add counts the words of the batch just prepared (as Resolve's count
// does, over its valid current rows) and adds its links.
func (st *Stats) add() error {
	p, m := st.p, st.p.m
	for ro := 0; ro < 3; ro++ {
		st.cntF[ro] = growZero(st.cntF[ro], len(p.internF.strs))
		st.cntT[ro] = growZero(st.cntT[ro], len(p.internT.strs))
	}
	m.countTokens(&st.cntF, &st.cntT, &st.nRole)
	for c := len(st.codes); c < len(p.internC.strs); c++ {
		if len(st.codes) >= 1<<linkBits {
			return fmt.Errorf("dedupe: more than %d communes", 1<<linkBits)
		}
		st.codes = append(st.codes, p.internC.strs[c])
	}
	for len(st.rowsOf) < len(st.codes) {
		st.rowsOf = append(st.rowsOf, 0)
	}
	for i := range m.recs {
		r := &m.recs[i]
		st.rowsOf[r.commune]++
		c := uint64(r.commune)
		link := func(h uint64) { st.links = append(st.links, finalize(h)&^(1<<linkBits-1)|c) }
		if r.code >= 0 {
			// recKeys hashes the Mã hộ's interned number: hash its text.
			link(hashStr(hashByte(fnvOffset, nsGlobalCode), p.codeText[r.code]))
		}
		m.recKeys(nsID, i, link)
	}
	return nil
}

// priors sets the priors of every token counted (once: the tokens are
// all counted when the parts are resolved).
func (st *Stats) priors() {
	p := st.p
	for ro := 0; ro < 3; ro++ {
		for id := len(st.priF[ro]); id < len(st.cntF[ro]); id++ {
			st.priF[ro] = append(st.priF[ro], float32(defaultPrior.folded[ro][p.internF.strs[id]]))
		}
		for id := len(st.priT[ro]); id < len(st.cntT[ro]); id++ {
			st.priT[ro] = append(st.priT[ro], float32(defaultPrior.toned[ro][p.internT.strs[id]]))
		}
	}
}

// growZero returns s extended with zeros to length n.
func growZero(s []int32, n int) []int32 {
	if n <= len(s) {
		return s
	}
	return append(s, make([]int32, n-len(s))...)
}

// compact drops the last batch's records and scratch (only the counts
// and the words' IDs are read from now on).
func (st *Stats) compact() {
	p := st.p
	p.m.recs, p.m.fold, p.m.tone = nil, nil, nil
	p.folded, p.toned, p.codeText, p.arenas, p.foldEnds = nil, nil, nil, nil, nil
}

// Parts returns the communes to resolve together: each part is the
// communes joined, directly or through others, by a shared Mã hộ or
// citizen ID (most parts are one commune). Parts are ordered by their
// first commune's first appearance; each part's communes likewise.
func (st *Stats) Parts() [][]string {
	n := len(st.codes)
	f := newForest(n)
	links := st.links
	var buf []uint64
	radixSort(links, &buf) // in place: Parts gives the same on a second call
	const low = 1<<linkBits - 1
	for i := 0; i < len(links); {
		j := i + 1
		for j < len(links) && links[j]&^low == links[i]&^low {
			j++
		}
		for k := i + 1; k < j; k++ {
			f.join(int32(links[i]&low), int32(links[k]&low))
		}
		i = j
	}
	byRoot := map[int32]int{}
	var parts [][]string
	for i := 0; i < n; i++ {
		r := f.find(int32(i))
		k, ok := byRoot[r]
		if !ok {
			k = len(parts)
			byRoot[r] = k
			parts = append(parts, nil)
		}
		parts[k] = append(parts[k], st.codes[i])
	}
	return parts
}

// Part is the Result of resolving a part of the rows, with the index in
// the whole input of each of the part's households and registrations.
type Part struct {
	Result        Result
	Households    []int // Households[i]: index in the whole of the part's Input.Households[i]
	Registrations []int // the same for registrations
}

// Merge joins the Results of the parts of an input of nHouseholds M1 rows
// and nRegistrations M2 rows (every row in exactly one part) into the
// Result that resolving the whole at once gives: per-row slices indexed
// like the whole, groups, borderline pairs and findings in Resolve's
// orders.
func Merge(nHouseholds, nRegistrations int, parts []Part) (Result, error) {
	mg := newMerger(nHouseholds, nRegistrations)
	for i := range parts {
		if err := mg.add(i, &parts[i]); err != nil {
			return Result{}, err
		}
	}
	return mg.result(), nil
}

// merger builds a merged Result one part at a time, so that a part's
// Result can be dropped as soon as it is added.
type merger struct {
	res    Result
	nh, nr int
}

func newMerger(nHouseholds, nRegistrations int) *merger {
	mg := &merger{nh: nHouseholds, nr: nRegistrations, res: Result{
		HouseholdMatch:    make([]int32, nHouseholds),
		RegistrationMatch: make([]int32, nRegistrations),
		Eligible:          make([]bool, nRegistrations),
		// As Resolve makes them: empty, not nil.
		Groups:     []record.HouseholdGroup{},
		Borderline: []record.CandidatePair{},
	}}
	for i := range mg.res.HouseholdMatch {
		mg.res.HouseholdMatch[i] = -1
	}
	for i := range mg.res.RegistrationMatch {
		mg.res.RegistrationMatch[i] = -1
	}
	return mg
}

// add joins part pi.
func (mg *merger) add(pi int, p *Part) error {
	res, r := &mg.res, &p.Result
	if len(r.HouseholdMatch) != len(p.Households) || len(r.RegistrationMatch) != len(p.Registrations) || len(r.Eligible) != len(p.Registrations) {
		return fmt.Errorf("dedupe: part %d: result of %d+%d rows for %d+%d rows", pi, len(r.HouseholdMatch), len(r.RegistrationMatch), len(p.Households), len(p.Registrations))
	}
	if res.table == nil {
		// Most rows are households of their own: about one Match a row.
		res.table = newMatchTable(mg.nh + mg.nr/2)
	}
	off := int32(res.table.len())
	for k := range r.NumMatches() {
		res.table.add(r.matchAt(int32(k)))
	}
	shift := func(m int32) int32 {
		if m < 0 {
			return -1
		}
		return m + off
	}
	for i, at := range p.Households {
		if at < 0 || at >= mg.nh {
			return fmt.Errorf("dedupe: part %d: household %d out of range", pi, at)
		}
		res.HouseholdMatch[at] = shift(r.HouseholdMatch[i])
	}
	for i, at := range p.Registrations {
		if at < 0 || at >= mg.nr {
			return fmt.Errorf("dedupe: part %d: registration %d out of range", pi, at)
		}
		res.RegistrationMatch[at] = shift(r.RegistrationMatch[i])
		res.Eligible[at] = r.Eligible[i]
	}
	res.Groups = append(res.Groups, r.Groups...)
	res.Borderline = append(res.Borderline, r.Borderline...)
	res.Findings = append(res.Findings, r.Findings...)
	return nil
}

// result is the merged Result, in Resolve's orders.
func (mg *merger) result() Result {
	if mg.res.table == nil {
		mg.res.table = newMatchTable(0)
	}
	mg.res.table.flush()
	sortGroups(mg.res.Groups)
	sortBorderline(mg.res.Borderline)
	sortFindings(mg.res.Findings)
	return mg.res
}

// sortFindings orders findings by path, sheet, row and code (stable).
func sortFindings(found []record.Finding) {
	slices.SortStableFunc(found, func(a, b record.Finding) int {
		if c := cmp.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Sheet, b.Sheet); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Row, b.Row); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
}

// sortGroups orders groups by ID.
func sortGroups(gs []record.HouseholdGroup) {
	slices.SortFunc(gs, func(a, b record.HouseholdGroup) int { return cmp.Compare(a.ID, b.ID) })
}

// sortBorderline orders pairs by the receipt of their first, then second
// row.
func sortBorderline(ps []record.CandidatePair) {
	slices.SortFunc(ps, func(x, y record.CandidatePair) int {
		if c := record.CompareReceipt(&x.A, &y.A); c != 0 {
			return c
		}
		return record.CompareReceipt(&x.B, &y.B)
	})
}

// Loader gives the rows of the communes of one part to rows: the M1 rows
// in batches, then the M2 rows, each with its index in the whole (see
// PartRows). ResolveParts may call it from several goroutines at
// once (for different parts).
type Loader func(ctx context.Context, communes []string, rows *PartRows) error

// PartRows receives the rows of one part from a Loader: first its M1 rows
// (every row, valid or not, in the order of the whole input) in batches of
// any size, then its M2 rows (likewise). A batch of M1 rows is prepared
// for matching as it is given and not kept: a part of a million roster
// rows is never held as rows, only as what matching needs of them. The M2
// rows are read where the loader holds them (their findings quote them),
// not copied.
type PartRows struct {
	p         *preparer
	hAt, rAt  []int
	regsGiven bool
}

// Grow makes room for about households M1 and registrations M2 rows of
// the part (optional: a hint that spares copies as the part grows).
func (pr *PartRows) Grow(households, registrations int) {
	pr.p.grow(households, registrations)
	pr.hAt = slices.Grow(pr.hAt, households)
}

// AddHouseholds gives M1 rows of the part: hs[k] is row at[k] of the
// whole. Neither is kept. It fails after AddRegistrations.
func (pr *PartRows) AddHouseholds(at []int, hs []record.Household) error {
	if len(at) != len(hs) {
		return fmt.Errorf("dedupe: %d indices for %d households", len(at), len(hs))
	}
	if pr.regsGiven {
		return fmt.Errorf("dedupe: households given after registrations")
	}
	if len(hs) == 0 {
		return nil
	}
	pr.hAt = append(pr.hAt, at...)
	pr.p.addHouseholds(hs)
	return nil
}

// AddRegistrations gives M2 rows of the part: rs[k] is row at[k] of the
// whole. The rows are not copied: they are read until the part is
// resolved and must not change meanwhile (the dataset's own rows can be
// given as they are, a run of them at a time).
func (pr *PartRows) AddRegistrations(at []int, rs []record.Registration) error {
	if len(at) != len(rs) {
		return fmt.Errorf("dedupe: %d indices for %d registrations", len(at), len(rs))
	}
	pr.regsGiven = true
	pr.rAt = append(pr.rAt, at...)
	for k := range rs {
		pr.p.regs = append(pr.p.regs, &rs[k])
	}
	return nil
}

// AddRegistrationsOf gives M2 rows of the part as AddRegistrations does:
// all[at[k]] for increasing indices at, each run of consecutive indices
// as one slice of all (nothing is copied).
func (pr *PartRows) AddRegistrationsOf(all []record.Registration, at []int) error {
	if len(at) == 0 {
		pr.regsGiven = true
	}
	for lo := 0; lo < len(at); {
		hi := lo + 1
		for hi < len(at) && at[hi] == at[hi-1]+1 {
			hi++
		}
		if at[lo] < 0 || at[hi-1] >= len(all) {
			return fmt.Errorf("dedupe: registrations %d..%d of %d", at[lo], at[hi-1], len(all))
		}
		if err := pr.AddRegistrations(at[lo:hi], all[at[lo]:at[hi-1]+1]); err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// ResolveParts resolves an input too big to hold, part by part: st holds
// the statistics of all nHouseholds M1 and nRegistrations M2 rows, load
// gives each part's rows (only one part is prepared at a time, and its M1
// rows are not held: see PartRows), and the Result is the one Resolve
// gives for the whole input at once. It drops st's links once the parts
// are known (a later Parts would join no communes): st serves one
// ResolveParts.
func ResolveParts(ctx context.Context, st *Stats, nHouseholds, nRegistrations int, load Loader, opt Options) (Result, error) {
	opt = opt.withDefaults()
	parts := st.Parts()
	st.links = nil // the parts are known: only the word counts are needed now
	st.compact()
	st.priors()
	mg := newMerger(nHouseholds, nRegistrations)
	largest, largestRows := 0, 0
	err := eachPart(ctx, st, parts, load, opt, func(pi int, p *Part) error {
		largest = max(largest, len(parts[pi]))
		largestRows = max(largestRows, len(p.Households)+len(p.Registrations))
		return mg.add(pi, p)
	})
	if err != nil {
		return Result{}, err
	}
	slog.Debug("dedupe: resolved in parts", "parts", len(parts), "largest_communes", largest, "largest_rows", largestRows)
	return mg.result(), nil
}

// concurrentRows bounds the rows (as Stats counted them) of the parts
// resolved at once or waiting to be merged: a part bigger than that is
// resolved alone, so resolving in parts holds about one big part at a
// time, as it would serially.
const concurrentRows = 1 << 16

// resolvePart loads and resolves part communes.
func resolvePart(ctx context.Context, st *Stats, communes []string, load Loader, opt Options) (*Part, error) {
	rows := &PartRows{p: newPreparer(opt)}
	if err := load(ctx, communes, rows); err != nil {
		return nil, fmt.Errorf("dedupe: rows of %v: %w", communes, err)
	}
	m := rows.p.finish(st)
	rows.p = nil
	res, err := m.run(ctx)
	if err != nil {
		return nil, err
	}
	// A loaded part's rows share one string per column (see extract):
	// what the Result keeps of them gets its own memory, or a name or
	// value would keep its whole column alive for the rest of the run.
	record.OwnStrings(res.Findings, res.Borderline, res.Groups)
	return &Part{Result: res, Households: rows.hAt, Registrations: rows.rAt}, nil
}

// eachPart resolves the parts and gives each to merge in order. Up to
// opt.Workers parts are loaded and resolved at once while their rows
// together stay within concurrentRows (each part is resolved as it would
// be alone: the Results are the same); load is then called from several
// goroutines at once.
func eachPart(ctx context.Context, st *Stats, parts [][]string, load Loader, opt Options, merge func(pi int, p *Part) error) error {
	if opt.Workers < 2 || len(parts) < 2 {
		for pi, communes := range parts {
			p, err := resolvePart(ctx, st, communes, load, opt)
			if err != nil {
				return err
			}
			if err := merge(pi, p); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type done struct {
		p   *Part
		err error
	}
	slots := make([]chan done, len(parts))
	for i := range slots {
		slots[i] = make(chan done, 1)
	}
	rowsOf := func(pi int) int {
		n := 0
		for _, c := range parts[pi] {
			if id, ok := st.p.internC.ids[c]; ok && int(id) < len(st.rowsOf) {
				n += st.rowsOf[id]
			}
		}
		return n
	}
	// The budget: parts started and not yet merged, and their rows.
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	inFlight, inRows, stopped := 0, 0, false
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for pi := range parts {
			n := rowsOf(pi)
			mu.Lock()
			for !stopped && inFlight > 0 && (inFlight >= opt.Workers || inRows+n > concurrentRows) {
				cond.Wait()
			}
			if stopped {
				mu.Unlock()
				return
			}
			inFlight, inRows = inFlight+1, inRows+n
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := resolvePart(ctx, st, parts[pi], load, opt)
				slots[pi] <- done{p, err}
			}()
		}
	}()
	stop := func() {
		cancel()
		mu.Lock()
		stopped = true
		cond.Broadcast()
		mu.Unlock()
		wg.Wait()
	}
	for pi := range parts {
		d := <-slots[pi]
		if d.err == nil {
			d.err = merge(pi, d.p)
		}
		if d.err != nil {
			stop()
			return d.err
		}
		d.p = nil
		mu.Lock()
		inFlight, inRows = inFlight-1, inRows-rowsOf(pi)
		cond.Broadcast()
		mu.Unlock()
	}
	stop()
	return nil
}

// InMemory is the Loader of an input held in memory (tests, and the
// proof that resolving in parts changes nothing).
func InMemory(whole Input) Loader {
	return func(ctx context.Context, communes []string, rows *PartRows) error {
		want := make(map[string]bool, len(communes))
		for _, c := range communes {
			want[c] = true
		}
		var at []int
		var batch []record.Household
		flush := func() error {
			err := rows.AddHouseholds(at, batch)
			at, batch = at[:0], batch[:0]
			return err
		}
		for i := range whole.Households {
			if want[whole.Households[i].CommuneCode] {
				at = append(at, i)
				batch = append(batch, whole.Households[i])
				if len(batch) == prepareBatch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		at = at[:0]
		for i := range whole.Registrations {
			if want[whole.Registrations[i].CommuneCode] {
				at = append(at, i)
			}
		}
		if err := rows.AddRegistrationsOf(whole.Registrations, at); err != nil {
			return err
		}
		return ctx.Err()
	}
}

// forest is a union–find over 0..n-1 whose roots are the smallest members
// (path halving).
type forest []int32

func newForest(n int) forest {
	f := make(forest, n)
	for i := range f {
		f[i] = int32(i)
	}
	return f
}

func (f forest) find(x int32) int32 {
	for f[x] != x {
		f[x] = f[f[x]]
		x = f[x]
	}
	return x
}

// join puts a and b in one set, rooted at the smaller root.
func (f forest) join(a, b int32) {
	ra, rb := f.find(a), f.find(b)
	if ra != rb {
		f[max(ra, rb)] = min(ra, rb)
	}
}
