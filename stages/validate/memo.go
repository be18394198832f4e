package validate

import (
	"strings"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
)

// maxMemo bounds the texts one memo keeps (per field and workbook): a
// roster repeats a few values (genders, ethnicities, classes, hamlets)
// thousands of times, and a file of all-different values stops adding
// once it has this many.
const maxMemo = 4096

// memos remember, for one workbook's rows, what the pure matchers gave
// for a text already seen: the enumerations (by field) and the hamlets
// of the workbook's commune (which is fixed for the workbook).
type memos struct {
	enums   [schemas.NumFields]*enumMatcher
	hamlets map[string]hamletHit
}

// hamletHit is one result of plan.Matcher.Hamlet.
type hamletHit struct {
	name string
	ok   bool
}

// hamlet is p.Matcher().Hamlet(commune, text), remembered. The commune
// must be the same on every call of one memos.
func (m *memos) hamlet(p *plan.Plan, commune, text string) (string, bool) {
	if h, ok := m.hamlets[text]; ok {
		return h.name, h.ok
	}
	name, ok := p.Matcher().Hamlet(commune, text)
	if m.hamlets == nil {
		m.hamlets = make(map[string]hamletHit)
	}
	if len(m.hamlets) < maxMemo {
		m.hamlets[text] = hamletHit{name, ok}
	}
	return name, ok
}

// enum returns the matcher of an enumerated field of the schema.
func (m *memos) enum(f *schemas.Field) *enumMatcher {
	if !f.ID.Valid() {
		return newEnumMatcher(f)
	}
	e := m.enums[f.ID]
	if e == nil || e.f != f {
		e = newEnumMatcher(f)
		m.enums[f.ID] = e
	}
	return e
}

// enumMatcher is MatchEnum for one field, its canonical values and
// variants folded once and its results remembered.
type enumMatcher struct {
	f    *schemas.Field
	keys []enumKey
	memo map[string]enumHit
}

// enumKey is a canonical value or one of its variants, folded.
type enumKey struct {
	canon, fold string
}

// enumHit is one result of MatchEnum.
type enumHit struct {
	canon string
	ok    bool
}

// newEnumMatcher prepares the keys of f in MatchEnum's order: each
// canonical value, then its variants.
func newEnumMatcher(f *schemas.Field) *enumMatcher {
	e := &enumMatcher{f: f, memo: make(map[string]enumHit)}
	for _, canon := range f.Constraints.Enum {
		e.keys = append(e.keys, enumKey{canon, vntext.Fold(canon)})
		for _, v := range f.EnumVariants[canon] {
			e.keys = append(e.keys, enumKey{canon, vntext.Fold(v)})
		}
	}
	return e
}

// match is MatchEnum(e.f, s).
func (e *enumMatcher) match(s string) (string, bool) {
	if len(e.f.Constraints.Enum) == 0 {
		return s, true
	}
	if h, ok := e.memo[s]; ok {
		return h.canon, h.ok
	}
	canon, ok := e.find(s)
	if len(e.memo) < maxMemo {
		e.memo[s] = enumHit{canon, ok}
	}
	return canon, ok
}

// find is MatchEnum's search over the prepared keys.
func (e *enumMatcher) find(s string) (string, bool) {
	k := vntext.Fold(s)
	if k == "" {
		return "", false
	}
	best, bestLen, ambiguous := "", 0, false
	for _, key := range e.keys {
		fv := key.fold
		if fv == "" {
			continue
		}
		if fv == k {
			return key.canon, true
		}
		if len(k) > len(fv) && k[len(fv)] == ' ' && strings.HasPrefix(k, fv) {
			switch {
			case len(fv) > bestLen:
				best, bestLen, ambiguous = key.canon, len(fv), false
			case len(fv) == bestLen && best != key.canon:
				ambiguous = true
			}
		}
	}
	if best != "" && !ambiguous {
		return best, true
	}
	return "", false
}
