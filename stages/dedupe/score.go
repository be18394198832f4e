package dedupe

import (
	"math"
	"slices"

	"doithoai/pipeline/record"
)

// Reasons a group was formed, as bits; reasonNames gives their names in the
// fixed order of match_reason.
const (
	rsCode uint8 = 1 << iota
	rsID
	rsName
	rsNameFuzzy
	rsSpouse
)

var reasonNames = [...]string{record.MatchHouseholdCode, record.MatchCitizenID, record.MatchName, record.MatchNameFuzzy, record.MatchSpouse}

// Weights in bits (log2 likelihood ratios) of the non-name evidence.
const (
	wYearSame    = 5.6 // same birth year of the head: about one in fifty by chance
	wYearNear    = -2  // one year apart (a typo, or a date read differently)
	wYearFar     = -8  // further apart: different people
	wCodeDiffers = -2  // both Mã hộ present but different in one commune
	wNoYear      = -2  // the heads' birth years cannot be compared: the name must say more
	wCodeAcross  = 3   // the same Mã hộ written by two communes
	wTypoBase    = -10 // a one-letter slip: log2 of its chance on one word
	wTwoNames    = -6  // ... when both words are real names (Hải/Khải, Hùng/Hưng): two people
	wReorder     = -2  // words in another order
	wDropped     = -1  // a middle name left out
	wNameCap     = 18  // the most a name can say
	scoreMid     = 7.0 // the weight whose score is one half (a hamlet's prior)
	ambiguityGap = 4.0 // a rival household within this many bits makes a match ambiguous
)

// weightToScore maps a weight (bits) to a score in (0,1).
func weightToScore(w float64) float64 {
	if math.IsInf(w, 1) {
		return 1
	}
	if math.IsInf(w, -1) {
		return 0
	}
	return 1 / (1 + math.Exp2(-(w - scoreMid)))
}

// scoreToWeight is the inverse of weightToScore.
func scoreToWeight(s float64) float64 {
	switch {
	case s <= 0:
		return math.Inf(-1)
	case s >= 1:
		return math.Inf(1)
	}
	return scoreMid + math.Log2(s/(1-s))
}

// tokens returns the folded and toned token IDs of a record's head name.
func (m *matcher) tokens(r *rec) (f, t []int32) {
	lo, hi := int(r.tokOff), int(r.tokOff)+int(r.nTok)
	return m.fold[lo:hi], m.tone[lo:hi]
}

// compareNames weighs the agreement of two heads' names. It returns the
// weight in bits, whether the agreement is fuzzy (a typo, a tone slip,
// reordered words, a dropped middle name) and false when the names do not
// agree at all. Rare words weigh more than common ones (Nguyễn, Văn, Thị);
// a one-letter difference weighs by how rare the odd word is, since a typo
// makes a word nobody else has while two real names are both common.
func (m *matcher) compareNames(a, b *rec) (w float64, fuzzy, ok bool) {
	fa, ta := m.tokens(a)
	fb, tb := m.tokens(b)
	na, nb := len(fa), len(fb)
	if na == 0 || nb == 0 {
		return 0, false, false
	}
	tonesKnown := !a.ascii && !b.ascii
	if na == nb {
		if w, typos, ok := m.alignSame(fa, fb, ta, tb, tonesKnown); ok {
			return math.Min(w, wNameCap), typos > 0, true
		}
		if na >= 2 && sameMultiset(fa, fb) {
			for _, t := range fa {
				p := math.Max(float64(m.anyF[t]), floorP)
				w -= math.Log2(p)
			}
			return math.Min(w+wReorder, wNameCap), true, true
		}
		return 0, false, false
	}
	// One name lacks middle words of the other.
	fs, ts, fl, tl := fa, ta, fb, tb
	if na > nb {
		fs, ts, fl, tl = fb, tb, fa, ta
	}
	ns, nl := len(fs), len(fl)
	if ns < 2 || nl-ns > 2 || fs[0] != fl[0] || fs[ns-1] != fl[nl-1] {
		return 0, false, false
	}
	// Align the short name's middle words as a subsequence of the long one's.
	j := 1
	typos := 0
	for k := 0; k < ns; k++ {
		var pos int
		switch {
		case k == 0:
			pos = 0
		case k == ns-1:
			pos = nl - 1
		default:
			for j < nl-1 && fl[j] != fs[k] {
				j++
			}
			if j >= nl-1 {
				return 0, false, false
			}
			pos = j
			j++
		}
		ro := role(k, ns)
		if tonesKnown && ts[k] != tl[pos] {
			typos++
			w += m.typoT(ts[k], tl[pos], ro)
			continue
		}
		if tonesKnown {
			w += m.infoT(ts[k], ro, 2)
		} else {
			w += m.infoF(fs[k], ro, 2)
		}
	}
	if typos > 1 {
		return 0, false, false
	}
	return math.Min(w+wDropped, wNameCap), true, true
}

