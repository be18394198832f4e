package dedupe

import (
	"math"
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
	idx      int32            // index in in.Households (M1) or in.Registrations (M2)
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
	headID   uint64           // the head's citizen ID (M1; M2 when the representative is the head)
	personID uint64           // the row's person's citizen ID (M1: head; M2: representative)
}

// matcher holds the prepared records and the statistics that weigh them.
type matcher struct {
	in   Input
	opt  Options
	recs []rec
	nCur int // recs[:nCur] are valid current rows; the rest are probes

	fold    []int32 // folded token IDs of all names, by rec.tokOff
	tone    []int32 // toned-signature IDs, parallel to fold
	foldStr []string
	toneStr []string

	communes []string
	codes    []string

	// token frequencies by role over the valid current rows, with the
	// prior of names.go; infoF/infoT read them.
	cntF, cntT [3][]int32
	priF, priT [3][]float32
	anyF       []float32 // the largest role probability of a folded token (for reordered names)
	nRole      [3]float64
	rawRole    [3]float64 // nRole as counted, before weigh's floor of 1

	wAuto, wBorder float64
	sortBuf        []uint64 // scratch space of radixSort
}

// floorP is the smallest probability a name token is given: a token seen
// nowhere else is about one in twenty thousand.
const floorP = 5e-5

// prepare builds the compact records, interns tokens and counts them.
func prepare(in Input, opt Options) *matcher {
	m := &matcher{in: in, opt: opt}
	m.wAuto = scoreToWeight(opt.AutoMergeScore)
	m.wBorder = scoreToWeight(opt.BorderlineScore)

	// Which rows take part, current ones first.
	m.recs = make([]rec, 0, len(in.Households)+len(in.Registrations))
	var probes []rec
	for i := range in.Households {
		h := &in.Households[i]
		if h.Valid && !h.Superseded {
			m.recs = append(m.recs, rec{idx: int32(i), kind: kindM1, rel: relHead})
		}
	}
	for i := range in.Registrations {
		g := &in.Registrations[i]
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

	// Fold names in parallel; everything else is cheap.
	n := len(m.recs)
	folded := make([]string, n)
	toned := make([]string, n)
	parallel(n, opt.Workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := &m.recs[i]
			name := m.headName(r)
			folded[i] = vntext.Fold(name)
			toned[i] = vntext.FoldKeepTones(name)
			r.ascii = isASCII(toned[i])
			if r.kind == kindM2 {
				g := &in.Registrations[r.idx]
				r.rel = schemas.ParseRelation(g.Relation)
				if r.rel == relUnknown || r.rel == relHead {
					// Trust "Chủ hộ" only when the names agree, and take
					// a missing relation as the head when they are equal.
					rep := vntext.Fold(g.RepName)
					switch {
					case r.rel == relUnknown && rep != "" && rep == folded[i]:
						r.rel = relHead
					case r.rel == relHead && rep != "" && folded[i] != "" && !looseSame(splitWords(rep), splitWords(folded[i])):
						r.rel = relOther
					}
				}
			}
		}
	})

	m.fold = make([]int32, 0, 4*n)
	m.tone = make([]int32, 0, 4*n)
	internC := newInterner()
	internCode := newInterner()
	internHamlet := newInterner()
	internSub := newInterner()
	internF := newInterner()
	internT := newInterner()
	rawTone := newInterner() // toned token -> ID, then -> signature ID
	var rawToSig []int32
	type hamletKey struct{ commune, hamlet string }
	hamletCache := map[hamletKey]int32{}
	for i := range m.recs {
		r := &m.recs[i]
		var src *record.Source
		var code, hamlet, id string
		var year int
		if r.kind == kindM1 {
			h := &in.Households[r.idx]
			src, code, hamlet, id, year = &h.Source, h.HouseholdCode, h.Hamlet, h.CitizenID, h.BirthYear
			r.headID = parseID(id)
			r.personID = r.headID
		} else {
			g := &in.Registrations[r.idx]
			src, code, hamlet, id = &g.Source, g.HouseholdCode, g.Hamlet, g.CitizenID
			r.personID = parseID(id)
			if r.rel == relHead {
				r.headID = r.personID
				year = g.BirthYear
			}
		}
		if year > 0 && year < 1<<15 {
			r.year = int16(year)
		}
		r.commune = internC.id(src.CommuneCode)
		r.sub = internSub.id(src.SubmissionID)
		r.code = -1
		if c := normCode(code); c != "" {
			r.code = internCode.id(c)
		}
		hk := hamletKey{src.CommuneCode, hamlet}
		hid, ok := hamletCache[hk]
		if !ok {
			hid = -1
			if fh := vntext.Fold(hamlet); fh != "" {
				hid = internHamlet.id(src.CommuneCode + "\x00" + fh)
			}
			hamletCache[hk] = hid
		}
		r.hamlet = hid
		r.tokOff = int32(len(m.fold))
		fi, ti := folded[i], toned[i]
		for k := 0; k < maxTokens; k++ {
			f, restF := nextWord(fi)
			t, restT := nextWord(ti)
			if f == "" {
				break
			}
			fi, ti = restF, restT
			m.fold = append(m.fold, internF.id(f))
			raw := rawTone.id(t)
			if int(raw) == len(rawToSig) {
				rawToSig = append(rawToSig, internT.id(toneSig(t)))
			}
			m.tone = append(m.tone, rawToSig[raw])
			r.nTok++
		}
	}
	m.communes = internC.strs
	m.codes = internCode.strs
	m.foldStr = internF.strs
	m.toneStr = internT.strs
	m.count()
	if in.Stats != nil {
		m.countOf(in.Stats)
	}
	m.weigh()
	return m
}

