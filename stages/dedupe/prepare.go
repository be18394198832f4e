package dedupe

import (
	"math"
	"slices"
	"strings"
	"sync"

	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
)

// Record kinds.
const (
	kindM1 uint8 = 1
	kindM2 uint8 = 2
)

// maxTokens bounds the words of a name that are compared.
const maxTokens = 8

// rec is the compact view of one M1 or M2 row that matching works on.
type rec struct {
	idx      int32            // index in the input's households (M1) or registrations (M2)
	kind     uint8            // kindM1, kindM2
	rel      schemas.Relation // relation of the M2 representative; relHead for M1
	probe    bool             // an M2 row that is invalid or superseded: matched, never grouped
	nTok     uint8            // words of the head's name
	ascii    bool             // the head's name is written without any diacritics
	year     int16            // the head's birth year, 0 when unknown or not the head's
	commune  int32            // interned commune code
	hamlet   int32            // interned (commune, folded hamlet); -1 when unknown
	code     int32            // interned normalized Mã hộ; -1 when absent
	sub      int32            // interned submission ID
	tokOff   int32            // offset of the name's tokens in matcher.fold / matcher.tone
	src      int32            // M1: the row's Source without its Row, in matcher.srcs
	row      int32            // M1: the row's Source.Row (see matcher.source)
	headID   uint64           // the head's citizen ID (M1; M2 when the representative is the head)
	personID uint64           // the row's person's citizen ID (M1: head; M2: representative)
}

// matcher holds the prepared records and the statistics that weigh them.
// It does not hold the M1 rows: what matching and the Result need of them
// (the Source, the head's name) is kept compactly, so that a part of a
// million roster rows can be resolved from rows given in batches
// (preparer). It reads the M2 rows, which its findings quote, where the
// caller holds them.
type matcher struct {
	opt  Options
	recs []rec // M1 rows first (recs[:nM1]), then the current M2 rows, then the probes
	nM1  int
	nCur int // recs[:nCur] are valid current rows; the rest are probes

	nHouseholds int                    // M1 rows given, taking part or not
	regs        []*record.Registration // the M2 rows (the caller's: see PartRows.AddRegistrations)
	srcs        []record.Source        // the M1 rows' Sources without their Rows (rec.src)
	names       strTable               // names.at(i): the head's name of M1 record i
	codes       strTable               // interned normalized Mã hộ (rec.code)

	fold    []int32 // folded token IDs of all names, by rec.tokOff
	tone    []int32 // toned-signature IDs, parallel to fold
	foldStr []string
	toneStr []string

	communes []string

	// token frequencies by role over the valid current rows, with the
	// prior of names.go; infoF/infoT read them.
	cntF, cntT [3][]int32
	priF, priT [3][]float32
	// priKnownF/T[id]: countOf took the token's prior from the Stats
	// (until weigh)
	priKnownF, priKnownT []bool
	anyF                 []float32 // the largest role probability of a folded token (for reordered names)
	nRole                [3]float64
	rawRole              [3]float64 // nRole as counted, before weigh's floor of 1

	wAuto, wBorder float64
	sortBuf        []uint64 // scratch space of radixSort
}

// floorP is the smallest probability a name token is given: a token seen
// nowhere else is about one in twenty thousand.
const floorP = 5e-5

// prepareBatch is the number of M1 rows prepare hands to the preparer at a
// time: the names folded at once.
const prepareBatch = 1 << 15

// prepare builds the compact records of in, interns tokens and counts
// them.
func prepare(in Input, opt Options) *matcher {
	b := newPreparer(opt)
	b.grow(len(in.Households), len(in.Registrations))
	for lo := 0; lo < len(in.Households); lo += prepareBatch {
		b.addHouseholds(in.Households[lo:min(lo+prepareBatch, len(in.Households))])
	}
	b.regs = make([]*record.Registration, len(in.Registrations))
	for i := range in.Registrations {
		b.regs[i] = &in.Registrations[i]
	}
	return b.finish(in.Stats)
}

