package xls

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// fuzzLimits are small so that each fuzz input is cheap.
var fuzzLimits = grid.Limits{
	MaxFileBytes:     1 << 20,
	MaxUnpackedBytes: 1 << 20,
	MaxSheets:        8,
	MaxRows:          2000,
	MaxCols:          64,
	MaxCells:         5000,
	MaxCellChars:     200,
	MaxCellBytes:     2000,
	MaxSheetBytes:    100_000,
	MaxWorkbookBytes: 200_000,
	MaxFileDuration:  time.Minute,
}

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic or
// hang, every failure must be a *grid.Problem, and a decoded workbook must
// respect the limits. decodeBytes is called directly so that a panic is
// not hidden by Decode's recover; Decode itself runs on a temp file.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzzseed", "*.xls"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	good := richBook(true)
	f.Add(good)
	f.Add(good[:len(good)/2])
	garbled := append([]byte(nil), good...)
	for i := 7; i < len(garbled); i += 13 {
		garbled[i] ^= 0x5A
	}
	f.Add(garbled)
	f.Add([]byte{})
	f.Add(oleMagic)
	dir := f.TempDir() // one directory: t.TempDir per input is slow
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := fuzzLimits.WithDefaults()
		wb, err := decodeBytes(context.Background(), data, lim)
		check(t, wb, err, lim)
		wb2, err2 := Decode(context.Background(), readtest.WriteTempIn(t, dir, "*.xls", data), fuzzLimits)
		check(t, wb2, err2, lim)
		if (err == nil) != (err2 == nil) || grid.CodeOf(err) != grid.CodeOf(err2) {
			t.Fatalf("Decode and decodeBytes disagree: %v vs %v", err2, err)
		}
	})
}

// check asserts the decoder's contract on one result.
func check(t *testing.T, wb *grid.Workbook, err error, lim grid.Limits) {
	t.Helper()
	if !readtest.CheckResult(t, wb, err, lim) {
		return
	}
	for _, s := range wb.Sheets {
		for _, r := range s.Rows {
			for _, c := range r.Cells {
				if utf8.RuneCountInString(c.Text) > lim.MaxCellChars && c.Kind == grid.String {
					t.Fatalf("cell text of %d characters", utf8.RuneCountInString(c.Text))
				}
			}
		}
	}
}
