package xlsx

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"doithoai/stages/read/grid"
)

// readSharedStrings returns the shared string table: each <si> is the
// concatenation of its <t> runs (rich text included, phonetic <rPh> runs
// left out). A missing part gives an empty table. Each string is checked
// against MaxCellBytes and the table's bytes are charged to bud.
func (p *opcPackage) readSharedStrings(part string, bud *grid.Budget) ([]string, error) {
	if part == "" {
		return nil, nil
	}
	x, err := p.openXML(part)
	if err != nil {
		return nil, err
	}
	defer x.close()
	var (
		out          []string
		buf          strings.Builder
		over         bool // the current item passed maxItemBytes
		inSI, inT    bool
		rph          int
		maxItems     = p.lim.MaxCells
		maxItemBytes = textCap(p.lim)
	)
	for {
		tok, err := x.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI, rph, over = true, 0, false
				buf.Reset()
			case "rPh":
				rph++
			case "t":
				inT = inSI && rph == 0
			}
		case xml.CharData:
			if inT && buf.Len()+len(t) > maxItemBytes {
				over = true
			}
			if inT && buf.Len() < maxItemBytes {
				buf.Write(t[:min(len(t), maxItemBytes-buf.Len())])
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inT = false
			case "rPh":
				rph--
			case "si":
				if !inSI {
					continue
				}
				inSI = false
				if len(out) >= maxItems {
					return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitCells, Max: int64(maxItems)}, "shared string table has more than %d entries", maxItems)
				}
				s := unescapeX(buf.String())
				if over || len(s) > p.lim.MaxCellBytes {
					return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitCellBytes, Max: int64(p.lim.MaxCellBytes)},
						"shared string %d is longer than %d bytes", len(out), p.lim.MaxCellBytes)
				}
				if err := bud.Shared(int64(len(s))); err != nil {
					return nil, err
				}
				out = append(out, s)
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
