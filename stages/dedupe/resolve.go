package dedupe

import (
	"cmp"
	"context"
	"math"
	"runtime"
	"slices"

	"doithoai/pipeline/vntext"
)

// unionFind over records, with per-root facts that say whether two groups
// may be one household.
type unionFind struct {
	parent []int32
	size   []int32
	hid    []uint64  // a head's citizen ID in the group, 0 none
	ymin   []int16   // the heads' birth years in the group, 0 none
	ymax   []int16   //
	minW   []float32 // weakest link that joined the group
}

func newUnionFind(m *matcher) *unionFind {
	n := len(m.recs)
	u := &unionFind{
		parent: make([]int32, n), size: make([]int32, n), hid: make([]uint64, n),
		ymin: make([]int16, n), ymax: make([]int16, n), minW: make([]float32, n),
	}
	for i := range u.parent {
		r := &m.recs[i]
		u.parent[i] = int32(i)
		u.size[i] = 1
		u.hid[i] = r.headID
		u.ymin[i], u.ymax[i] = r.year, r.year
		u.minW[i] = float32(math.Inf(1))
	}
	return u
}

// release drops what only find and union read: after it, only minW is
// left.
func (u *unionFind) release() {
	u.parent, u.size, u.hid, u.ymin, u.ymax = nil, nil, nil, nil, nil
}

func (u *unionFind) find(i int32) int32 {
	root := i
	for u.parent[root] != root {
		root = u.parent[root]
	}
	for u.parent[i] != root {
		i, u.parent[i] = u.parent[i], root
	}
	return root
}

// conflict reports whether the groups of roots a and b have different
// heads: different citizen IDs, or birth years more than a year apart.
func (u *unionFind) conflict(a, b int32) bool {
	if u.hid[a] != 0 && u.hid[b] != 0 && u.hid[a] != u.hid[b] {
		return true
	}
	if u.ymin[a] != 0 && u.ymin[b] != 0 && (u.ymax[a]+1 < u.ymin[b] || u.ymax[b]+1 < u.ymin[a]) {
		return true
	}
	return false
}

// union joins roots a and b through an edge of weight w.
func (u *unionFind) union(a, b int32, w float32) int32 {
	if u.size[a] < u.size[b] || (u.size[a] == u.size[b] && b < a) {
		a, b = b, a
	}
	u.parent[b] = a
	u.size[a] += u.size[b]
	if u.hid[a] == 0 {
		u.hid[a] = u.hid[b]
	}
	switch {
	case u.ymin[a] == 0:
		u.ymin[a], u.ymax[a] = u.ymin[b], u.ymax[b]
	case u.ymin[b] != 0:
		u.ymin[a] = min(u.ymin[a], u.ymin[b])
		u.ymax[a] = max(u.ymax[a], u.ymax[b])
	}
	u.minW[a] = min(u.minW[a], u.minW[b], w)
	return a
}

// exactPair links two records sharing a Mã hộ in one commune or a citizen
// ID, unless the names (or the heads' IDs) say they are different
// households, in which case the pair is kept as vetoed for a person.
func (m *matcher) exactPair(i, j int32, out *[]edge) {
	a, b := &m.recs[i], &m.recs[j]
	if !m.mayPair(a, b) {
		return
	}
	var ok, veto uint8
	if a.commune == b.commune && a.code >= 0 && a.code == b.code {
		if (a.headID != 0 && b.headID != 0 && a.headID != b.headID) || !m.codeNamesAgree(a, b) {
			veto |= rsCode
		} else {
			ok |= rsCode
		}
	}
	if a.personID != 0 && a.personID == b.personID {
		if m.personNamesLoose(i, j) {
			ok |= rsID
		} else {
			veto |= rsID
		}
	}
	switch {
	case ok != 0:
		*out = append(*out, edge{a: i, b: j, w: float32(math.Inf(1)), reasons: ok})
	case veto != 0:
		*out = append(*out, edge{a: i, b: j, w: float32(math.Inf(-1)), reasons: veto, flags: flVeto})
	}
}

// mayPair: probes (invalid or superseded rows) pair with current rows and
// with probes of their own file only.
func (m *matcher) mayPair(a, b *rec) bool {
	return !(a.probe && b.probe && a.sub != b.sub)
}

