package plan

import (
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
		hi := &hamletIndex{exact: map[string]string{}, stripped: map[string][]string{}}
		for _, h := range c.Hamlets {
			hi.exact[vntext.Fold(h)] = h
			s := stripPrefixes(vntext.Fold(h), hamletPrefixes)
			hi.stripped[s] = append(hi.stripped[s], h)
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

// Commune finds the commune a text names: its code ("29956"), its name in
// any spelling ("Thường Phước 1", "thuong phuoc 1", "XÃ THƯỜNG PHƯỚC 1",
// "UBND xã Thường Phước 1"). It returns nil when no commune or more than
// one matches; a near miss ("Thường Thới Hậu B") never matches.
func (m *Matcher) Commune(text string) *Commune {
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
// written ("Ấp 3", "ap 3", "3", "Long Tả" for "Ấp Long Tả"). It reports
// false when the commune has no such hamlet or the text is ambiguous
// ("1" when the commune has both "Khóm 1" and "Ấp 1").
func (m *Matcher) Hamlet(communeCode, text string) (string, bool) {
	hi := m.hamlets[communeCode]
	if hi == nil {
		return "", false
	}
	f := vntext.Fold(text)
	if f == "" {
		return "", false
	}
	if h, ok := hi.exact[f]; ok {
		return h, true
	}
	s := stripPrefixes(f, hamletPrefixes)
	if hs := hi.stripped[s]; len(hs) == 1 {
		return hs[0], true
	}
	return "", false
}