// preparer prepares a matcher from rows given in order: the M1 rows in
// batches (addHouseholds; a batch is not kept), then the M2 rows (regs).
// The records, interned IDs and counts are the same however the M1 rows
// are cut into batches.
type preparer struct {
	m    *matcher
	regs []*record.Registration

	internC, internCode, internHamlet, internSub, internF, internT *interner
	rawTone                                                        *interner // toned token -> ID, then -> signature ID
	rawToSig                                                       []int32
	hamletCache                                                    map[hamletKey]int32
	srcOf                                                          map[record.Source]int32
	lastSrc                                                        record.Source
	lastSrcID                                                      int32
	folded, toned                                                  []string // scratch of a batch

	// stats is set for the preparer of a Stats: the rows are prepared
	// only for their word counts and links (no names, Sources, hamlets
	// or submissions are kept, the records are dropped after each batch),
	// and a record's code is its index in codeText, the batch's
	// normalized Mã hộ.
	stats    bool
	codeText []string

	arenas   [][]byte // foldNames: a chunk's folds
	foldEnds []int32  // foldNames: the end of each name's fold and toned fold in its arena
}

type hamletKey struct{ commune, hamlet string }

func newPreparer(opt Options) *preparer {
	m := &matcher{opt: opt}
	m.wAuto = scoreToWeight(opt.AutoMergeScore)
	m.wBorder = scoreToWeight(opt.BorderlineScore)
	return &preparer{
		m:       m,
		internC: newInterner(), internCode: newInterner(), internHamlet: newInterner(), internSub: newInterner(),
		internF: newInterner(), internT: newInterner(), rawTone: newInterner(),
		hamletCache: map[hamletKey]int32{}, srcOf: map[record.Source]int32{}, lastSrcID: -1,
	}
}

// grow makes room for about households M1 and registrations M2 rows, so
// that the records and tokens are not copied as they grow.
func (b *preparer) grow(households, registrations int) {
	m := b.m
	n := households + registrations
	m.recs = slices.Grow(m.recs, n)
	m.fold = slices.Grow(m.fold, 4*n)
	m.tone = slices.Grow(m.tone, 4*n)
	m.names.ends = slices.Grow(m.names.ends, households)
	if len(b.internCode.ids) == 0 && !b.stats {
		// About one Mã hộ a household: its map is not rehashed as it grows.
		b.internCode.ids = make(map[string]int32, households)
	}
}

// addHouseholds prepares a batch of M1 rows (every row, valid or not, in
// the input's order). hs is not kept: what is kept of it is copied.
func (b *preparer) addHouseholds(hs []record.Household) {
	m := b.m
	first, base := len(m.recs), m.nHouseholds
	for i := range hs {
		h := &hs[i]
		if h.Valid && !h.Superseded {
			m.recs = append(m.recs, rec{idx: int32(base + i), kind: kindM1, rel: relHead})
		}
	}
	m.nHouseholds += len(hs)
	m.nM1 = len(m.recs)
	recs := m.recs[first:]
	b.foldNames(recs, func(r *rec) string { return hs[int(r.idx)-base].HeadName })
	for k := range recs {
		r := &recs[k]
		h := &hs[int(r.idx)-base]
		r.headID = parseID(h.CitizenID)
		r.personID = r.headID
		if !b.stats {
			r.src, r.row = b.sourceID(&h.Source)
			m.names.add(h.HeadName)
		}
		b.intern(r, k, &h.Source, h.HouseholdCode, h.Hamlet, h.BirthYear)
	}
}

// sourceID is the index in m.srcs of s without its Row, and the Row; a
// Row that does not fit is kept in its own entry (row -1).
func (b *preparer) sourceID(s *record.Source) (src, row int32) {
	key := *s
	key.Row = 0
	row = int32(s.Row)
	if s.Row < 0 || s.Row > math.MaxInt32 {
		key.Row, row = s.Row, -1
	}
	if b.lastSrcID >= 0 && key == b.lastSrc {
		return b.lastSrcID, row
	}
	id, ok := b.srcOf[key]
	if !ok {
		id = int32(len(b.m.srcs))
		own := key
		own.SubmissionID, own.Path, own.Sheet, own.CommuneCode = strings.Clone(key.SubmissionID), strings.Clone(key.Path), strings.Clone(key.Sheet), strings.Clone(key.CommuneCode)
		b.m.srcs = append(b.m.srcs, own)
		b.srcOf[own] = id
	}
	b.lastSrc, b.lastSrcID = key, id
	return id, row
}