// nextWord splits the first space-separated word off s.
func nextWord(s string) (word, rest string) {
	s = strings.TrimLeft(s, " ")
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// headName is the name of the head of household a row names.
func (m *matcher) headName(r *rec) string {
	if r.kind == kindM1 {
		return m.in.Households[r.idx].HeadName
	}
	g := &m.in.Registrations[r.idx]
	if strings.TrimSpace(g.HeadName) == "" && schemas.ParseRelation(g.Relation) == relHead {
		return g.RepName
	}
	return g.HeadName
}

// personName is the name of the person a row's citizen ID belongs to.
func (m *matcher) personName(r *rec) string {
	if r.kind == kindM1 {
		return m.in.Households[r.idx].HeadName
	}
	return m.in.Registrations[r.idx].RepName
}

// source returns the location of a record.
func (m *matcher) source(r *rec) *record.Source {
	if r.kind == kindM1 {
		return &m.in.Households[r.idx].Source
	}
	return &m.in.Registrations[r.idx].Source
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
	for i := 0; i < m.nCur; i++ {
		r := &m.recs[i]
		n := int(r.nTok)
		for k := 0; k < n; k++ {
			ro := role(k, n)
			m.cntF[ro][m.fold[int(r.tokOff)+k]]++
			m.cntT[ro][m.tone[int(r.tokOff)+k]]++
			if k == 0 || k == n-1 {
				m.nRole[ro]++
			}
		}
		if n > 2 {
			m.nRole[roleMiddle]++
		}
	}
	m.rawRole = m.nRole
}

// countOf replaces the counts of count by those of the whole data in st,
// so that a part of the rows is weighed as the whole would be.
func (m *matcher) countOf(st *Stats) {
	for ro := 0; ro < 3; ro++ {
		for id, s := range m.foldStr {
			m.cntF[ro][id] = st.fold[ro][s]
		}
		for id, s := range m.toneStr {
			m.cntT[ro][id] = st.tone[ro][s]
		}
		m.nRole[ro] = st.nRole[ro]
	}
}

// weigh sets the priors and the best role probability of every token from
// the counts.
func (m *matcher) weigh() {
	nf, nt := len(m.foldStr), len(m.toneStr)
	for ro := 0; ro < 3; ro++ {
		m.priF[ro] = make([]float32, nf)
		m.priT[ro] = make([]float32, nt)
	}
	for ro := 0; ro < 3; ro++ {
		if m.nRole[ro] < 1 {
			m.nRole[ro] = 1
		}
		for id, s := range m.foldStr {
			m.priF[ro][id] = float32(defaultPrior.folded[ro][s])
		}
		for id, s := range m.toneStr {
			m.priT[ro][id] = float32(defaultPrior.toned[ro][s])
		}
	}
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

func (in *interner) id(s string) int32 {
	if v, ok := in.ids[s]; ok {
		return v
	}
	v := int32(len(in.strs))
	in.ids[s] = v
	in.strs = append(in.strs, s)
	return v
}

// parallel runs fn over [0,n) split into contiguous chunks on up to workers
// goroutines.
func parallel(n, workers int, fn func(lo, hi int)) {
	if workers < 1 {
		workers = 1
	}
	if n < 2048 || workers == 1 {
		fn(0, n)
		return
	}
	chunk := (n + workers*4 - 1) / (workers * 4)
	var wg sync.WaitGroup
	next := make(chan int, workers*4)
	for lo := 0; lo < n; lo += chunk {
		next <- lo
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				fn(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}
