package record

import "testing"

// TestCompareReceipt: SPEC §9's order of receipt, file received, then
// sheet in workbook order, then row.
func TestCompareReceipt(t *testing.T) {
	src := func(seq int64, path string, sheetIx int, sheet string, row int) Source {
		return Source{Seq: seq, Path: path, SheetIndex: sheetIx, Sheet: sheet, Row: row}
	}
	tests := []struct {
		name string
		a, b Source
		want int
	}{
		{"earlier file first, whatever its rows", src(1, "b.xlsx", 1, "Z", 90), src(2, "a.xlsx", 0, "A", 1), -1},
		{"one sequence, two paths: by path", src(1, "a.xlsx", 1, "Z", 9), src(1, "b.xlsx", 0, "A", 1), -1},
		{"sheets in workbook order, not by name", src(1, "a.xlsx", 0, "Khóm 2", 30), src(1, "a.xlsx", 1, "Khóm 10", 5), -1},
		{"the later sheet after", src(1, "a.xlsx", 1, "Khóm 10", 5), src(1, "a.xlsx", 0, "Khóm 2", 30), 1},
		{"no positions (tests): by sheet name", src(1, "a.xlsx", 0, "A", 9), src(1, "a.xlsx", 0, "B", 1), -1},
		{"one sheet: by row", src(1, "a.xlsx", 0, "S", 7), src(1, "a.xlsx", 0, "S", 12), -1},
		{"the same row", src(1, "a.xlsx", 0, "S", 7), src(1, "a.xlsx", 0, "S", 7), 0},
		{"CSV: no sheet, by line", src(3, "a.csv", 0, "", 2), src(3, "a.csv", 0, "", 3), -1},
	}
	for _, tt := range tests {
		if got := CompareReceipt(&tt.a, &tt.b); got != tt.want {
			t.Errorf("%s: CompareReceipt = %d, want %d", tt.name, got, tt.want)
		}
		if got := CompareReceipt(&tt.b, &tt.a); got != -tt.want {
			t.Errorf("%s (swapped): CompareReceipt = %d, want %d", tt.name, got, -tt.want)
		}
	}
}