// foldNames folds the head names of recs (name gives each) into the
// preparer's scratch, in parallel, and notes which are written without
// diacritics. Each chunk of names is folded into one buffer, made into one
// string that the names' folds are cut from (the interners copy the words
// they keep).
func (b *preparer) foldNames(recs []rec, name func(r *rec) string) {
	n := len(recs)
	b.folded = slices.Grow(b.folded[:0], n)[:n]
	b.toned = slices.Grow(b.toned[:0], n)[:n]
	b.foldEnds = slices.Grow(b.foldEnds[:0], 2*n)[:2*n]
	if k, _ := chunks(n, b.m.opt.Workers, foldParallel); len(b.arenas) < k {
		b.arenas = append(b.arenas, make([][]byte, k-len(b.arenas))...)
	}
	parallelChunks(n, b.m.opt.Workers, foldParallel, func(c, lo, hi int) {
		need := 0
		for i := lo; i < hi; i++ {
			need += 2 * len(name(&recs[i]))
		}
		a := slices.Grow(b.arenas[c][:0], need)
		ends := b.foldEnds[2*lo : 2*hi]
		for i := lo; i < hi; i++ {
			nm := name(&recs[i])
			a = vntext.AppendFold(a, nm)
			ends[2*(i-lo)] = int32(len(a))
			a = vntext.AppendFoldKeepTones(a, nm)
			ends[2*(i-lo)+1] = int32(len(a))
		}
		b.arenas[c] = a
		all := string(a)
		start := int32(0)
		for i := lo; i < hi; i++ {
			f, t := ends[2*(i-lo)], ends[2*(i-lo)+1]
			b.folded[i], b.toned[i] = all[start:f], all[f:t]
			recs[i].ascii = isASCII(b.toned[i])
			start = t
		}
	})
}

// intern sets record r's interned fields and tokens from its row's
// fields; k is its index in the batch folded last (foldNames).
func (b *preparer) intern(r *rec, k int, src *record.Source, code, hamlet string, year int) {
	m := b.m
	if year > 0 && year < 1<<15 {
		r.year = int16(year)
	}
	r.commune = b.internC.id(src.CommuneCode)
	r.code, r.hamlet = -1, -1
	if b.stats {
		if c := normCode(code); c != "" {
			r.code = int32(len(b.codeText))
			b.codeText = append(b.codeText, c)
		}
	} else {
		r.sub = b.internSub.id(src.SubmissionID)
		if c := normCode(code); c != "" {
			r.code = b.internCode.idOwned(c)
			if int(r.code) == m.codes.len() {
				m.codes.add(c)
			}
		}
		r.hamlet = b.hamletID(src.CommuneCode, hamlet)
	}
	r.tokOff = int32(len(m.fold))
	fi, ti := b.folded[k], b.toned[k]
	for t := 0; t < maxTokens; t++ {
		f, restF := nextWord(fi)
		tw, restT := nextWord(ti)
		if f == "" {
			break
		}
		fi, ti = restF, restT
		m.fold = append(m.fold, b.internF.id(f))
		raw := b.rawTone.id(tw)
		if int(raw) == len(b.rawToSig) {
			b.rawToSig = append(b.rawToSig, b.internT.id(toneSig(tw)))
		}
		m.tone = append(m.tone, b.rawToSig[raw])
		r.nTok++
	}
}

