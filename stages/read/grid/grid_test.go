package grid

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

func TestIsDateFormat(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"dd/mm/yyyy", true},
		{"d-mmm-yy", true},
		{"[$-409]mmmm d, yyyy;@", true},
		{"[$-42A]d mmmm yyyy", true},
		{"yyyy", true},
		{"h:mm AM/PM", true},
		{"[h]:mm:ss", true},
		{"[mm]", true},
		{`mm"/"dd`, true},
		{"yyyy\"年\"m\"月\"", true},
		{"General", false},
		{"Standard", false},
		{"0", false},
		{"0.00", false},
		{"#,##0", false},
		{"#,##0.00", false},
		{`#,##0" đ"`, false},
		{`#,##0" ngày"`, false},
		{`0" m"`, false},
		{`0\m`, false},
		{`0\d`, false},
		{"0.00E+00", false},
		{"[Red]0.00", false},
		{"[Red]#,##0;[Blue]-#,##0", false},
		{"0_);[Red](0)", false},
		{`_-* #,##0_-;\-* #,##0_-;_-* "-"_-;_-@_-`, false},
		{"@", false},
		{`"Năm "0`, false},
		{"[", false},
		{"[h", false}, // an unclosed bracket ends the code
		{"", false},
	}
	for _, tc := range tests {
		if got := IsDateFormat(tc.code); got != tc.want {
			t.Errorf("IsDateFormat(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
	for id, want := range map[int]bool{0: false, 1: false, 13: false, 14: true, 17: true, 22: true, 23: false, 45: true, 47: true, 49: false} {
		if got := BuiltinDateFormat(id); got != want {
			t.Errorf("BuiltinDateFormat(%d) = %v", id, got)
		}
	}
}

func TestNumText(t *testing.T) {
	for v, want := range map[float64]string{87079105129: "87079105129", 1e20: "100000000000000000000", 0.1: "0.1", math.Copysign(0, -1): "0", -2.5: "-2.5", 44635.5: "44635.5"} {
		if got := NumText(v); got != want {
			t.Errorf("NumText(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestCutText(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
		cut  bool
	}{
		{"Nguyễn", 6, "Nguyễn", false},
		{"Nguyễn", 10, "Nguyễn", false},
		{"Nguyễn Văn", 6, "Nguyễn", true},
		{"ưưư", 2, "ưư", true}, // 6 bytes, 3 characters
		{"ưư", 2, "ưư", false}, // longer in bytes than max, not in characters
		{"a\xffb", 2, "a\xff", true},
		{"", 0, "", false},
		{"x", 0, "", true},
	}
	for _, tc := range tests {
		got, cut := CutText(tc.in, tc.max)
		if got != tc.want || cut != tc.cut {
			t.Errorf("CutText(%q, %d) = %q, %v; want %q, %v", tc.in, tc.max, got, cut, tc.want, tc.cut)
		}
	}
}

func TestCutNote(t *testing.T) {
	// The sheet comes back as CutNote quoted it (%q): plain names whole.
	for sheet, want := range map[string]string{"DS hộ": "DS hộ", "": "", `a "b"`: `a \"b\"`} {
		n := CutNote(32767, sheet)
		max, got, ok := ParseCutNote(n)
		if !ok || max != "32767" || got != want {
			t.Errorf("ParseCutNote(%q) = %q, %q, %v; want %q", n, max, got, ok, want)
		}
	}
	if n := CutNote(10, "Sheet1"); n != `cell text cut to 10 characters on sheet "Sheet1"` {
		t.Errorf("CutNote = %q", n)
	}
	for _, n := range []string{"csv_encoding:windows-1258", "codepage 1257 not supported", "cell text cut to x characters on sheet \"S\""} {
		if _, _, ok := ParseCutNote(n); ok {
			t.Errorf("ParseCutNote(%q) took another note for a cut", n)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	if got := (Limits{}).WithDefaults(); got != DefaultLimits {
		t.Errorf("zero limits: %+v", got)
	}
	l := Limits{MaxFileBytes: 10, MaxRows: -1, MaxCols: 3, MaxXMLDepth: 7}
	got := l.WithDefaults()
	want := DefaultLimits
	want.MaxFileBytes, want.MaxCols, want.MaxXMLDepth = 10, 3, 7
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestDecodeFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.bin")
	if err := os.WriteFile(small, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	echo := func(_ context.Context, data []byte, lim Limits) (*Workbook, error) {
		if lim != (Limits{MaxFileBytes: 5}).WithDefaults() {
			t.Errorf("decode got limits %+v", lim)
		}
		return &Workbook{Format: string(data)}, nil
	}
	wb, err := DecodeFile(context.Background(), "test", small, Limits{MaxFileBytes: 5}, echo)
	if err != nil || wb.Format != "12345" {
		t.Fatalf("got %+v, %v", wb, err)
	}

	_, err = DecodeFile(context.Background(), "test", small, Limits{MaxFileBytes: 4}, echo)
	if CodeOf(err) != CodeTooLarge {
		t.Errorf("over the size limit: %v", err)
	}

	_, err = DecodeFile(context.Background(), "test", filepath.Join(dir, "missing"), Limits{}, echo)
	var p *Problem
	if errors.As(err, &p) || !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "test: open ") {
		t.Errorf("missing file: %v", err)
	}

	boom := func(context.Context, []byte, Limits) (*Workbook, error) {
		var s []int
		_ = s[3] // index out of range
		return &Workbook{}, nil
	}
	wb, err = DecodeFile(context.Background(), "test", small, Limits{}, boom)
	var pe *PanicError
	if wb != nil || CodeOf(err) != CodeCorrupt || !errors.As(err, &pe) || len(pe.Stack) == 0 {
		t.Fatalf("panic: got %+v, %v", wb, err)
	}
	if want := "corrupt: test decoder failed on malformed data: panic: runtime error: index out of range [3] with length 0"; err.Error() != want {
		t.Errorf("panic error %q, want %q", err, want)
	}
}

// TestForRows: raising the rows of a sheet raises the cells (12 a row)
// and the byte limits in proportion and leaves the rest; lowering it
// lowers only the rows; the rows never pass Excel's.
func TestForRows(t *testing.T) {
	d := DefaultLimits
	for _, tc := range []struct {
		name string
		rows int
		want Limits
	}{
		{"the default", d.MaxRows, d},
		{"fewer rows", 50, func() Limits { l := d; l.MaxRows = 50; return l }()},
		{"five times", 5 * d.MaxRows, func() Limits {
			l := d
			l.MaxRows = 5 * d.MaxRows
			l.MaxCells = 12 * 5 * d.MaxRows
			l.MaxFileBytes, l.MaxUnpackedBytes, l.MaxPartBytes = 5*d.MaxFileBytes, 5*d.MaxUnpackedBytes, 5*d.MaxPartBytes
			l.MaxSheetBytes, l.MaxWorkbookBytes = 5*d.MaxSheetBytes, 5*d.MaxWorkbookBytes
			return l
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.ForRows(tc.rows); got != tc.want {
				t.Errorf("ForRows(%d) = %+v, want %+v", tc.rows, got, tc.want)
			}
		})
	}
	if got := d.ForRows(10 * MaxSheetRows).MaxRows; got != MaxSheetRows {
		t.Errorf("rows above Excel's: MaxRows %d", got)
	}
	if got := d.ForRows(0).MaxRows; got != 1 {
		t.Errorf("no rows: MaxRows %d", got)
	}
}

// TestCellSize: a decoded sheet holds every cell, so grid.Cell keeps its
// small size (Kind and Formula in one word).
func TestCellSize(t *testing.T) {
	if n := unsafe.Sizeof(Cell{}); n > 40 {
		t.Errorf("grid.Cell is %d bytes, want 40", n)
	}
}
