package vntext

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Detection works word by word. A word counts for an encoding when
// decoding it turns a non-word into a well-formed Vietnamese syllable
// ("V¨n" -> "Văn", "Vaên" -> "Văn": a gain), and against it when decoding
// breaks a word that already was one ("Nuôi" -> "Nuụi": a loss). Words
// that are syllables either way ("Phó", "Hoàng") say nothing. A cell that
// holds any letter only Unicode can write (ă đ ơ ư ễ ..., or combining
// marks) is Unicode: legacy text never contains them.
//
// "Strong" signals are character patterns that ordinary Western text does
// not have (a TCVN3 symbol right after a letter, a Latin-1 capital right
// after a small letter, a VNI modifier pair such as "aø" or "AÙ"). One
// gained word is enough with a strong signal; otherwise two are needed, so
// a lone "Loïc" stays as it is.

// encScore is the evidence for one legacy encoding.
type encScore struct {
	gain, loss int
	strong     bool
}

// analysis is the evidence gathered from one cell.
type analysis struct {
	nonASCII  bool        // s has a non-ASCII character
	unicodeVN bool        // s has a letter only Unicode can write
	score     [3]encScore // indexed by Encoding (TCVN3, VNI)
}

// isUnicodeOnlyVN reports whether r is a Vietnamese letter or mark that no
// legacy encoding read as Latin-1/cp1252 produces.
func isUnicodeOnlyVN(r rune) bool {
	switch r {
	case 0x102, 0x103, 0x110, 0x111, 0x128, 0x129, 0x168, 0x169, 0x1a0, 0x1a1, 0x1af, 0x1b0:
		return true
	}
	return (r >= 0x1ea0 && r <= 0x1ef9) || (r >= 0x300 && r <= 0x36f)
}

// analyze gathers the detection evidence of s.
func analyze(s string) analysis {
	var a analysis
	i := 0
	for i < len(s) && s[i] < 0x80 {
		i++
	}
	if i == len(s) {
		return a
	}
	a.nonASCII = true
	hasCombining := false
	hasLegacy := false
	for _, r := range s[i:] {
		if r >= 0x300 && r <= 0x36f {
			hasCombining = true
			continue
		}
		if isUnicodeOnlyVN(r) {
			a.unicodeVN = true
			return a
		}
		if _, ok := legacyByte(r); ok {
			hasLegacy = true
		}
	}
	if hasCombining {
		// NFD text: real Unicode when composing gives Vietnamese letters,
		// otherwise look at the composed form.
		s = norm.NFC.String(s)
		for _, r := range s {
			if isUnicodeOnlyVN(r) {
				a.unicodeVN = true
				return a
			}
		}
	}
	if !hasLegacy {
		return a
	}
	// The runes of s and where each starts in s (offs[len(rs)] is len(s)),
	// so that a word is also a substring: the key of its cached score.
	var rstack [64]rune
	var ostack [65]int
	rs, offs := rstack[:0], ostack[:0]
	for i, r := range s {
		rs = append(rs, r)
		offs = append(offs, i)
	}
	offs = append(offs, len(s))
	for start := 0; start < len(rs); {
		if !isWordRune(rs[start]) {
			start++
			continue
		}
		end := start
		legacy := false
		for end < len(rs) && (isWordRune(rs[end]) || midWordCP1252(rs, end)) {
			if rs[end] >= 0x80 {
				legacy = true
			}
			end++
		}
		if legacy && end-start > 1 { // one-letter words are too weak a sign
			a.addWord(s[offs[start]:offs[end]], rs[start:end])
		}
		start = end
	}
	return a
}

// wordScores caches the evidence of words (scoreWord of a word alone, by
// its UTF-8 bytes): names and hamlets repeat a handful of syllables over
// thousands of cells, and scoring a word decodes it twice and checks three
// syllables. The cache stops growing at maxWordScores words; words longer
// than maxWordKey bytes are not kept.
var (
	wordScores    sync.Map // string -> [3]encScore
	wordScoresLen atomic.Int64
)

const (
	maxWordScores = 1 << 14
	maxWordKey    = 48
)

// addWord adds the evidence of the word w, whose UTF-8 text is key:
// exactly what a.scoreWord(w) adds, which depends on w alone.
func (a *analysis) addWord(key string, w []rune) {
	if len(key) > maxWordKey {
		a.scoreWord(w)
		return
	}
	var d [3]encScore
	if v, ok := wordScores.Load(key); ok {
		d = v.([3]encScore)
	} else {
		var one analysis
		one.scoreWord(w)
		d = one.score
		if wordScoresLen.Load() < maxWordScores {
			if _, loaded := wordScores.LoadOrStore(strings.Clone(key), d); !loaded {
				wordScoresLen.Add(1)
			}
		}
	}
	for enc := range d {
		sc := &a.score[enc]
		sc.gain += d[enc].gain
		sc.loss += d[enc].loss
		sc.strong = sc.strong || d[enc].strong
	}
}

