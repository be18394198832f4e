package read

import (
	"slices"
	"strings"
	"sync"

	"doithoai/pipeline/vntext"
	"doithoai/schemas"
	"doithoai/stages/read/grid"
)

// schemaIndex is a schema with its header spellings folded for lookup.
type schemaIndex struct {
	s        *schemas.Schema
	byKey    map[string][]string // folded variant -> field names
	required map[string]bool
	ignored  map[string]bool
	nReq     int
	titles   []string // folded x-titles
	mau      string   // folded x-mau ("mau m1")
	identify [][]string
}

var (
	indexOnce sync.Once
	indexes   []*schemaIndex
)

// schemaIndexes returns the folded index of every form schema.
func schemaIndexes() []*schemaIndex {
	indexOnce.Do(func() {
		for _, s := range schemaList() {
			ix := &schemaIndex{s: s, byKey: map[string][]string{}, required: map[string]bool{}, ignored: map[string]bool{}}
			for _, f := range s.Fields {
				for _, v := range append([]string{f.Title}, f.Variants...) {
					k := vntext.Fold(v)
					if k == "" || contains(ix.byKey[k], f.Name) {
						continue
					}
					ix.byKey[k] = append(ix.byKey[k], f.Name)
				}
				if f.Constraints.Required {
					ix.required[f.Name] = true
					ix.nReq++
				}
				if f.Ignored {
					ix.ignored[f.Name] = true
				}
			}
			for _, t := range append([]string{s.Title}, s.Titles...) {
				if k := vntext.Fold(t); k != "" {
					ix.titles = append(ix.titles, k)
				}
			}
			ix.mau = vntext.Fold(s.Mau)
			ix.identify = s.Identify
			indexes = append(indexes, ix)
		}
	})
	return indexes
}

