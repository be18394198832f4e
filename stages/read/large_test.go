package read

import (
	"fmt"
	"testing"
	"time"

	"doithoai/pipeline/record"
	"doithoai/stages/read/grid"
)

// TestLargeSheet maps a 30,000-row sheet: every data row is delivered and
// the header found.
func TestLargeSheet(t *testing.T) {
	const n = 30_000
	s := grid.Sheet{Name: "DS"}
	hdr := []string{"STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Dân tộc", "Khóm/Ấp", "Phân loại hộ", "Số nhân khẩu", "Ghi chú"}
	s.Rows = append(s.Rows, grid.Row{Num: 1, Cells: []grid.Cell{{Col: 1, Kind: grid.String, Text: "UBND XÃ THƯỜNG PHƯỚC 1"}}})
	var hc []grid.Cell
	for i, h := range hdr {
		hc = append(hc, grid.Cell{Col: i + 1, Kind: grid.String, Text: h})
	}
	s.Rows = append(s.Rows, grid.Row{Num: 3, Cells: hc})
	for r := 4; r < 4+n; r++ {
		cs := []grid.Cell{{Col: 1, Kind: grid.Number, Text: fmt.Sprint(r - 3), Num: float64(r - 3)}}
		for c := 2; c <= 11; c++ {
			cs = append(cs, grid.Cell{Col: c, Kind: grid.String, Text: fmt.Sprintf("Nguyễn Văn Hùng %d", r)})
		}
		s.Rows = append(s.Rows, grid.Row{Num: r, Cells: cs})
	}
	start := time.Now()
	v := newSheetView(&s)
	m := findHeader(v, schemaIndexes(), strongHeader)
	if m == nil || m.ix.s.Name != "M1" {
		t.Fatalf("header not found: %+v", m)
	}
	tb, _ := extractTable(v, m, fileCtx{sub: record.Submission{Path: "x.xlsx"}})
	if len(tb.Rows) != n {
		t.Fatalf("rows %d, want %d", len(tb.Rows), n)
	}
	// Speed is measured by BenchmarkRead and `doithoai bench`, not here.
	t.Logf("%d rows in %v", n, time.Since(start).Round(time.Millisecond))
}
