package read

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read/grid"
)

// benchRows is the size of the generated roster of the benchmarks.
const benchRows = 20_000

// rosterHeader is an M1 header as communes write it.
var rosterHeader = []string{"STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD/CMND",
	"Dân tộc", "Khóm/Ấp", "Phân loại hộ", "Số nhân khẩu", "Ghi chú"}

// rosterRow is row i (1-based) of the generated roster, as text.
func rosterRow(i int) []string {
	names := []string{"Nguyễn Văn Trí", "Trần Thị Lan", "Lê Văn Hùng", "Phạm Thị Mai", "Huỳnh Văn Tư"}
	genders := []string{"Nam", "Nữ"}
	classes := []string{"Hộ nghèo", "Hộ cận nghèo"}
	note := ""
	if i%7 == 0 {
		note = "Chuyển đến năm 2021"
	}
	return []string{
		fmt.Sprint(i), fmt.Sprintf("29956-%05d", i), names[i%len(names)], fmt.Sprint(1940 + i%60), genders[i%2],
		fmt.Sprintf("0870%08d", 79105129+i), "Kinh", fmt.Sprintf("Ấp %d", 1+i%3), classes[i%2], fmt.Sprint(1 + i%7), note,
	}
}

// rosterSheet is the generated roster as a decoded sheet.
func rosterSheet(n int) *grid.Sheet {
	s := &grid.Sheet{Name: "DS"}
	s.Rows = append(s.Rows, grid.Row{Num: 1, Cells: []grid.Cell{{Col: 1, Kind: grid.String, Text: "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO"}}})
	var hc []grid.Cell
	for i, h := range rosterHeader {
		hc = append(hc, grid.Cell{Col: i + 1, Kind: grid.String, Text: h})
	}
	s.Rows = append(s.Rows, grid.Row{Num: 3, Cells: hc})
	for i := 1; i <= n; i++ {
		var cs []grid.Cell
		for j, v := range rosterRow(i) {
			c := grid.Cell{Col: j + 1, Kind: grid.String, Text: v}
			switch j {
			case 0, 3, 9: // STT, Năm sinh, Số nhân khẩu are numbers
				c.Kind = grid.Number
				fmt.Sscan(v, &c.Num)
			case 10:
				if v == "" {
					continue
				}
			}
			cs = append(cs, c)
		}
		s.Rows = append(s.Rows, grid.Row{Num: 3 + i, Cells: cs})
	}
	return s
}

// BenchmarkMapRows maps the data rows of a decoded 20,000-row roster to
// source rows (extractTable: the cells of every row by field). It reports
// the bytes allocated per row (B/row) and the bytes the rows keep alive
// once mapped (kept-B/row): what a roster costs in memory.
func BenchmarkMapRows(b *testing.B) {
	s := rosterSheet(benchRows)
	v := newSheetView(s)
	m := findHeader(v, schemaIndexes(), strongHeader)
	if m == nil || m.ix.s.Name != "M1" {
		b.Fatalf("header not found: %+v", m)
	}
	fc := fileCtx{sub: record.Submission{Path: "29956/m1.xlsx"}}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tb, _ := extractTable(v, m, fc)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if len(tb.Rows) != benchRows {
		b.Fatalf("%d rows, want %d", len(tb.Rows), benchRows)
	}
	kept := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	runtime.KeepAlive(tb)

	b.ReportAllocs()
	b.ResetTimer()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		extractTable(v, m, fc)
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/benchRows, "B/row")
	b.ReportMetric(kept/benchRows, "kept-B/row")
}

// BenchmarkReadRoster reads a generated 20,000-row CSV roster through
// read.Reader, decoder included, and reports the bytes allocated per row.
func BenchmarkReadRoster(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Mẫu M1\n\n")
	sb.WriteString(strings.Join(rosterHeader, ",") + "\n")
	for i := 1; i <= benchRows; i++ {
		sb.WriteString(strings.Join(rosterRow(i), ",") + "\n")
	}
	file := filepath.Join(b.TempDir(), "m1.csv")
	if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	rd := &Reader{Plan: plan.Default()}
	sub := record.Submission{ID: "bench", Path: "29956/m1.csv", ArchivePath: file, FolderHint: "29956"}
	check := func() {
		wb, err := rd.Read(context.Background(), sub)
		if err != nil {
			b.Fatal(err)
		}
		if len(wb.Tables) != 1 || len(wb.Tables[0].Rows) != benchRows {
			b.Fatalf("status %s %s, %d tables: %+v", wb.Status, wb.Reason, len(wb.Tables), wb.Findings)
		}
	}
	check()
	b.ReportAllocs()
	b.ResetTimer()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		check()
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/benchRows, "B/row")
}

// BenchmarkMapRowsOld is BenchmarkMapRows for the extractTable that the
// table builder replaced (table_old_test.go): the baseline of the
// builder's speed, measured in the same process.
func BenchmarkMapRowsOld(b *testing.B) {
	s := rosterSheet(benchRows)
	v := newSheetView(s)
	m := findHeader(v, schemaIndexes(), strongHeader)
	fc := fileCtx{sub: record.Submission{Path: "29956/m1.xlsx"}}
	b.ReportAllocs()
	for b.Loop() {
		extractTableOld(v, m, fc)
	}
}