// codeNamesAgree reports whether two records sharing a Mã hộ name the same
// head: names that agree (up to the noise compareNames forgives) or with
// the same family and given names (middle names vary), and birth years at
// most a year apart when both are the head's. A mistyped Mã hộ that hits
// another household's code fails this.
func (m *matcher) codeNamesAgree(a, b *rec) bool {
	if a.year != 0 && b.year != 0 && (a.year-b.year > 1 || b.year-a.year > 1) {
		return false
	}
	if a.nTok == 0 || b.nTok == 0 {
		return true
	}
	if _, _, ok := m.compareNames(a, b); ok {
		return true
	}
	fa, _ := m.tokens(a)
	fb, _ := m.tokens(b)
	return fa[0] == fb[0] && fa[len(fa)-1] == fb[len(fb)-1]
}

// headNamesLoose compares the heads' names of two records loosely.
func (m *matcher) headNamesLoose(a, b *rec) bool {
	fa, _ := m.tokens(a)
	fb, _ := m.tokens(b)
	var x, y [maxTokens]string
	for k, t := range fa {
		x[k] = m.foldStr[t]
	}
	for k, t := range fb {
		y[k] = m.foldStr[t]
	}
	return looseSame(x[:len(fa)], y[:len(fb)])
}

// personNamesLoose compares the names of the people two citizen IDs belong
// to (the head on M1, the representative on M2).
func (m *matcher) personNamesLoose(i, j int32) bool {
	a, b := &m.recs[i], &m.recs[j]
	if (a.kind == kindM1 || a.rel == relHead) && (b.kind == kindM1 || b.rel == relHead) {
		if m.headNamesLoose(a, b) {
			return true
		}
	}
	return looseSame(splitWords(vntext.Fold(m.personName(i))), splitWords(vntext.Fold(m.personName(j))))
}

