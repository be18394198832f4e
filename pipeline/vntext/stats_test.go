package vntext

import "testing"

// TestColumnStats: gathered one cell at a time, in two halves merged,
// the statistics decide as DetectColumn and Contradicts do on the whole
// column, and DecodeCell decodes as DecodeCells.
func TestColumnStats(t *testing.T) {
	columns := map[string][]string{
		"empty":   nil,
		"ascii":   {"Ap 1", "Nguyen Van A", "123"},
		"unicode": {"Nguyễn Văn Trí", "Trần Thị Lan", "Ấp 2"},
		"tcvn3":   {"NguyÔn V¨n TrÝ", "TrÇn ThÞ Lan", "Êp 3", "Lª V¨n Hïng"},
		"vni":     {"Nguyeãn Vaên Trí", "Traàn Thò Lan", "AÁp 3"},
		"mixed":   {"NguyÔn V¨n TrÝ", "Trần Thị Lan", "Êp 3"},
		"short":   {"Êp 3", "N÷"},
		"cp1252":  {"Café", "Müller", "Hộ nghèo"},
	}
	for name, cells := range columns {
		var a, b ColumnStats
		for i, c := range cells {
			if i%2 == 0 {
				a.Add(c)
			} else {
				b.Add(c)
			}
		}
		a.Merge(&b)
		if got, want := a.Detect(), DetectColumn(cells); got != want {
			t.Errorf("%s: Detect %v, DetectColumn %v", name, got, want)
		}
		if a.Cells() != len(cells) {
			t.Errorf("%s: %d cells, want %d", name, a.Cells(), len(cells))
		}
		for _, enc := range []Encoding{Unicode, TCVN3, VNI} {
			if got, want := a.Contradicts(enc), Contradicts(cells, enc); got != want {
				t.Errorf("%s: Contradicts(%v) %v, want %v", name, enc, got, want)
			}
			out := DecodeCells(cells, enc)
			for i, c := range cells {
				if got := DecodeCell(c, enc); got != out[i] {
					t.Errorf("%s: DecodeCell(%q, %v) = %q, DecodeCells %q", name, c, enc, got, out[i])
				}
			}
		}
	}
}
