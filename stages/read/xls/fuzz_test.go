package xls

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"doithoai/stages/read/grid"
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
		lim := withDefaults(fuzzLimits)
		wb, err := decodeBytes(context.Background(), data, lim)
		check(t, wb, err, lim)
		tmp, terr := os.CreateTemp(dir, "*.xls")
		if terr != nil {
			t.Fatal(terr)
		}
		defer os.Remove(tmp.Name())
		_, werr := tmp.Write(data)
		if cerr := tmp.Close(); werr != nil || cerr != nil {
			t.Fatal(werr, cerr)
		}
		wb2, err2 := Decode(context.Background(), tmp.Name(), fuzzLimits)
		check(t, wb2, err2, lim)
		if (err == nil) != (err2 == nil) || grid.CodeOf(err) != grid.CodeOf(err2) {
			t.Fatalf("Decode and decodeBytes disagree: %v vs %v", err2, err)
		}
	})
}

// check asserts the decoder's contract on one result.
func check(t *testing.T, wb *grid.Workbook, err error, lim grid.Limits) {
	t.Helper()
	if err != nil {
		var p *grid.Problem
		if !errors.As(err, &p) {
			t.Fatalf("error is not a *grid.Problem: %v", err)
		}
		if wb != nil {
			t.Fatal("workbook returned with an error")
		}
		return
	}
	if len(wb.Sheets) == 0 || len(wb.Sheets) > lim.MaxSheets {
		t.Fatalf("%d sheets", len(wb.Sheets))
	}
	cells := 0
	for _, s := range wb.Sheets {
		last := 0
		for _, r := range s.Rows {
			if r.Num <= last || r.Num > lim.MaxRows {
				t.Fatalf("sheet %q: row %d after %d", s.Name, r.Num, last)
			}
			last = r.Num
			col := 0
			for _, c := range r.Cells {
				if c.Col <= col || c.Col > lim.MaxCols {
					t.Fatalf("sheet %q row %d: column %d after %d", s.Name, r.Num, c.Col, col)
				}
				col = c.Col
				if utf8.RuneCountInString(c.Text) > lim.MaxCellChars && c.Kind == grid.String {
					t.Fatalf("cell text of %d characters", utf8.RuneCountInString(c.Text))
				}
				cells++
			}
		}
	}
	if cells > lim.MaxCells {
		t.Fatalf("%d cells", cells)
	}
}
