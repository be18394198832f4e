package xlsx

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// fuzzLimits are small so that a fuzzed file stays cheap.
var fuzzLimits = grid.Limits{
	MaxFileBytes: 1 << 20, MaxUnpackedBytes: 4 << 20, MaxPartBytes: 1 << 20, MaxSheets: 8,
	MaxRows: 500, MaxCols: 100, MaxCells: 5000, MaxCellChars: 200, MaxXMLDepth: 64,
	MaxCellBytes: 2000, MaxSheetBytes: 100_000, MaxWorkbookBytes: 200_000,
}

// FuzzDecode feeds arbitrary bytes to the decoder (without Decode's
// panic guard, so a panic is reported) and checks that the result is a
// Problem or a well-formed grid within the limits.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		newRawBook(`<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" s="2"><v>44635</v></c><c r="C1"><f>1+1</f><v>2</v></c></row>`+
			`<row><c t="inlineStr"><is><t>x</t></is></c><c r="a0" t="b"><v>1</v></c></row>`,
			`<mergeCells><mergeCell ref="A1:B2"/></mergeCells>`).writeMethod(f, 0),
		newRawBook(`<row r="3"><c r="C3" t="d"><v>2022-03-15</v></c><c r="D3" t="e"><v>#N/A</v></c></row>`, "").write(f),
		writeExcelize(f, func(x *excelize.File) error {
			if err := x.SetCellValue("Sheet1", "A1", "Họ tên"); err != nil {
				return err
			}
			if err := x.SetCellValue("Sheet1", "B2", int64(87079105129)); err != nil {
				return err
			}
			return x.MergeCell("Sheet1", "A1", "B1")
		}),
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "fuzz.xlsx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		wb, err := decodeFile(ctx, p, fuzzLimits)
		if readtest.CheckResult(t, wb, err, fuzzLimits) {
			checkFuzzCells(t, wb, fuzzLimits)
		}
	})
}

// checkFuzzCells checks what readtest.CheckResult leaves out: cell text is
// non-empty valid UTF-8 within MaxCellChars, and merges lie inside the
// limits.
func checkFuzzCells(t *testing.T, wb *grid.Workbook, lim grid.Limits) {
	t.Helper()
	for _, s := range wb.Sheets {
		for _, r := range s.Rows {
			for _, c := range r.Cells {
				if c.Text == "" || !utf8.ValidString(c.Text) || utf8.RuneCountInString(c.Text) > lim.MaxCellChars {
					t.Fatalf("sheet %q row %d col %d: bad cell %+v", s.Name, r.Num, c.Col, c)
				}
			}
		}
		for _, m := range s.Merges {
			if m.FromRow < 1 || m.FromCol < 1 || m.ToRow < m.FromRow || m.ToCol < m.FromCol || m.ToRow > lim.MaxRows || m.ToCol > lim.MaxCols {
				t.Fatalf("sheet %q: bad merge %+v", s.Name, m)
			}
		}
	}
}