// midWordCP1252 reports whether rs[i] is a cp1252 punctuation character
// between two word characters (a VN1 capital in TCVN3 text).
func midWordCP1252(rs []rune, i int) bool {
	if _, ok := cp1252[rs[i]]; !ok {
		return false
	}
	return i > 0 && i+1 < len(rs) && isWordRune(rs[i-1]) && isWordRune(rs[i+1])
}

// scoreWord adds the evidence of one word that has non-ASCII characters.
func (a *analysis) scoreWord(w []rune) {
	orig := string(w)
	origOK := validSyllable(orig)
	for _, enc := range []Encoding{TCVN3, VNI} {
		var dec []rune
		if enc == TCVN3 {
			dec = decodeTCVN3(w)
		} else {
			dec = decodeVNI(w)
		}
		ds := string(dec)
		sc := &a.score[enc]
		if enc == TCVN3 && strongTCVN3(w) || enc == VNI && strongVNI(w) {
			sc.strong = true
		}
		if ds == orig {
			continue
		}
		decOK := validSyllable(ds)
		switch {
		case decOK && !origOK:
			sc.gain++
			if enc == TCVN3 && hasForeignLatin1(w) {
				sc.strong = true
			}
		case origOK && !decOK:
			sc.loss++
		}
	}
}

// hasForeignLatin1 reports whether w has a Latin-1 letter that Vietnamese
// does not use (ï, ñ, ø, ü ...): a word with one that decodes from TCVN3
// into a Vietnamese syllable ("Hïng" -> "Hùng") is good evidence.
func hasForeignLatin1(w []rune) bool {
	for _, r := range w {
		if r < 0xc0 || r > 0xff {
			continue
		}
		if _, ok := vowelIndex[r]; !ok {
			return true
		}
	}
	return false
}

// isLowerLetter reports whether r is a lower-case letter.
func isLowerLetter(r rune) bool { return unicode.IsLower(r) }

// strongTCVN3 looks for patterns only TCVN3 text has: a VN3 letter that
// Latin-1 shows as a symbol (¨ ¸ µ ...) or soft hyphen right after a
// letter, a Latin-1 capital right after a small letter ("TrÇn", "NguyÔn"),
// or a C1 control inside a word.
func strongTCVN3(w []rune) bool {
	for i, r := range w {
		if i == 0 || r < 0x80 {
			continue
		}
		prev := w[i-1]
		switch {
		case r <= 0x9f:
			return true
		case r >= 0xa1 && r <= 0xbf:
			if isVN3Byte(byte(r)) && unicode.IsLetter(prev) {
				return true
			}
		case r >= 0xc0 && r <= 0xde && r != 0xd7:
			if isLowerLetter(prev) {
				return true
			}
		case r == 0xd7 || r == 0xf7:
			if unicode.IsLetter(prev) {
				return true
			}
		}
	}
	return false
}

// strongVNI looks for VNI modifier pairs that ordinary text does not have:
// a capital vowel followed by a capital modifier ("AÙ", "EÂ"), a small
// vowel followed by ø û õ (tones), ù after a e u y, â å ä ã (circumflex on
// a e o), á à after a e, ê é è ë ü (breve on a), "ươ" typed as "öô", or a word starting with ñ/Ñ + vowel.
func strongVNI(w []rune) bool {
	for i, r := range w {
		if r < 0xc0 || r > 0xff {
			continue
		}
		if i == 0 {
			if (r == 0xd1 || r == 0xf1) && len(w) > 1 && isASCIIVowel(w[1]) {
				return true
			}
			continue
		}
		prev := w[i-1]
		upperPrev := prev == 'A' || prev == 'E' || prev == 'O' || prev == 'U' || prev == 'Y' || prev == 0xd4 || prev == 0xd6
		lowerPrev := prev == 'a' || prev == 'e' || prev == 'o' || prev == 'u' || prev == 'y' || prev == 0xf4 || prev == 0xf6
		aeo := prev == 'a' || prev == 'e' || prev == 'o'
		switch {
		case upperPrev && r < 0xe0:
			if m, ok := vniMods[byte(r)]; ok && (m.shape != shapeCirc || prev == 'A' || prev == 'E' || prev == 'O') &&
				(m.shape != shapeBreve || prev == 'A') {
				return true
			}
			if prev == 0xd6 && r == 0xd4 {
				return true
			}
		case lowerPrev && (r == 0xf8 || r == 0xfb || r == 0xf5):
			return true
		case r == 0xf9 && (prev == 'a' || prev == 'e' || prev == 'u' || prev == 'y'):
			return true // ù: not after o ("où") nor i ("più")
		case (prev == 'a' || prev == 'e') && (r == 0xe1 || r == 0xe0):
			return true // á à: not after o ("hoá", "hoà")
		case aeo && (r == 0xe2 || r == 0xe5 || r == 0xe4 || (r == 0xe3 && prev != 'o')):
			return true
		case prev == 'a' && (r == 0xea || r == 0xe9 || r == 0xe8 || r == 0xeb || r == 0xfc):
			return true
		case prev == 0xf6 && r == 0xf4:
			return true
		}
	}
	return false
}