// indexOf returns the index of a form, or nil.
func indexOf(form string) *schemaIndex {
	for _, ix := range schemaIndexes() {
		if ix.s.Name == form {
			return ix
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// label is the header text of one column: the texts of the header rows
// from top (parent) to bottom (child), blanks and repeats dropped.
type label struct {
	col   int
	texts []string
	// cands and folded are candidates() and their vntext.Fold, computed
	// once when the block is built (every form's match tries them).
	cands, folded []string
}

// newLabel is the label of column col with its candidates.
func newLabel(col int, texts []string) label {
	l, _ := newLabelIn(col, texts, nil)
	return l
}

// newLabelIn is newLabel with its candidates and their folds cut from
// room (4*len(texts) strings are enough); it returns what is left of it.
func newLabelIn(col int, texts, room []string) (label, []string) {
	if cap(room)-len(room) < 4*len(texts) {
		room = make([]string, 0, 4*len(texts))
	}
	l := label{col: col, texts: texts}
	from := len(room)
	room = l.appendCandidates(room)
	l.cands = room[from:len(room):len(room)]
	for _, c := range l.cands {
		room = append(room, foldLabel(c))
	}
	l.folded = room[from+len(l.cands) : len(room) : len(room)]
	return l, room
}

// candidates lists the spellings to try, most specific first: the whole
// "parent child" text, then shorter suffixes down to the child alone; each
// also without a trailing parenthesised note ("Năm sinh (yyyy)").
func (l label) candidates() []string { return l.appendCandidates(nil) }

// appendCandidates appends candidates() to out.
func (l label) appendCandidates(out []string) []string {
	for k := 0; k < len(l.texts); k++ {
		t := strings.Join(l.texts[k:], " ")
		out = append(out, t)
		if s := stripTrailingParen(t); s != t && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// display is the label as a person reads it: "Thông tin chủ hộ / Họ và tên".
func (l label) display() string { return strings.Join(l.texts, " / ") }

// stripTrailingParen drops up to three trailing parenthesised or
// bracketed notes ("Năm sinh (yyyy)", "Số CCCD [12 số] (*)") and then
// trailing ':' and '*'.
func stripTrailingParen(s string) string {
	for i := 0; i < 3; i++ {
		t := strings.TrimSpace(cutTrailingParen(s))
		if t == s {
			break
		}
		s = t
	}
	return strings.TrimSpace(strings.TrimRight(s, ":*"))
}

// cutTrailingParen removes what the regular expression
// `\s*[\(\[][^\(\)\[\]]*[\)\]]\s*$` matches (its \s being ASCII
// white space): a last bracketed group with no bracket inside, and the
// white space around it. It replaces that expression, whose backtracking
// was the read stage's hot spot.
func cutTrailingParen(s string) string {
	end := len(s)
	for end > 0 && isREspace(s[end-1]) {
		end--
	}
	if end == 0 || (s[end-1] != ')' && s[end-1] != ']') {
		return s
	}
	open := -1
	for i := end - 2; i >= 0; i-- {
		switch s[i] {
		case '(', '[':
			open = i
		case ')', ']':
			return s
		default:
			continue
		}
		break
	}
	if open < 0 {
		return s
	}
	for open > 0 && isREspace(s[open-1]) {
		open--
	}
	return s[:open]
}

// isREspace is the \s class of Go regular expressions: [\t\n\f\r ].
func isREspace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// block is a candidate header: one to three consecutive rows.
type block struct {
	rows   []int
	labels []label // non-empty columns, in column order
	// matches caches match(b, ix): the form and header searches of one
	// file read the same blocks against the same forms several times.
	matches map[*schemaIndex]*mapping
}

// block returns the block of the consecutive rows, built once per view.
func (v *sheetView) block(rows []int) *block {
	k := [2]int{rows[0], len(rows)}
	if b, ok := v.blocks[k]; ok {
		return b
	}
	b := buildBlock(v, rows)
	if v.blocks == nil {
		v.blocks = map[[2]int]*block{}
	}
	v.blocks[k] = b
	return b
}

// match is match(b, ix), computed once per block and form. Mappings are
// never changed once made, so the cached one is shared.
func (b *block) match(ix *schemaIndex) *mapping {
	if m, ok := b.matches[ix]; ok {
		return m
	}
	m := match(b, ix)
	if b.matches == nil {
		b.matches = map[*schemaIndex]*mapping{}
	}
	b.matches[ix] = m
	return m
}

// buildBlock collects the labels of the rows. A merged parent cell spans
// its columns; when the merge is missing, a parent text is carried right
// over empty cells that have a child text below them.
func buildBlock(v *sheetView, rows []int) *block {
	maxCol := 0
	for _, rn := range rows {
		if r := v.row(rn); r != nil {
			for _, c := range r.Cells {
				if c.Col <= maxHeaderCols && c.Col > maxCol {
					maxCol = c.Col
				}
			}
		}
	}
	first, last := rows[0], rows[len(rows)-1]
	for _, m := range v.s.Merges {
		if m.FromRow >= first && m.FromRow <= last && m.ToCol > maxCol {
			maxCol = min(m.ToCol, maxHeaderCols)
		}
	}
	if maxCol == 0 {
		return &block{rows: rows}
	}
	// The texts and merge marks of the rows, row i's column c at i*w+c.
	n, w := len(rows), maxCol+1
	t := make([]string, n*w)
	merged := make([]bool, n*w)
	for i, rn := range rows {
		for c := 1; c <= maxCol; c++ {
			t[i*w+c] = v.text(rn, c)
		}
	}
	for _, m := range v.s.Merges {
		if m.FromRow < first || m.FromRow > last || m.FromCol < 1 || m.FromCol > maxCol {
			continue
		}
		src := t[(m.FromRow-first)*w+m.FromCol]
		if src == "" {
			continue
		}
		for i, rn := range rows {
			if rn < m.FromRow || rn > m.ToRow {
				continue
			}
			for c := m.FromCol; c <= min(m.ToCol, maxCol); c++ {
				if rn == m.FromRow && c == m.FromCol {
					merged[i*w+c] = m.ToCol > m.FromCol || m.ToRow > m.FromRow
					continue
				}
				if t[i*w+c] == "" {
					t[i*w+c] = src
					merged[i*w+c] = true
				}
			}
		}
	}
	// Carry parents right where the file lost its merges.
	for i := 0; i < n-1; i++ {
		carry := ""
		for c := 1; c <= maxCol; c++ {
			switch {
			case merged[i*w+c]:
				carry = ""
			case t[i*w+c] != "":
				carry = t[i*w+c]
			case carry != "" && hasBelow(t, w, i, c):
				t[i*w+c] = carry
			default:
				carry = ""
			}
		}
	}
	// Each column's texts, top to bottom without repeats, end to end in
	// one slice (each label's full to its capacity).
	texts := make([]string, 0, n*maxCol)
	cols := 0
	for c := 1; c <= maxCol; c++ {
		from := len(texts)
		for i := 0; i < n; i++ {
			if s := t[i*w+c]; s != "" && (len(texts) == from || texts[len(texts)-1] != s) {
				texts = append(texts, s)
			}
		}
		if len(texts) > from {
			cols++
		}
	}
	b := &block{rows: rows, labels: make([]label, 0, cols)}
	room := make([]string, 0, 4*len(texts)) // the labels' candidates and folds
	at := 0
	for c := 1; c <= maxCol; c++ {
		from := at
		for i := 0; i < n; i++ {
			if s := t[i*w+c]; s != "" && (at == from || texts[at-1] != s) {
				at++
			}
		}
		if at > from {
			var l label
			l, room = newLabelIn(c, texts[from:at:at], room)
			b.labels = append(b.labels, l)
		}
	}
	return b
}

// hasBelow reports whether a row below row i of the block's texts t (w
// to a row) has a text in column c.
func hasBelow(t []string, w, i, c int) bool {
	for j := (i+1)*w + c; j < len(t); j += w {
		if t[j] != "" {
			return true
		}
	}
	return false
}

// mapping is a block read as one form's header.
type mapping struct {
	ix      *schemaIndex
	b       *block
	fields  map[int]string // column -> field
	headers map[int]string // column -> the header text that matched
	unknown []label        // non-empty labels that match no field
	score   int            // required fields count 2, others 1, ignored 0
	nonIgn  int            // distinct non-ignored fields found
	req     int            // required fields found
}

// match maps the block's labels to the schema's fields, left to right,
// each field at most once. A generic child ("Họ và tên") whose field is
// already taken is then read by its parent ("Chủ hộ" / "Họ và tên").
func match(b *block, ix *schemaIndex) *mapping {
	// Most blocks tried are no header at all: the maps are made on the
	// first field found, the unknown labels' room once.
	m := &mapping{ix: ix, b: b}
	var taken map[string]bool
	assign := func(l label, cands, folded []string) (found, matchedTaken bool) {
		for i, cand := range cands {
			for _, f := range ix.byKey[folded[i]] {
				if taken[f] {
					matchedTaken = true
					continue
				}
				if taken == nil {
					taken, m.fields, m.headers = map[string]bool{}, map[int]string{}, map[int]string{}
				}
				taken[f] = true
				m.fields[l.col] = f
				m.headers[l.col] = cand
				return true, matchedTaken
			}
		}
		return false, matchedTaken
	}
	var retry []label
	var unkBuf [32]int
	unk := unkBuf[:0] // positions in b.labels of the labels of no field
	for i, l := range b.labels {
		found, matchedTaken := assign(l, l.cands, l.folded)
		switch {
		case found:
		case matchedTaken && len(l.texts) > 1:
			retry = append(retry, l)
		default:
			unk = append(unk, i)
		}
	}
	switch {
	case len(unk) > 0 && len(unk) == len(b.labels):
		// No label is a field (most blocks tried): they are shared, full
		// to their capacity so that nothing appends into the block's.
		m.unknown = b.labels[:len(unk):len(unk)]
	case len(unk) > 0:
		m.unknown = make([]label, 0, len(unk)+len(retry))
		for _, i := range unk {
			m.unknown = append(m.unknown, b.labels[i])
		}
	}
	for _, l := range retry {
		var parents, folded []string
		for k := len(l.texts) - 1; k >= 1; k-- {
			p := strings.Join(l.texts[:k], " ")
			parents, folded = append(parents, p), append(folded, vntext.Fold(p))
		}
		if found, _ := assign(l, parents, folded); !found {
			m.unknown = append(m.unknown, l)
		}
	}
	if len(retry) > 0 {
		// A label's column is unique in its block.
		slices.SortFunc(m.unknown, func(a, b label) int { return a.col - b.col })
	}
	for f := range taken {
		switch {
		case ix.ignored[f]:
		case ix.required[f]:
			m.score += 2
			m.nonIgn++
			m.req++
		default:
			m.score++
			m.nonIgn++
		}
	}
	return m
}

// threshold is how strong a header must be to be believed.
type threshold struct{ fields, required int }

var (
	// strongHeader: the header alone identifies the form.
	strongHeader = threshold{fields: 3, required: 2}
	// weakHeader: enough when the title or "Mẫu" line names the form.
	weakHeader = threshold{fields: 2, required: 1}
)

func (m *mapping) passes(t threshold) bool {
	req := min(t.required, m.ix.nReq)
	return m.nonIgn >= t.fields && m.req >= req
}

// better reports whether a is a better reading than b.
func better(a, b *mapping) bool {
	if b == nil {
		return true
	}
	if a.score != b.score {
		return a.score > b.score
	}
	if len(a.unknown) != len(b.unknown) {
		return len(a.unknown) < len(b.unknown)
	}
	if len(a.b.rows) != len(b.b.rows) {
		return len(a.b.rows) < len(b.b.rows)
	}
	return a.b.rows[0] < b.b.rows[0]
}

// findHeader searches the top rows of the sheet for the best header of
// one of the forms that passes the threshold; nil when none does.
func findHeader(v *sheetView, ixs []*schemaIndex, t threshold) *mapping {
	return findHeaderOK(v, ixs, t, nil)
}

// findHeaderOK is findHeader keeping only the readings ok accepts (nil:
// all of them).
func findHeaderOK(v *sheetView, ixs []*schemaIndex, t threshold, ok func(*mapping) bool) *mapping {
	var best *mapping
	for si, start := range v.tops {
		if isNumberRow(v, start) {
			continue
		}
		rows := []int{start}
		for depth := 1; depth <= 3; depth++ {
			if depth > 1 {
				next := rows[len(rows)-1] + 1
				if si+depth-1 >= len(v.tops) || v.tops[si+depth-1] != next || isNumberRow(v, next) {
					break
				}
				rows = append(append([]int(nil), rows...), next)
			}
			b := v.block(rows)
			if len(b.labels) < 2 {
				continue
			}
			for _, ix := range ixs {
				m := b.match(ix)
				if m.passes(t) && (ok == nil || ok(m)) && better(m, best) {
					best = m
				}
			}
		}
	}
	return best
}

// numberCellExpr is the language of a column-number cell: "(1)", "1",
// "(3)=(1)+(2)", "A". numberCellToken matches it by hand (one call per
// cell of every data row: the expression cost a fifth of the table's
// time); the tests check both agree.
const numberCellExpr = `^[\(\[]?\s*(\d{1,3}|[A-Za-z])\s*[\)\]]?(\s*[=+\-*/x×]\s*[\(\[]?\s*\d{1,3}\s*[\)\]]?)*$`

// numberCellToken matches s against numberCellExpr: the first group (the
// column's number or letter) and whether s matches. The expression has
// one reading of any text it matches, so a scan from the left decides:
// the number is the longest run of digits (a fourth digit can be followed
// by nothing the expression allows), and an operator "x" can only come
// after the first token.
func numberCellToken(s string) (string, bool) {
	i := 0
	spaces := func() {
		for i < len(s) && reSpace(s[i]) {
			i++
		}
	}
	digits := func() bool {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > j && i-j <= 3
	}
	if i < len(s) && (s[i] == '(' || s[i] == '[') {
		i++
	}
	spaces()
	start := i
	switch {
	case i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z'):
		i++
	case !digits():
		return "", false
	}
	tok := s[start:i]
	for {
		// After a number: spaces or a closing bracket may end the text;
		// spaces after the bracket need an operator after them.
		spaces()
		if i < len(s) && (s[i] == ')' || s[i] == ']') {
			i++
			if i == len(s) {
				return tok, true
			}
			spaces()
		} else if i == len(s) {
			return tok, true
		}
		switch {
		case i < len(s) && strings.IndexByte("=+-*/x", s[i]) >= 0:
			i++
		case strings.HasPrefix(s[i:], "×"):
			i += len("×")
		default:
			return "", false
		}
		spaces()
		if i < len(s) && (s[i] == '(' || s[i] == '[') {
			i++
		}
		spaces()
		if !digits() {
			return "", false
		}
	}
}

// reSpace is the \s of Go's regular expressions.
func reSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// isNumberRow reports whether the row is a column-number row: at least
// three cells, each a number (or letter) in consecutive increasing order.
func isNumberRow(v *sheetView, num int) bool {
	return isNumberRowOf(v.row(num))
}

// isNumberRowOf is isNumberRow of the row itself (nil: no row).
func isNumberRowOf(r *grid.Row) bool {
	if r == nil {
		return false
	}
	var seq []int
	var letter []bool
	for _, c := range r.Cells {
		if c.Kind == grid.Empty {
			continue
		}
		s := strings.TrimSpace(c.Text)
		if s == "" {
			continue
		}
		tok, ok := numberCellToken(s)
		if !ok {
			return false
		}
		n, isLetter := 0, false
		if tok[0] >= '0' && tok[0] <= '9' {
			for _, d := range tok {
				n = n*10 + int(d-'0')
			}
		} else {
			n, isLetter = int(strings.ToUpper(tok)[0]-'A')+1, true
		}
		seq = append(seq, n)
		letter = append(letter, isLetter)
	}
	if len(seq) < 3 {
		return false
	}
	// Letters (A, B, ...) may come first, then numbers; each run counts up
	// by one.
	numbers := 0
	for i := range seq {
		if !letter[i] {
			numbers++
		}
		if i == 0 {
			continue
		}
		switch {
		case letter[i] && !letter[i-1]:
			return false
		case letter[i] == letter[i-1] && seq[i] != seq[i-1]+1:
			return false
		}
	}
	return numbers >= 2 || len(seq) >= 4
}
