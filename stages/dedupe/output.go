package dedupe

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
)

// group is one household: a run of members in groups.members. Its ID,
// reason and score are the Match of the same index in Result.Matches.
type group struct {
	root   int32
	off, n int32
	m1Off  int32 // communes with a valid current M1 row: m1Communes[m1Off:m1Off+m1N]
	m1N    int32
}

// output turns the union–find's households into the Result: a Match per
// household, each row's household and eligibility, the findings, the
// groups of two or more rows and the borderline pairs.
func (m *matcher) output(ctx context.Context, uf *unionFind, exact, fuzzy []edge) (Result, error) {
	res := Result{
		HouseholdMatch:    make([]int32, m.nHouseholds),
		RegistrationMatch: make([]int32, len(m.regs)),
		Eligible:          make([]bool, len(m.regs)),
	}
	for i := range res.HouseholdMatch {
		res.HouseholdMatch[i] = -1
	}
	for i := range res.RegistrationMatch {
		res.RegistrationMatch[i] = -1
	}
	n := m.nCur
	root := make([]int32, n)
	for i := range root {
		root[i] = uf.find(int32(i))
	}
	uf.release() // from here on, only each group's weakest link is read
	wAuto := float32(m.wAuto)
	accepted := func(e *edge) bool {
		if int(e.a) >= n || int(e.b) >= n || e.flags != 0 {
			return false
		}
		return math.IsInf(float64(e.w), 1) || e.w >= wAuto
	}

	// Reasons per group.
	mask := make([]uint8, n)
	for _, es := range [][]edge{exact, fuzzy} {
		for x := range es {
			e := &es[x]
			if !accepted(e) {
				continue
			}
			rs := e.reasons
			if m.isSpousePair(e.a, e.b) {
				rs |= rsSpouse
			}
			mask[root[e.a]] |= rs
		}
	}

	// Members of each group, in receipt order.
	start := make([]int32, n+1)
	for _, r := range root {
		start[r+1]++
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	members := make([]int32, n)
	fill := slices.Clone(start[:n])
	for i, r := range root {
		members[fill[r]] = int32(i)
		fill[r]++
	}
	fill = nil
	nGroups := 0
	for r := 0; r < n; r++ {
		if start[r+1] > start[r] {
			nGroups++
		}
	}
	groups := make([]group, 0, nGroups)
	groupOf := make([]int32, n) // by root
	var m1Communes []int32
	for r := 0; r < n; r++ {
		lo, hi := start[r], start[r+1]
		if hi == lo {
			continue
		}
		mem := members[lo:hi]
		if len(mem) > 1 {
			slices.SortFunc(mem, m.byReceipt)
		}
		g := group{root: int32(r), off: lo, n: hi - lo, m1Off: int32(len(m1Communes))}
		for _, i := range mem {
			rc := &m.recs[i]
			if rc.kind == kindM1 && !slices.Contains(m1Communes[g.m1Off:], rc.commune) {
				m1Communes = append(m1Communes, rc.commune)
			}
		}
		g.m1N = int32(len(m1Communes)) - g.m1Off
		groupOf[r] = int32(len(groups))
		groups = append(groups, g)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	res.table = m.matches(groups, members, mask, uf.minW)

	// Each row's household and eligibility.
	eligibleIn := func(g *group, commune int32) bool {
		return slices.Contains(m1Communes[g.m1Off:g.m1Off+g.m1N], commune)
	}
	for gi := range groups {
		g := &groups[gi]
		for _, i := range members[g.off : g.off+g.n] {
			rc := &m.recs[i]
			if rc.kind == kindM1 {
				res.HouseholdMatch[rc.idx] = int32(gi)
			} else {
				res.RegistrationMatch[rc.idx] = int32(gi)
				res.Eligible[rc.idx] = eligibleIn(g, rc.commune)
			}
		}
	}

	// Probes: attach each to its best current match.
	attach := m.attachProbes(exact, fuzzy, root)
	for p := n; p < len(m.recs); p++ {
		if r := attach[p-n]; r >= 0 {
			rc := &m.recs[p]
			res.Eligible[rc.idx] = eligibleIn(&groups[groupOf[r]], rc.commune)
		}
	}

	// Findings.
	var found []record.Finding
	for gi := range groups {
		g := &groups[gi]
		var first int32 = -1
		for _, i := range members[g.off : g.off+g.n] {
			rc := &m.recs[i]
			if rc.kind != kindM2 {
				continue
			}
			if first < 0 {
				first = i
			} else {
				found = append(found, m.duplicateFinding(i, first))
			}
			if !res.Eligible[rc.idx] {
				found = append(found, m.notOnRosterFinding(i, g, m1Communes))
			}
		}
	}
	found = append(found, m.probeFindings(attach, exact, fuzzy, groups, groupOf, m1Communes, res.Eligible)...)
	sortFindings(found)
	res.Findings = found

	// Groups of two or more.
	multi := 0
	for gi := range groups {
		if groups[gi].n >= 2 {
			multi++
		}
	}
	res.Groups = make([]record.HouseholdGroup, 0, multi)
	reasonsOf := map[string][]string{}
	for gi := range groups {
		g := &groups[gi]
		if g.n < 2 {
			continue
		}
		mt := res.table.at(int32(gi))
		// The ID is copied: the Groups may outlive the table.
		hg := record.HouseholdGroup{ID: strings.Clone(mt.Group), Score: mt.Score, Members: make([]record.Source, 0, g.n)}
		if mt.Reason != "" {
			rs, ok := reasonsOf[mt.Reason]
			if !ok {
				rs = strings.Split(mt.Reason, ",")
				reasonsOf[mt.Reason] = rs
			}
			hg.Reasons = rs
		}
		for _, i := range members[g.off : g.off+g.n] {
			hg.Members = append(hg.Members, m.source(i))
		}
		res.Groups = append(res.Groups, hg)
	}
	sortGroups(res.Groups)

	res.Borderline = m.borderline(exact, fuzzy, root, wAuto)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return res, nil
}

// byReceipt orders records by receipt (record.CompareReceipt), then by
// kind and index.
func (m *matcher) byReceipt(i, j int32) int {
	a, b := m.source(i), m.source(j)
	if c := record.CompareReceipt(&a, &b); c != 0 {
		return c
	}
	if c := cmp.Compare(m.recs[i].kind, m.recs[j].kind); c != 0 {
		return c
	}
	return cmp.Compare(i, j)
}

// isSpousePair: two registrations of one household by different people, at
// least one not the head (husband and wife, a child).
func (m *matcher) isSpousePair(i, j int32) bool {
	a, b := &m.recs[i], &m.recs[j]
	if a.kind != kindM2 || b.kind != kindM2 || (a.rel == relHead && b.rel == relHead) {
		return false
	}
	if a.personID != 0 && b.personID != 0 {
		return a.personID != b.personID
	}
	return vntext.Fold(m.personName(i)) != vntext.Fold(m.personName(j))
}

// reasonString joins the reason bits in their fixed order.
func reasonString(mask uint8) string {
	var parts []string
	for b, name := range reasonNames {
		if mask&(1<<b) != 0 {
			parts = append(parts, name)
		}
	}
	return strings.Join(parts, ",")
}

// matches is the Match of every group (parallel to groups): its ID
// (appendBaseID, made unique as renamedIDs says), and for a group of two
// or more rows the reasons of mask and the score of its weakest link, in
// a compact table.
func (m *matcher) matches(groups []group, members []int32, mask []uint8, minW []float32) *matchTable {
	renamed := m.renamedIDs(groups, members)
	t := newMatchTable(len(groups))
	reasonCache := map[uint8]string{}
	var id []byte
	for gi := range groups {
		g := &groups[gi]
		mem := members[g.off : g.off+g.n]
		id = m.appendBaseID(id[:0], mem)
		if renamed[int32(gi)] {
			id = m.appendRowHash(append(id, '~'), mem[0])
		}
		var mt Match
		if len(mem) > 1 {
			rs, ok := reasonCache[mask[g.root]]
			if !ok {
				rs = reasonString(mask[g.root])
				reasonCache[mask[g.root]] = rs
			}
			mt.Reason = rs
			mt.Score = weightToScore(float64(minW[g.root]))
		}
		t.addBytes(id, mt)
	}
	t.flush()
	return t
}

// appendBaseID appends the group ID before collisions are resolved: "G-"
// + commune + "-" + Mã hộ of the roster row with the smallest (commune,
// Mã hộ), else of any row; the commune is not repeated when the Mã hộ
// starts with it. A group without any Mã hộ is named by a hash of its
// first row.
func (m *matcher) appendBaseID(dst []byte, mem []int32) []byte {
	best := int32(-1)
	less := func(i, j int32) bool {
		a, b := &m.recs[i], &m.recs[j]
		if (a.kind == kindM1) != (b.kind == kindM1) {
			return a.kind == kindM1
		}
		if c := strings.Compare(m.communes[a.commune], m.communes[b.commune]); c != 0 {
			return c < 0
		}
		return m.codes.at(a.code) < m.codes.at(b.code)
	}
	for _, i := range mem {
		if m.recs[i].code >= 0 && (best < 0 || less(i, best)) {
			best = i
		}
	}
	dst = append(dst, "G-"...)
	if best < 0 {
		first := &m.recs[mem[0]]
		dst = append(append(dst, m.communes[first.commune]...), "-H"...)
		return m.appendRowHash(dst, mem[0])
	}
	c, code := m.communes[m.recs[best].commune], m.codes.at(m.recs[best].code)
	if c != "" && strings.HasPrefix(code, c+"-") {
		return append(dst, code...)
	}
	return append(append(append(dst, c...), '-'), code...)
}

// appendRowHash appends 8 hex digits identifying a record's file, sheet
// and row.
func (m *matcher) appendRowHash(dst []byte, i int32) []byte {
	s := m.source(i)
	h := hashStr(fnvOffset, s.SubmissionID)
	h = hashStr(hashByte(h, 0), s.Sheet)
	h = hashInt(hashByte(h, 0), int32(s.Row))
	return fmt.Appendf(dst, "%08x", uint32(finalize(h)>>32))
}

// renamedIDs returns the groups whose base ID is not unique and that do
// not keep it: of groups sharing an ID (two households that wrote the
// same Mã hộ), the one received first keeps it, the others get "~" and a
// hash of their first row. Groups are found sharing an ID by a hash of
// it, then compared by the IDs themselves, so that the IDs of all groups
// are never held at once.
func (m *matcher) renamedIDs(groups []group, members []int32) map[int32]bool {
	k := newKeyer(len(groups))
	keys := make([]uint64, len(groups))
	var id []byte
	for gi := range groups {
		g := &groups[gi]
		id = m.appendBaseID(id[:0], members[g.off:g.off+g.n])
		keys[gi] = k.pack(finalize(hashBytes(fnvOffset, id)), gi)
	}
	var scratch []uint64
	radixSort(keys, &scratch)
	renamed := map[int32]bool{}
	type named struct {
		id    string
		group int32
	}
	var run []named
	for lo := 0; lo < len(keys); {
		hi := lo + 1
		for hi < len(keys) && keys[hi]>>k.idxBits == keys[lo]>>k.idxBits {
			hi++
		}
		if hi-lo >= 2 {
			run = run[:0]
			for _, key := range keys[lo:hi] {
				gi := int32(key & k.mask)
				g := &groups[gi]
				run = append(run, named{string(m.appendBaseID(nil, members[g.off:g.off+g.n])), gi})
			}
			slices.SortFunc(run, func(x, y named) int {
				if c := strings.Compare(x.id, y.id); c != 0 {
					return c
				}
				return m.byReceipt(members[groups[x.group].off], members[groups[y.group].off])
			})
			for x := 1; x < len(run); x++ {
				if run[x].id == run[x-1].id {
					renamed[run[x].group] = true
				}
			}
		}
		lo = hi
	}
	return renamed
}

// attachProbes finds for each probe the group (root) of its best current
// match: an exact key first, then the highest merging score; -1 when none.
func (m *matcher) attachProbes(exact, fuzzy []edge, root []int32) []int32 {
	n := m.nCur
	np := len(m.recs) - n
	attach := make([]int32, np)
	bestW := make([]float32, np)
	bestOther := make([]int32, np)
	for p := range attach {
		attach[p] = -1
		bestW[p] = float32(math.Inf(-1))
		bestOther[p] = -1
	}
	wAuto := float32(m.wAuto)
	consider := func(e *edge) {
		if e.flags != 0 || !(math.IsInf(float64(e.w), 1) || e.w >= wAuto) {
			return
		}
		for _, pr := range [2][2]int32{{e.a, e.b}, {e.b, e.a}} {
			p, o := pr[0], pr[1]
			if int(p) < n || int(o) >= n {
				continue
			}
			x := int(p) - n
			if e.w > bestW[x] || (e.w == bestW[x] && o < bestOther[x]) {
				bestW[x], bestOther[x] = e.w, o
			}
		}
	}
	for x := range exact {
		consider(&exact[x])
	}
	for x := range fuzzy {
		consider(&fuzzy[x])
	}
	for x, o := range bestOther {
		if o >= 0 {
			attach[x] = root[o]
		}
	}
	return attach
}

// probeFindings gives the warnings of valid superseded registrations: not
// on the roster, and registered twice within their own file.
func (m *matcher) probeFindings(attach []int32, exact, fuzzy []edge, groups []group, groupOf []int32, m1Communes []int32, eligible []bool) []record.Finding {
	n := m.nCur
	np := len(m.recs) - n
	if np == 0 {
		return nil
	}
	// Clusters of probes of one file: the same attached household, or a
	// direct match between them.
	f := newForest(np)
	find, join := f.find, f.join
	type key struct{ sub, root int32 }
	firstBy := map[key]int32{}
	for x, r := range attach {
		if r < 0 {
			continue
		}
		k := key{m.recs[n+x].sub, r}
		if f, ok := firstBy[k]; ok {
			join(f, int32(x))
		} else {
			firstBy[k] = int32(x)
		}
	}
	wAuto := float32(m.wAuto)
	for _, es := range [][]edge{exact, fuzzy} {
		for _, e := range es {
			if int(e.a) >= n && int(e.b) >= n && e.flags == 0 && (math.IsInf(float64(e.w), 1) || e.w >= wAuto) {
				join(e.a-int32(n), e.b-int32(n))
			}
		}
	}
	clusters := map[int32][]int32{}
	var found []record.Finding
	for x := 0; x < np; x++ {
		i := int32(n + x)
		rc := &m.recs[i]
		if !m.regs[rc.idx].Valid {
			continue
		}
		c := find(int32(x))
		clusters[c] = append(clusters[c], i)
		if !eligible[rc.idx] {
			var g *group
			if attach[x] >= 0 {
				g = &groups[groupOf[attach[x]]]
			}
			found = append(found, m.notOnRosterFinding(i, g, m1Communes))
		}
	}
	for _, mem := range clusters {
		if len(mem) < 2 {
			continue
		}
		slices.SortFunc(mem, m.byReceipt)
		for _, i := range mem[1:] {
			found = append(found, m.duplicateFinding(i, mem[0]))
		}
	}
	return found
}

// borderline lists the pairs left for a person: scored between the
// thresholds, or matched but contradicted (a key with different names or
// heads, an ambiguous match, a merge that would join different heads).
func (m *matcher) borderline(exact, fuzzy []edge, root []int32, wAuto float32) []record.CandidatePair {
	n := m.nCur
	var cand []edge
	for _, es := range [][]edge{exact, fuzzy} {
		for _, e := range es {
			if int(e.a) >= n || int(e.b) >= n || root[e.a] == root[e.b] {
				continue
			}
			if e.flags != 0 || e.w < wAuto {
				cand = append(cand, e)
			}
		}
	}
	cand = dedupEdges(cand)
	out := make([]record.CandidatePair, 0, len(cand))
	for _, e := range cand {
		a, b := e.a, e.b
		if m.byReceipt(a, b) > 0 {
			a, b = b, a
		}
		score := 0.0
		if !math.IsInf(float64(e.w), 0) {
			score = weightToScore(float64(e.w))
		} else if w, _, ok := m.scorePair(&m.recs[a], &m.recs[b]); ok {
			score = weightToScore(w)
		}
		reason := reasonString(e.reasons)
		if e.flags&(flVeto|flConflict) != 0 {
			reason += "," + record.MatchConflict
		}
		if e.flags&flAmbiguous != 0 {
			reason += "," + record.MatchAmbiguous
		}
		out = append(out, record.CandidatePair{
			A: m.source(a), B: m.source(b),
			// Names of the M1 rows share the matcher's table: copied.
			NameA: strings.Clone(m.headName(a)), NameB: strings.Clone(m.headName(b)),
			Score: score, Reason: strings.TrimPrefix(reason, ","),
		})
	}
	sortBorderline(out)
	return out
}
