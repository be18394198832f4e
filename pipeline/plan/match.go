package plan

import (
	"regexp"
	"strings"

	"doithoai/pipeline/vntext"
)

// Matcher finds communes and hamlets of the plan by name as people write
// them (SPEC §2): case, diacritics, spacing, Unicode form and the words
// xã / thị trấn / ấp / khóm are ignored where that is unambiguous.
type Matcher struct {
	communeByKey map[string][]*Commune
	hamlets      map[string]*hamletIndex
}

type hamletIndex struct {
	exact    map[string]string   // folded full name -> plan name
	stripped map[string][]string // folded name without ấp/khóm -> plan names
	numbered map[string][]string // stripped, number words as digits -> plan names
	compact  map[string][]string // compactKey of the full and stripped names -> plan names
}

// words that introduce a commune name in folders and header blocks.
var communePrefixes = []string{
	"uy ban nhan dan", "ubnd", "dang uy", "hdnd",
	"thi tran", "tt", "xa", "phuong", "p", "x",
}

var hamletPrefixes = []string{"ap", "khom", "to dan pho", "khu pho", "thon", "so"}

func newMatcher(p *Plan) *Matcher {
	m := &Matcher{communeByKey: map[string][]*Commune{}, hamlets: map[string]*hamletIndex{}}
	for _, c := range p.Communes() {
		keys := map[string]bool{vntext.Fold(c.Code): true, communeKey(c.Name): true, communeKey(c.FullName()): true}
		for k := range keys {
			if k != "" {
				m.communeByKey[k] = append(m.communeByKey[k], c)
			}
		}
		hi := &hamletIndex{exact: map[string]string{}, stripped: map[string][]string{}, numbered: map[string][]string{}, compact: map[string][]string{}}
		for _, h := range c.Hamlets {
			hi.exact[vntext.Fold(h)] = h
			s := stripPrefixes(vntext.Fold(h), hamletPrefixes)
			hi.stripped[s] = append(hi.stripped[s], h)
			n := stripPrefixes(numberedKey(h), hamletPrefixes)
			hi.numbered[n] = append(hi.numbered[n], h)
			for _, k := range compactKeys(h) {
				if !containsString(hi.compact[k], h) {
					hi.compact[k] = append(hi.compact[k], h)
				}
			}
		}
		m.hamlets[c.Code] = hi
	}
	return m
}

// stripPrefixes removes leading prefix words (already folded) repeatedly.
func stripPrefixes(s string, prefixes []string) string {
	for changed := true; changed; {
		changed = false
		for _, p := range prefixes {
			if strings.HasPrefix(s, p+" ") {
				s = strings.TrimSpace(s[len(p)+1:])
				changed = true
			}
		}
	}
	return s
}

func communeKey(s string) string {
	return stripPrefixes(vntext.Fold(s), communePrefixes)
}

// numberWords are the numerals people write for a hamlet's number ("ấp
// Một" for "Ấp 1"), compared with their tone marks so that "Nam" (south)
// or "Ba" in a name is not taken for a number unless spelt as one. The
// toneless spellings kept here are not other common name words.
var numberWords = map[string]string{
	"một": "1", "hai": "2", "ba": "3", "bốn": "4", "tư": "4", "năm": "5",
	"sáu": "6", "bảy": "7", "bẩy": "7", "tám": "8", "chín": "9", "mười": "10",
	"mot": "1", "bon": "4", "bay": "7", "chin": "9", "muoi": "10",
}

// numberedKey is the folded hamlet name with a final number word or a
// number with leading zeros written as digits: "ấp Một", "Ấp 01" and
// "Ấp 1" all give "ap 1".
func numberedKey(s string) string {
	words := strings.Fields(vntext.FoldKeepTones(s))
	if n := len(words); n > 0 {
		last := words[n-1]
		if d, ok := numberWords[last]; ok {
			words[n-1] = d
		} else if t := strings.TrimLeft(last, "0"); t != last && t != "" && isDigits(t) {
			words[n-1] = t
		}
	}
	return vntext.Fold(strings.Join(words, " "))
}

// leadingZeros are the zeros that start a run of digits ("04" in "ấp 04A").
var leadingZeros = regexp.MustCompile(`(^|[^0-9])0+([0-9])`)