func splitWords(s string) []string {
	var out []string
	for s != "" {
		var w string
		w, s = nextWord(s)
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// fuzzyPair scores two records by name, birth year, hamlet and Mã hộ.
func (m *matcher) fuzzyPair(comp1 []int32) pairFunc {
	return func(i, j int32, out *[]edge) {
		a, b := &m.recs[i], &m.recs[j]
		if !m.mayPair(a, b) {
			return
		}
		if !a.probe && !b.probe && comp1[i] == comp1[j] {
			return
		}
		w, rs, ok := m.scorePair(a, b)
		if !ok || w < m.wBorder {
			return
		}
		*out = append(*out, edge{a: i, b: j, w: float32(w), reasons: rs})
	}
}

// acrossCommunes accepts a Mã hộ block for cross-commune matching only when
// the code is used by at most two communes (codes like "1" or "01" that
// every commune uses say nothing).
func (m *matcher) acrossCommunes(members []int32) bool {
	first := m.recs[members[0]].commune
	second := int32(-1)
	for _, i := range members[1:] {
		c := m.recs[i].commune
		switch {
		case c == first || c == second:
		case second < 0:
			second = c
		default:
			return false
		}
	}
	return second >= 0
}

// dedupEdges sorts edges by pair and merges duplicates.
func dedupEdges(es []edge) []edge {
	slices.SortFunc(es, func(x, y edge) int {
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.b, y.b)
	})
	out := es[:0]
	for _, e := range es {
		if n := len(out); n > 0 && out[n-1].a == e.a && out[n-1].b == e.b {
			p := &out[n-1]
			p.w = max(p.w, e.w)
			p.reasons |= e.reasons
			p.flags |= e.flags
			continue
		}
		out = append(out, e)
	}
	return out
}

// resolve runs the stages of matching and returns what they decided.
func (m *matcher) resolve(ctx context.Context) (Result, error) {
	n := len(m.recs)
	k := newKeyer(n)

	// 1. Exact keys.
	var parts [][]edge
	for _, ns := range []byte{nsCode, nsID} {
		es, err := m.forBlocks(ctx, m.genKeys(ns, k), k, nil, m.exactPair)
		if err != nil {
			return Result{}, err
		}
		parts = append(parts, es...)
	}
	exact := dedupEdges(concatEdges(parts))
	parts = nil
	uf := newUnionFind(m)
	for _, e := range exact {
		if e.flags&flVeto == 0 && int(e.a) < m.nCur && int(e.b) < m.nCur {
			if ra, rb := uf.find(e.a), uf.find(e.b); ra != rb {
				uf.union(ra, rb, e.w)
			}
		}
	}
	m.collect()
	comp1 := make([]int32, n)
	for i := range comp1 {
		comp1[i] = uf.find(int32(i))
	}

	// 2. Scored name matches within blocks.
	for _, ns := range []byte{nsGiven, nsSorted, nsGlobalCode} {
		var accept func([]int32) bool
		if ns == nsGlobalCode {
			accept = m.acrossCommunes
		}
		keys := m.genKeys(ns, k)
		es, err := m.forBlocks(ctx, keys, k, accept, m.fuzzyPair(comp1))
		if err != nil {
			return Result{}, err
		}
		parts = append(parts, es...)
	}
	m.sortBuf = nil
	fuzzy := dedupEdges(concatEdges(parts))
	parts = nil
	m.collect()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}

	// 3. Ambiguity: a record that matches two different households about
	// equally well is merged with neither.
	wAuto := float32(m.wAuto)
	m.markAmbiguous(fuzzy, comp1, uf, wAuto)

	// 4. Merge, strongest first, never joining two different heads.
	order := make([]int32, 0, len(fuzzy))
	for x, e := range fuzzy {
		if e.w >= wAuto && e.flags == 0 && int(e.a) < m.nCur && int(e.b) < m.nCur {
			order = append(order, int32(x))
		}
	}
	slices.SortFunc(order, func(x, y int32) int {
		if c := cmp.Compare(fuzzy[y].w, fuzzy[x].w); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	for _, x := range order {
		e := &fuzzy[x]
		ra, rb := uf.find(e.a), uf.find(e.b)
		if ra == rb {
			continue
		}
		if uf.conflict(ra, rb) {
			e.flags |= flConflict
			continue
		}
		uf.union(ra, rb, e.w)
	}
	return m.output(ctx, uf, exact, fuzzy)
}

// markAmbiguous flags the merging edges of a record that reach two
// conflicting households (different heads) with weights within
// ambiguityGap of each other; a clearly weaker rival edge is flagged as a
// conflict instead.
func (m *matcher) markAmbiguous(fuzzy []edge, comp1 []int32, uf *unionFind, wAuto float32) {
	type inc struct {
		rec, comp int32
		w         float32
		e         int32
	}
	var incs []inc
	for x, e := range fuzzy {
		if e.w < wAuto || int(e.a) >= m.nCur || int(e.b) >= m.nCur {
			continue
		}
		incs = append(incs, inc{e.a, comp1[e.b], e.w, int32(x)}, inc{e.b, comp1[e.a], e.w, int32(x)})
	}
	slices.SortFunc(incs, func(x, y inc) int {
		if c := cmp.Compare(x.rec, y.rec); c != 0 {
			return c
		}
		if c := cmp.Compare(y.w, x.w); c != 0 {
			return c
		}
		return cmp.Compare(x.e, y.e)
	})
	for lo := 0; lo < len(incs); {
		hi := lo + 1
		for hi < len(incs) && incs[hi].rec == incs[lo].rec {
			hi++
		}
		if hi-lo >= 2 {
			best := incs[lo]
			ambiguous := false
			for _, c := range incs[lo+1 : hi] {
				if c.comp == best.comp || !uf.conflict(c.comp, best.comp) {
					continue
				}
				if c.w > best.w-ambiguityGap {
					ambiguous = true
					fuzzy[c.e].flags |= flAmbiguous
				} else {
					fuzzy[c.e].flags |= flConflict
				}
			}
			if ambiguous {
				for _, c := range incs[lo:hi] {
					if c.comp == best.comp {
						fuzzy[c.e].flags |= flAmbiguous
					}
				}
			}
		}
		lo = hi
	}
}

// collectAbove is the number of records from which Resolve collects
// garbage between its phases: the temporary tables of a phase are large
// beside the dataset, and collecting them at once keeps the peak heap near
// the live data instead of twice it.
const collectAbove = 200_000

// collect runs the garbage collector between phases of a large run.
func (m *matcher) collect() {
	if len(m.recs) >= collectAbove {
		runtime.GC()
	}
}