// hamletID is the interned (commune, folded hamlet) of a row; -1 when the
// hamlet folds to nothing.
func (b *preparer) hamletID(commune, hamlet string) int32 {
	hk := hamletKey{commune, hamlet}
	hid, ok := b.hamletCache[hk]
	if !ok {
		hid = -1
		if fh := vntext.Fold(hamlet); fh != "" {
			hid = b.internHamlet.idOwned(commune + "\x00" + fh)
		}
		b.hamletCache[hamletKey{strings.Clone(commune), strings.Clone(hamlet)}] = hid
	}
	return hid
}

// finish prepares the M2 rows (b.regs: the current ones, then the probes)
// and counts and weighs the tokens; st, when set, gives the counts of the
// whole data (Input.Stats).
func (b *preparer) finish(st *Stats) *matcher {
	m := b.m
	m.regs = b.regs
	b.addRegistrations(b.regs)
	b.folded, b.toned, b.arenas, b.foldEnds = nil, nil, nil, nil
	m.fold, m.tone = fit(m.fold), fit(m.tone)
	m.names.done()
	m.codes.done()
	m.communes = b.internC.strs
	m.foldStr = b.internF.strs
	m.toneStr = b.internT.strs
	m.count()
	if st != nil {
		m.countOf(st)
	}
	m.weigh()
	return m
}

// addRegistrations prepares the M2 rows in (the current ones, then the
// probes) after the M1 rows.
func (b *preparer) addRegistrations(in []*record.Registration) {
	m := b.m
	// The records in an array of their final size (unless grow made
	// room for them).
	if cap(m.recs)-len(m.recs) < len(in) || cap(m.recs)-len(m.recs)-len(in) > len(m.recs)/8 {
		m.recs = append(make([]rec, 0, len(m.recs)+len(in)), m.recs...)
	}
	var probes []rec
	for i, g := range in {
		r := rec{idx: int32(i), kind: kindM2}
		if g.Valid && !g.Superseded {
			m.recs = append(m.recs, r)
		} else {
			r.probe = true
			probes = append(probes, r)
		}
	}
	m.nCur = len(m.recs)
	m.recs = append(m.recs, probes...)
	recs := m.recs[m.nM1:]
	b.foldNames(recs, func(r *rec) string { return regHeadName(in[r.idx]) })
	parallel(len(recs), m.opt.Workers, func(lo, hi int) {
		var buf []byte
		for i := lo; i < hi; i++ {
			r := &recs[i]
			g := in[r.idx]
			r.rel = schemas.ParseRelation(g.Relation)
			if r.rel == relUnknown || r.rel == relHead {
				// Trust "Chủ hộ" only when the names agree, and take
				// a missing relation as the head when they are equal.
				buf = vntext.AppendFold(buf[:0], g.RepName)
				switch {
				case r.rel == relUnknown && len(buf) > 0 && string(buf) == b.folded[i]:
					r.rel = relHead
				case r.rel == relHead && len(buf) > 0 && b.folded[i] != "" && !looseSame(splitWords(string(buf)), splitWords(b.folded[i])):
					r.rel = relOther
				}
			}
		}
	})
	for k := range recs {
		r := &recs[k]
		g := in[r.idx]
		r.personID = parseID(g.CitizenID)
		year := 0
		if r.rel == relHead {
			r.headID = r.personID
			year = g.BirthYear
		}
		b.intern(r, k, &g.Source, g.HouseholdCode, g.Hamlet, year)
	}
}