// isASCIIVowel reports whether r is an ASCII vowel letter.
func isASCIIVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'A', 'E', 'I', 'O', 'U', 'Y':
		return true
	}
	return false
}

// decide picks the encoding the evidence of one cell points to.
func (a *analysis) decide() Encoding {
	if !a.nonASCII || a.unicodeVN {
		return Unicode
	}
	best, bestNet, bestStrong := Unicode, 0, false
	for _, enc := range []Encoding{TCVN3, VNI} {
		sc := a.score[enc]
		net := sc.gain - sc.loss
		if net < 1 || (sc.gain < 2 && !sc.strong) {
			continue
		}
		if net > bestNet || (net == bestNet && sc.strong && !bestStrong) {
			best, bestNet, bestStrong = enc, net, sc.strong
		} else if net == bestNet && sc.strong == bestStrong {
			best = Unicode // a tie between the two: no decision
		}
	}
	return best
}

// Detect guesses whether s is TCVN3 or VNI mojibake rather than real text.
// It returns Unicode for genuine Vietnamese Unicode (NFC or NFD), plain
// ASCII, ordinary Western text ("Café", "Müller", "naïve") and for cells
// without enough evidence; use DetectColumn to pool the evidence of many
// cells.
func Detect(s string) Encoding {
	a := analyze(s)
	return a.decide()
}

// DetectColumn decides for the cells of one column together: it returns a
// legacy encoding when the cells that carry evidence mostly look
// legacy-encoded in it (more than twice as many as those that look
// Unicode, at least a quarter of the non-ASCII cells, and two gained words
// or one strong pattern in all), Unicode otherwise.
func DetectColumn(cells []string) Encoding {
	var pos, neg [3]int
	var gain [3]int
	var strong [3]bool
	nonASCII := 0
	for _, c := range cells {
		a := analyze(c)
		if !a.nonASCII {
			continue
		}
		nonASCII++
		for _, enc := range []Encoding{TCVN3, VNI} {
			if a.unicodeVN {
				neg[enc]++
				continue
			}
			sc := a.score[enc]
			switch net := sc.gain - sc.loss; {
			case net > 0:
				pos[enc]++
			case net < 0:
				neg[enc]++
			}
			gain[enc] += sc.gain
			strong[enc] = strong[enc] || sc.strong
		}
	}
	best := Unicode
	for _, enc := range []Encoding{TCVN3, VNI} {
		if pos[enc] == 0 || pos[enc] <= 2*neg[enc] || pos[enc]*4 < nonASCII {
			continue
		}
		if gain[enc] < 2 && !strong[enc] {
			continue
		}
		if best == Unicode || pos[enc] > pos[best] {
			best = enc
		}
	}
	return best
}

// ToUnicode detects the encoding of s (per cell) and decodes it; it
// reports the encoding found. Unicode text is returned unchanged.
func ToUnicode(s string) (string, Encoding) {
	enc := Detect(s)
	if enc == Unicode {
		return s, Unicode
	}
	return Decode(s, enc), enc
}

// ColumnToUnicode decodes the cells of one column with the encoding
// DetectColumn finds for them, leaving alone cells that hold letters only
// Unicode can write. It returns a new slice and the encoding.
func ColumnToUnicode(cells []string) ([]string, Encoding) {
	enc := DetectColumn(cells)
	return DecodeCells(cells, enc), enc
}

// hasUnicodeOnlyVN reports whether s holds a letter only Unicode can write.
func hasUnicodeOnlyVN(s string) bool {
	for _, r := range s {
		if isUnicodeOnlyVN(r) {
			return true
		}
	}
	return false
}

// Contradicts reports whether some of the cells is evidence against enc:
// a cell holding a letter only Unicode can write, or one that decoding
// with enc makes worse (a Vietnamese word turned into a non-word). A
// region (a sheet, a table) found to be in enc lends enc to its columns
// that carry no evidence of their own only when they do not contradict it.
func Contradicts(cells []string, enc Encoding) bool {
	if enc == Unicode {
		return false
	}
	for _, c := range cells {
		a := analyze(c)
		if !a.nonASCII {
			continue
		}
		if a.unicodeVN {
			return true
		}
		if sc := a.score[enc]; sc.gain < sc.loss {
			return true
		}
	}
	return false
}

// DecodeCells decodes every cell with enc, decided beforehand for the
// whole region (a sheet or a column): short cells that carry no evidence
// on their own ("Êp 3", "N÷") are converted like the rest. Cells holding
// letters only Unicode can write are left as they are; Unicode returns a
// copy unchanged.
func DecodeCells(cells []string, enc Encoding) []string {
	out := make([]string, len(cells))
	copy(out, cells)
	if enc == Unicode {
		return out
	}
	for i, c := range out {
		if hasUnicodeOnlyVN(c) {
			continue
		}
		out[i] = Decode(c, enc)
	}
	return out
}