// compactKeys are the keys of the last-resort hamlet match: the folded
// name, with number words as digits, with and without its unit word, with
// its spaces removed and the leading zeros of its numbers dropped, so that
// "Ấp 4 A", "Ấp 04A", "Ấp 4-A" and "ap4a" all give "4a" or "ap4a" for the
// plan's "Ấp 4A", and "Ấp K 9" gives "k9" for "Ấp K9".
func compactKeys(s string) []string {
	n := numberedKey(s)
	var out []string
	for _, k := range []string{n, stripPrefixes(n, hamletPrefixes)} {
		k = strings.ReplaceAll(k, " ", "")
		k = leadingZeros.ReplaceAllString(k, "${1}${2}")
		if k != "" && !containsString(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// legacy returns text decoded from the TCVN3 or VNI fonts when it looks
// like such mojibake, and false when it does not.
func legacy(text string) (string, bool) {
	for i := 0; i < len(text); i++ {
		if text[i] >= 0x80 {
			if u, enc := vntext.ToUnicode(text); enc != vntext.Unicode {
				return u, true
			}
			return "", false
		}
	}
	return "", false
}

// Commune finds the commune a text names: its code ("29956"), its name in
// any spelling ("Thường Phước 1", "thuong phuoc 1", "XÃ THƯỜNG PHƯỚC 1",
// "UBND xã Thường Phước 1", "X. Thường Phước 1", or typed in the TCVN3 or
// VNI fonts). It returns nil when no commune or more than one matches; a
// near miss ("Thường Thới Hậu B") never matches.
func (m *Matcher) Commune(text string) *Commune {
	if c := m.commune(text); c != nil {
		return c
	}
	if u, ok := legacy(text); ok {
		return m.commune(u)
	}
	return nil
}

func (m *Matcher) commune(text string) *Commune {
	k := communeKey(text)
	if k == "" {
		return nil
	}
	if cs := m.communeByKey[k]; len(cs) == 1 {
		return cs[0]
	}
	// Spaces typed or dropped inside the name ("ThuongPhuoc1").
	compact := strings.ReplaceAll(k, " ", "")
	var found *Commune
	for key, cs := range m.communeByKey {
		if strings.ReplaceAll(key, " ", "") == compact && len(cs) == 1 {
			if found != nil && found != cs[0] {
				return nil
			}
			found = cs[0]
		}
	}
	return found
}

// Hamlet finds the plan name of a hamlet of the commune from how it was
// written ("Ấp 3", "ap 3", "3", "ấp Ba", "Ấp 03", "Long Tả" for "Ấp Long
// Tả", or typed in the TCVN3 or VNI fonts). It reports false when the
// commune has no such hamlet or the text is ambiguous ("1" when the
// commune has both "Khóm 1" and "Ấp 1").
func (m *Matcher) Hamlet(communeCode, text string) (string, bool) {
	hi := m.hamlets[communeCode]
	if hi == nil {
		return "", false
	}
	if h, ok := hi.find(text); ok {
		return h, true
	}
	if u, ok := legacy(text); ok {
		return hi.find(u)
	}
	return "", false
}

func (hi *hamletIndex) find(text string) (string, bool) {
	f := vntext.Fold(text)
	if f == "" {
		return "", false
	}
	if h, ok := hi.exact[f]; ok {
		return h, true
	}
	nf := numberedKey(text)
	if h, ok := hi.exact[nf]; ok {
		return h, true // "khóm Một" is "Khóm 1" even beside an "Ấp 1"
	}
	s := stripPrefixes(f, hamletPrefixes)
	if hs, ok := hi.stripped[s]; ok {
		if len(hs) == 1 {
			return hs[0], true
		}
		return "", false // ambiguous: not resolved by spelling numbers
	}
	if hs := hi.numbered[stripPrefixes(nf, hamletPrefixes)]; len(hs) == 1 {
		return hs[0], true
	}
	// Spaces, hyphens or zeros typed inside the name ("Ấp 4 A", "Ấp 04A"
	// for "Ấp 4A"): with its unit word first, then without; only when
	// exactly one hamlet fits.
	for _, k := range compactKeys(text) {
		switch hs := hi.compact[k]; len(hs) {
		case 0:
			continue
		case 1:
			return hs[0], true
		default:
			return "", false
		}
	}
	return "", false
}