// nextWord splits the first space-separated word off s.
func nextWord(s string) (word, rest string) {
	s = strings.TrimLeft(s, " ")
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// headName is the name of the head of household record i names.
func (m *matcher) headName(i int32) string {
	r := &m.recs[i]
	if r.kind == kindM1 {
		return m.names.at(i)
	}
	return regHeadName(m.regs[r.idx])
}

// regHeadName is the name of the head of household a registration names.
func regHeadName(g *record.Registration) string {
	if strings.TrimSpace(g.HeadName) == "" && schemas.ParseRelation(g.Relation) == relHead {
		return g.RepName
	}
	return g.HeadName
}

// personName is the name of the person record i's citizen ID belongs to.
func (m *matcher) personName(i int32) string {
	r := &m.recs[i]
	if r.kind == kindM1 {
		return m.names.at(i)
	}
	return m.regs[r.idx].RepName
}

// source returns the location of record i.
func (m *matcher) source(i int32) record.Source {
	r := &m.recs[i]
	if r.kind == kindM1 {
		s := m.srcs[r.src]
		if r.row >= 0 {
			s.Row = int(r.row)
		}
		return s
	}
	return m.regs[r.idx].Source
}

// role of the k-th of n words: the first is the family name, the last the
// given name, the others middle names.
func role(k, n int) int {
	switch {
	case k == n-1:
		return roleGiven
	case k == 0:
		return roleFamily
	}
	return roleMiddle
}

// count computes the token frequencies over the valid current rows.
func (m *matcher) count() {
	nf, nt := len(m.foldStr), len(m.toneStr)
	for ro := 0; ro < 3; ro++ {
		m.cntF[ro] = make([]int32, nf)
		m.cntT[ro] = make([]int32, nt)
	}
	m.countTokens(&m.cntF, &m.cntT, &m.nRole)
	m.rawRole = m.nRole
}

// countTokens adds the tokens of the valid current rows to cntF and cntT
// (by role, folded and toned) and each row's roles to nRole.
func (m *matcher) countTokens(cntF, cntT *[3][]int32, nRole *[3]float64) {
	for i := 0; i < m.nCur; i++ {
		r := &m.recs[i]
		n := int(r.nTok)
		for k := 0; k < n; k++ {
			ro := role(k, n)
			cntF[ro][m.fold[int(r.tokOff)+k]]++
			cntT[ro][m.tone[int(r.tokOff)+k]]++
			if k == 0 || k == n-1 {
				nRole[ro]++
			}
		}
		if n > 2 {
			nRole[roleMiddle]++
		}
	}
}

// countOf replaces the counts of count by those of the whole data in st,
// so that a part of the rows is weighed as the whole would be, and takes
// the priors of the tokens st knows from st (weigh sets the others; see
// Stats.priors).
func (m *matcher) countOf(st *Stats) {
	st.priors() // nothing to do, and no write, once done (ResolveParts does it first)
	m.priF, m.priKnownF = takeCounts(m.foldStr, st.p.internF, &m.cntF, &st.cntF, &st.priF)
	m.priT, m.priKnownT = takeCounts(m.toneStr, st.p.internT, &m.cntT, &st.cntT, &st.priT)
	m.nRole = st.nRole
}

// takeCounts sets cnt, the counts by role of the part's tokens strs, to
// those of the whole data (stCnt, by the IDs of the Stats' interner in),
// and returns their priors taken from stPri and which tokens the Stats
// know (the others keep a zero count and a zero prior, for weigh).
func takeCounts(strs []string, in *interner, cnt, stCnt *[3][]int32, stPri *[3][]float32) (pri [3][]float32, known []bool) {
	for ro := 0; ro < 3; ro++ {
		pri[ro] = make([]float32, len(strs))
	}
	known = make([]bool, len(strs))
	for id, s := range strs {
		g, ok := in.ids[s]
		ok = ok && int(g) < len(stCnt[0])
		known[id] = ok
		for ro := 0; ro < 3; ro++ {
			cnt[ro][id] = 0
			if ok {
				cnt[ro][id] = stCnt[ro][g]
				pri[ro][id] = stPri[ro][g]
			}
		}
	}
	return pri, known
}

// weigh sets the priors (those countOf did not take from the Stats) and
// the best role probability of every token from the counts.
func (m *matcher) weigh() {
	nf, nt := len(m.foldStr), len(m.toneStr)
	for ro := 0; ro < 3; ro++ {
		if len(m.priF[ro]) != nf {
			m.priF[ro] = make([]float32, nf)
		}
		if len(m.priT[ro]) != nt {
			m.priT[ro] = make([]float32, nt)
		}
	}
	for ro := 0; ro < 3; ro++ {
		if m.nRole[ro] < 1 {
			m.nRole[ro] = 1
		}
		for id, s := range m.foldStr {
			if m.priKnownF == nil || !m.priKnownF[id] {
				m.priF[ro][id] = float32(defaultPrior.folded[ro][s])
			}
		}
		for id, s := range m.toneStr {
			if m.priKnownT == nil || !m.priKnownT[id] {
				m.priT[ro][id] = float32(defaultPrior.toned[ro][s])
			}
		}
	}
	m.priKnownF, m.priKnownT = nil, nil
	m.anyF = make([]float32, nf)
	for id := range m.foldStr {
		best := 0.0
		for ro := 0; ro < 3; ro++ {
			best = math.Max(best, blend(m.cntF[ro][id], m.nRole[ro], m.priF[ro][id]))
		}
		m.anyF[id] = float32(best)
	}
}

// infoF is the information (bits) of folded token tok in role ro, leaving
// out s occurrences (the pair's own).
func (m *matcher) infoF(tok int32, ro int, s int32) float64 {
	return info(m.cntF[ro][tok]-s, m.nRole[ro], m.priF[ro][tok])
}

// infoT is infoF for a toned signature.
func (m *matcher) infoT(tok int32, ro int, s int32) float64 {
	return info(m.cntT[ro][tok]-s, m.nRole[ro], m.priT[ro][tok])
}

func info(c int32, n float64, prior float32) float64 {
	return -math.Log2(max(blend(c, n, prior), floorP))
}

// priorWeight is how many rows the prior of names.go is worth: a small
// dataset says little about how common a name is, a large one says more.
const priorWeight = 500

// blend estimates a token's probability from its count c among n names
// and its prior.
func blend(c int32, n float64, prior float32) float64 {
	return (float64(max(c, 0)) + priorWeight*float64(prior)) / (n + priorWeight)
}

// interner maps strings to dense IDs.
type interner struct {
	ids  map[string]int32
	strs []string
}

func newInterner() *interner { return &interner{ids: map[string]int32{}} }

// id is s's ID; a new s is copied (it may be part of a row's text that
// is not kept).
func (in *interner) id(s string) int32 {
	if v, ok := in.ids[s]; ok {
		return v
	}
	return in.idOwned(strings.Clone(s))
}

// idOwned is id for an s that is nobody else's (made for the call): it is
// kept as it is.
func (in *interner) idOwned(s string) int32 {
	if v, ok := in.ids[s]; ok {
		return v
	}
	v := int32(len(in.strs))
	in.ids[s] = v
	in.strs = append(in.strs, s)
	return v
}

// fit returns s, in an array of its own length when s leaves more than
// an eighth of its capacity unused (a slice grown by append).
func fit[T any](s []T) []T {
	if cap(s)-len(s) > len(s)/8 {
		return slices.Clone(s)
	}
	return s
}

// parallel runs fn over [0,n) split into contiguous chunks on up to workers
// goroutines.
func parallel(n, workers int, fn func(lo, hi int)) {
	parallelChunks(n, workers, 2048, func(_, lo, hi int) { fn(lo, hi) })
}

// foldParallel is the fewest names foldNames folds on several goroutines
// (a run gives the Stats a commune's roster, about a thousand rows, at a
// time).
const foldParallel = 256

// chunks is how parallelChunks cuts n items for workers, on one goroutine
// below least items: k chunks of size items (the last one shorter).
func chunks(n, workers, least int) (k, size int) {
	if workers < 1 {
		workers = 1
	}
	if n < least || workers == 1 {
		return 1, n
	}
	size = (n + workers*4 - 1) / (workers * 4)
	return (n + size - 1) / size, size
}

// parallelChunks runs fn over [0,n) split into the chunks of chunks (c is
// a chunk's number) on up to workers goroutines.
func parallelChunks(n, workers, least int, fn func(c, lo, hi int)) {
	k, size := chunks(n, workers, least)
	if k == 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, k)
	for c := 0; c < k; c++ {
		next <- c
	}
	close(next)
	for w := 0; w < min(workers, k); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				fn(c, c*size, min((c+1)*size, n))
			}
		}()
	}
	wg.Wait()
}
