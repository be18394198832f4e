package xlsx

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"doithoai/stages/read/grid"
)

// sharedTable is the shared string table held compactly: every string in
// one text, ends[i] the end of string i, so that a table of millions of
// tiny strings costs four bytes each, not a string header and an
// allocation.
type sharedTable struct {
	text string
	ends []uint32
}

// len is the number of strings.
func (t sharedTable) len() int { return len(t.ends) }

// at is string i (0 <= i < len).
func (t sharedTable) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.text[start:t.ends[i]]
}

// readSharedStrings returns the shared string table: each <si> is the
// concatenation of its <t> runs (rich text included, phonetic <rPh> runs
// left out). A missing part gives an empty table. Each string is checked
// against MaxCellBytes and the table's bytes are charged to bud.
func (p *opcPackage) readSharedStrings(part string, bud *grid.Budget) (sharedTable, error) {
	if part == "" {
		return sharedTable{}, nil
	}
	var t sharedTable
	err := p.readPart(part, bud, func() { t = sharedTable{} }, func(ev events) (err error) {
		t, err = p.readSST(part, ev, bud)
		return err
	})
	if err != nil {
		return sharedTable{}, err
	}
	return t, nil
}

// readSST reads the shared strings from the part's events.
func (p *opcPackage) readSST(part string, ev events, bud *grid.Budget) (sharedTable, error) {
	var (
		all          strings.Builder // grown once: no copies of a big table
		ends         []uint32
		buf          bytes.Buffer // the current item, reused
		over         bool         // the current item passed maxItemBytes
		inSI, inT    bool
		rph          int
		maxItems     = p.lim.MaxCells
		maxItemBytes = textCap(p.lim)
	)
	if zf := p.parts[partKey(part)]; zf != nil {
		// The text is never longer than the part, whose size open checked.
		all.Grow(int(min(zf.UncompressedSize64, uint64(p.lim.MaxWorkbookBytes))))
	}
	for {
		kind, local, t, _, err := ev.event()
		if err != nil {
			return sharedTable{}, err
		}
		switch kind {
		case tokEOF:
			return sharedTable{text: all.String(), ends: ends}, nil
		case tokStart:
			switch string(local) {
			case "si":
				inSI, rph, over = true, 0, false
				buf.Reset()
			case "rPh":
				rph++
			case "t":
				inT = inSI && rph == 0
			}
		case tokText:
			if inT && buf.Len()+len(t) > maxItemBytes {
				over = true
			}
			if inT && buf.Len() < maxItemBytes {
				buf.Write(t[:min(len(t), maxItemBytes-buf.Len())])
			}
		case tokEnd:
			switch string(local) {
			case "t":
				inT = false
			case "rPh":
				rph--
			case "si":
				if !inSI {
					continue
				}
				inSI = false
				if len(ends) >= maxItems {
					return sharedTable{}, grid.TooLarge(grid.Excess{Limit: grid.LimitCells, Max: int64(maxItems)}, "shared string table has more than %d entries", maxItems)
				}
				item, s := buf.Bytes(), ""
				if hasEscapeX(item) {
					s = unescapeX(string(item))
					item = nil
				}
				if n := len(item) + len(s); over || n > p.lim.MaxCellBytes {
					return sharedTable{}, grid.TooLarge(grid.Excess{Limit: grid.LimitCellBytes, Max: int64(p.lim.MaxCellBytes)},
						"shared string %d is longer than %d bytes", len(ends), p.lim.MaxCellBytes)
				}
				if int64(all.Len())+int64(len(item)+len(s)) > math.MaxUint32 {
					return sharedTable{}, grid.TooLarge(grid.Excess{Limit: grid.LimitWorkbookBytes, Max: p.lim.MaxWorkbookBytes}, "shared strings reach 4 GB")
				}
				if err := bud.Shared(int64(len(item) + len(s))); err != nil {
					return sharedTable{}, err
				}
				all.Write(item)
				all.WriteString(s)
				ends = append(ends, uint32(all.Len()))
			}
		}
	}
}

// textCap is how many bytes of one value are kept while reading: enough
// for MaxCellChars characters, or MaxCellBytes bytes, of any UTF-8 text
// written with _xHHHH_ escapes (7 bytes each), so that the later cut gives
// the same result and a value that fills the buffer is over MaxCellBytes.
func textCap(lim grid.Limits) int {
	return 7*max(lim.MaxCellChars, lim.MaxCellBytes) + 16
}

// unescapeX decodes the _xHHHH_ escapes of OOXML strings (ST_Xstring):
// _x000D_ is a carriage return, _x005F_ an underscore.
func unescapeX(s string) string {
	i := strings.Index(s, "_x")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i:]
		if len(s) >= 7 && s[6] == '_' {
			if v, err := strconv.ParseUint(s[2:6], 16, 16); err == nil {
				b.WriteRune(rune(v))
				s = s[7:]
				i = strings.Index(s, "_x")
				continue
			}
		}
		b.WriteString("_x")
		s = s[2:]
		i = strings.Index(s, "_x")
	}
	b.WriteString(s)
	return b.String()
}

// hasEscapeX is bytes.Contains(b, "_x"), searching for the '_' alone.
func hasEscapeX(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '_')
		if i < 0 || i == len(b)-1 {
			return false
		}
		if b[i+1] == 'x' {
			return true
		}
		b = b[i+1:]
	}
}
