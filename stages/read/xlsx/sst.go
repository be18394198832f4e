package xlsx

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"

	"doithoai/stages/read/grid"
)

// sharedTable is the shared string table held compactly: the strings end
// to end in a few big texts (chunks of sstChunk bytes, a longer string
// alone in its own), ends[i] the end of string i in its chunk, so that a
// table of millions of tiny strings costs four bytes each, not a string
// header and an allocation, and holds only the strings' bytes, not room
// for the whole part's XML.
type sharedTable struct {
	chunks []string
	firsts []uint32 // firsts[c]: the number of the first string of chunks[c]
	ends   []uint32
}

// sstChunk is the size of the shared table's chunks (tests lower it).
var sstChunk = 4 << 20

// len is the number of strings.
func (t sharedTable) len() int { return len(t.ends) }

// at is string i (0 <= i < len).
func (t sharedTable) at(i int) string {
	c := len(t.firsts) - 1
	if c > 0 {
		c = sort.Search(len(t.firsts), func(c int) bool { return t.firsts[c] > uint32(i) }) - 1
	}
	start := uint32(0)
	if uint32(i) > t.firsts[c] {
		start = t.ends[i-1]
	}
	return t.chunks[c][start:t.ends[i]]
}

// sharedBuilder makes a sharedTable, one string at a time.
type sharedBuilder struct {
	t     sharedTable
	cur   strings.Builder // the last chunk
	first int             // the part's size: the most the first chunk needs
	total int64           // bytes of every string
}

// add appends the string made of a and b.
func (sb *sharedBuilder) add(a []byte, b string) {
	n := len(a) + len(b)
	if len(sb.t.firsts) == 0 || sb.cur.Cap()-sb.cur.Len() < n {
		if len(sb.t.firsts) > 0 {
			sb.t.chunks = append(sb.t.chunks, sb.cur.String())
		}
		size := sstChunk
		if len(sb.t.firsts) == 0 {
			size = min(size, sb.first)
		}
		sb.cur = strings.Builder{}
		sb.cur.Grow(max(size, n))
		sb.t.firsts = append(sb.t.firsts, uint32(len(sb.t.ends)))
	}
	sb.cur.Write(a)
	sb.cur.WriteString(b)
	sb.total += int64(n)
	sb.t.ends = append(sb.t.ends, uint32(sb.cur.Len()))
}

// table is the table made.
func (sb *sharedBuilder) table() sharedTable {
	if len(sb.t.firsts) > len(sb.t.chunks) {
		sb.t.chunks = append(sb.t.chunks, sb.cur.String())
	}
	return sb.t
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
		all          sharedBuilder
		buf          bytes.Buffer // the current item, reused
		over         bool         // the current item passed maxItemBytes
		inSI, inT    bool
		rph          int
		maxItems     = p.lim.MaxCells
		maxItemBytes = textCap(p.lim)
	)
	all.first = sstChunk
	if zf := p.parts[partKey(part)]; zf != nil {
		// The text is never longer than the part, whose size open checked.
		all.first = int(min(zf.UncompressedSize64, uint64(p.lim.MaxWorkbookBytes), uint64(sstChunk)))
	}
	for {
		kind, local, t, _, err := ev.event()
		if err != nil {
			return sharedTable{}, err
		}
		switch kind {
		case tokEOF:
			return all.table(), nil
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
				if all.t.len() >= maxItems {
					return sharedTable{}, grid.TooLarge(grid.Excess{Limit: grid.LimitCells, Max: int64(maxItems)}, "shared string table has more than %d entries", maxItems)
				}
				item, s := buf.Bytes(), ""
				if hasEscapeX(item) {
					s = unescapeX(string(item))
					item = nil
				}
				if n := len(item) + len(s); over || n > p.lim.MaxCellBytes {
					return sharedTable{}, grid.TooLarge(grid.Excess{Limit: grid.LimitCellBytes, Max: int64(p.lim.MaxCellBytes)},
						"shared string %d is longer than %d bytes", all.t.len(), p.lim.MaxCellBytes)
				}
				if all.total+int64(len(item)+len(s)) > math.MaxUint32 {
					return sharedTable{}, grid.TooLarge(grid.Excess{Limit: grid.LimitWorkbookBytes, Max: p.lim.MaxWorkbookBytes}, "shared strings reach 4 GB")
				}
				if err := bud.Shared(int64(len(item) + len(s))); err != nil {
					return sharedTable{}, err
				}
				all.add(item, s)
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
