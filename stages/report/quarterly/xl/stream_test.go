package xl

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/stages/report/quarterly/xl/xldiff"
)

// fillSheets writes the same content into two sheets of a book made by
// mk: every kind of value, styles overridden, merges (overlapping ones,
// values written into them), widths and comments interleaved, heights,
// a page break and the print setup with frozen panes.
func fillSheets(t *testing.T, path string, mk func(b *Book, name string) *Sheet) (values []string) {
	t.Helper()
	b := NewBook()
	b.SetTitle("Kiểm tra", "Huyện")
	red, err := b.File().NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Tóm tắt", "Dữ liệu"} {
		s := mk(b, name)
		s.Widths(6, 20)
		s.Merge(1, 1, 5, "TIÊU ĐỀ", Title)
		s.Height(1, 30)
		s.Row(3, Header, "STT", "Tên", "Ngày", "Số", "Tỉ lệ", Blank{})
		for r := 4; r <= 40; r++ {
			s.Row(r, Text, r-3, "Nguyễn Văn "+string(rune('A'+r%26)), time.Date(2024, 3, r%28+1, 15, 4, 0, 0, time.UTC), float64(r)*1.5, Styled{V: 0.25, S: Percent}, Blank{})
			if r%5 == 0 {
				s.StyleID(2, r, 3, r, red)
				s.Comment(excelize.Comment{Cell: Cell(2, r), Author: "Huyện", Text: "Ghi chú dòng " + Cell(2, r), Width: 200, Height: 60})
			}
		}
		s.Widths(6, 24, 12) // widths change between comments
		s.Comment(excelize.Comment{Cell: "C7", Author: "Huyện", Text: "Sau khi đổi độ rộng"})
		s.Put(1, 41, math.NaN(), Int)
		s.Put(2, 41, time.Time{}, Date)
		s.Put(3, 41, "=SUM(A1)", Text) // text, never a formula
		s.Put(4, 41, int64(7), Int)
		s.Put(5, 41, struct{ A int }{3}, Text)
		s.MergeRange(43, 1, 44, 3, "gộp", Note)
		s.Put(2, 44, "vào ô gộp", Text)  // lands in A43
		s.Merge(44, 3, 5, "chồng", Note) // lands in A43 too; overlaps A43:C44: joined
		s.Merge(46, 1, 5, "", Paragraph)
		s.Put(3, 46, "giữa", Paragraph) // lands in A46
		values = append(values, s.Value(2, 44), s.Value(1, 43), s.Value(1, 4), s.Value(4, 5), s.Value(9, 9))
		s.Height(50, 40) // a row of no cell
		s.FitHeight(4, 15, []string{"một hai ba bốn năm sáu bảy tám chín mười"}, []float64{8})
		s.PageBreak(20)
		s.Setup(Print{Landscape: true, TitleRows: [2]int{3, 3}, FreezeRows: 3, FreezeCols: 1, Draft: true})
	}
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	return values
}

// TestStreamSheetSameAsSheet writes the same content through Book.Sheet
// (excelize's cell-by-cell calls) and Book.StreamSheet and compares the
// workbooks with xldiff, and what Value read while writing.
func TestStreamSheetSameAsSheet(t *testing.T) {
	dir := t.TempDir()
	direct, stream := filepath.Join(dir, "direct.xlsx"), filepath.Join(dir, "stream.xlsx")
	va := fillSheets(t, direct, (*Book).Sheet)
	vb := fillSheets(t, stream, (*Book).StreamSheet)
	n, diffs, err := xldiff.Files(direct, stream)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Error(d)
	}
	if n < 400 {
		t.Errorf("only %d cells compared", n)
	}
	// B44 and A43 read A43, where "vào ô gộp" and then "chồng" (written
	// at C44, inside A43:C44) landed.
	want := []string{"chồng", "chồng", "1", "7.5", ""}
	for i := range want {
		if va[i] != want[i] || vb[i] != want[i] {
			t.Errorf("value %d: direct %q, streamed %q, want %q", i, va[i], vb[i], want[i])
		}
	}
}

// TestStreamedBytesRepeat saves the same streamed workbook of several
// sheets many times: the bytes are the same each time (excelize alone
// writes stream-written sheets in map order), and the worksheets come in
// sheet order.
func TestStreamedBytesRepeat(t *testing.T) {
	dir := t.TempDir()
	var first []byte
	for i := range 12 {
		path := filepath.Join(dir, fmt.Sprintf("b%d.xlsx", i))
		b := NewBook()
		for _, name := range []string{"Một", "Hai", "Ba", "Bốn", "Năm"} {
			s := b.StreamSheet(name)
			s.Row(1, Text, name, i%1) // same content every time
		}
		if err := b.Save(path); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = data
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			var sheets []string
			for _, f := range zr.File {
				if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
					sheets = append(sheets, f.Name)
				}
			}
			want := []string{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml", "xl/worksheets/sheet5.xml"}
			if !slices.Equal(sheets, want) {
				t.Errorf("worksheet entries %q, want %q", sheets, want)
			}
			continue
		}
		if !bytes.Equal(data, first) {
			t.Fatalf("save %d gave other bytes than the first", i)
		}
	}
}
