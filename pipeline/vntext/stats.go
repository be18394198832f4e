package vntext

// ColumnStats gathers, one cell at a time, what DetectColumn and
// Contradicts decide of a region's cells, so that a column need not be
// held whole to decide its font: after Add of each cell (in any order),
// Detect is DetectColumn of the cells added and Contradicts(enc) is
// Contradicts of them. Merge adds the cells of another ColumnStats.
type ColumnStats struct {
	cells, nonASCII int
	pos, neg, gain  [3]int
	strong          [3]bool
	against         [3]bool // per encoding: Contradicts
}

// Add takes one more cell.
func (s *ColumnStats) Add(c string) {
	s.cells++
	a := analyze(c)
	if !a.nonASCII {
		return
	}
	s.nonASCII++
	for _, enc := range []Encoding{TCVN3, VNI} {
		if a.unicodeVN {
			s.neg[enc]++
			s.against[enc] = true
			continue
		}
		sc := a.score[enc]
		switch net := sc.gain - sc.loss; {
		case net > 0:
			s.pos[enc]++
		case net < 0:
			s.neg[enc]++
		}
		s.gain[enc] += sc.gain
		s.strong[enc] = s.strong[enc] || sc.strong
		if sc.gain < sc.loss {
			s.against[enc] = true
		}
	}
}

// Merge adds the cells o took.
func (s *ColumnStats) Merge(o *ColumnStats) {
	s.cells += o.cells
	s.nonASCII += o.nonASCII
	for i := range s.pos {
		s.pos[i] += o.pos[i]
		s.neg[i] += o.neg[i]
		s.gain[i] += o.gain[i]
		s.strong[i] = s.strong[i] || o.strong[i]
		s.against[i] = s.against[i] || o.against[i]
	}
}

// Cells is the number of cells added.
func (s *ColumnStats) Cells() int { return s.cells }

// Detect is DetectColumn of the cells added.
func (s *ColumnStats) Detect() Encoding {
	best := Unicode
	for _, enc := range []Encoding{TCVN3, VNI} {
		if s.pos[enc] == 0 || s.pos[enc] <= 2*s.neg[enc] || s.pos[enc]*4 < s.nonASCII {
			continue
		}
		if s.gain[enc] < 2 && !s.strong[enc] {
			continue
		}
		if best == Unicode || s.pos[enc] > s.pos[best] {
			best = enc
		}
	}
	return best
}

// Contradicts is Contradicts of the cells added.
func (s *ColumnStats) Contradicts(enc Encoding) bool {
	return enc != Unicode && s.against[enc]
}

// DecodeCell is DecodeCells of one cell: the cell decoded with enc,
// decided beforehand for its region.
func DecodeCell(c string, enc Encoding) string {
	if enc == Unicode || hasUnicodeOnlyVN(c) {
		return c
	}
	return Decode(c, enc)
}