// alignSame compares names of the same length word by word, allowing one
// word to differ by one letter or one tone mark.
func (m *matcher) alignSame(fa, fb, ta, tb []int32, tonesKnown bool) (w float64, typos int, ok bool) {
	n := len(fa)
	for k := 0; k < n; k++ {
		ro := role(k, n)
		switch {
		case fa[k] == fb[k] && (!tonesKnown || ta[k] == tb[k]):
			if tonesKnown {
				w += m.infoT(ta[k], ro, 2)
			} else {
				w += m.infoF(fa[k], ro, 2)
			}
		case fa[k] == fb[k]: // same letters, another tone or vowel shape
			typos++
			w += m.typoT(ta[k], tb[k], ro)
		case damerau1(m.foldStr[fa[k]], m.foldStr[fb[k]]):
			typos++
			w += m.typoF(fa[k], fb[k], ro)
		default:
			return 0, 0, false
		}
		if typos > 1 {
			return 0, 0, false
		}
	}
	return w, typos, true
}

// typoF weighs two folded words one letter apart in role ro. A slip of
// the keyboard makes a word nobody else has, so the rarer of the two words
// gives the weight; when both are words people are really named, the two
// are different names.
func (m *matcher) typoF(a, b int32, ro int) float64 {
	w := wTypoBase + math.Max(m.infoF(a, ro, 1), m.infoF(b, ro, 1))
	if m.knownF(a, ro) && m.knownF(b, ro) {
		w += wTwoNames
	}
	return w
}

// typoT is typoF for two toned words with the same letters (a tone or
// vowel-shape slip).
func (m *matcher) typoT(a, b int32, ro int) float64 {
	w := wTypoBase + math.Max(m.infoT(a, ro, 1), m.infoT(b, ro, 1))
	if m.knownT(a, ro) && m.knownT(b, ro) {
		w += wTwoNames
	}
	return w
}

// knownF reports whether a folded word is a name people have: in the
// prior, or seen in more rows than typos of a common name would make.
func (m *matcher) knownF(t int32, ro int) bool {
	return m.priF[ro][t] > 0 || float64(m.cntF[ro][t]-1) >= m.knownMin(ro)
}

// knownT is knownF for a toned word.
func (m *matcher) knownT(t int32, ro int) bool {
	return m.priT[ro][t] > 0 || float64(m.cntT[ro][t]-1) >= m.knownMin(ro)
}

func (m *matcher) knownMin(ro int) float64 { return max(2, m.nRole[ro]*5e-6) }

// sameMultiset reports whether a and b hold the same tokens in any order.
func sameMultiset(a, b []int32) bool {
	if len(a) != len(b) || len(a) > maxTokens {
		return false
	}
	var x, y [maxTokens]int32
	copy(x[:], a)
	copy(y[:], b)
	slices.Sort(x[:len(a)])
	slices.Sort(y[:len(b)])
	return x == y
}

// scorePair weighs the evidence that two records are one household, from
// the head's name, birth year, hamlet and Mã hộ. It returns false when the
// pair cannot be one household (different heads' citizen IDs, names that do
// not agree, different hamlets of a commune, or two communes without a
// shared Mã hộ).
func (m *matcher) scorePair(a, b *rec) (w float64, reasons uint8, ok bool) {
	if a.headID != 0 && b.headID != 0 && a.headID != b.headID {
		return 0, 0, false
	}
	wn, fuzzy, ok := m.compareNames(a, b)
	if !ok {
		return 0, 0, false
	}
	w = wn
	if a.year != 0 && b.year != 0 {
		switch d := a.year - b.year; {
		case d == 0:
			w += wYearSame
		case d == 1 || d == -1:
			w += wYearNear
		default:
			w += wYearFar
		}
	} else {
		w += wNoYear
	}
	if a.commune == b.commune {
		if a.hamlet < 0 || a.hamlet != b.hamlet {
			return 0, 0, false
		}
		if a.code >= 0 && b.code >= 0 && a.code != b.code {
			w += wCodeDiffers
		}
	} else {
		if a.code < 0 || a.code != b.code {
			return 0, 0, false
		}
		w += wCodeAcross
		reasons |= rsCode
	}
	if fuzzy {
		reasons |= rsNameFuzzy
	} else {
		reasons |= rsName
	}
	return w, reasons, true
}

// looseSame reports whether two folded names may belong to one person or
// household although a key (Mã hộ, citizen ID) says so: the same given name
// (middle names vary), the given name one letter off with the same family
// name, or the same words in another order. An empty name says nothing.
func looseSame(a, b []string) bool {
	na, nb := len(a), len(b)
	if na == 0 || nb == 0 {
		return true
	}
	if a[na-1] == b[nb-1] {
		return true
	}
	if a[0] == b[0] && damerau1(a[na-1], b[nb-1]) {
		return true
	}
	if na == nb && na >= 2 {
		x := slices.Clone(a)
		y := slices.Clone(b)
		slices.Sort(x)
		slices.Sort(y)
		return slices.Equal(x, y)
	}
	return false
}
