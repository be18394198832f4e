// Package readtest holds the test helpers that the read stage and its
// decoder packages (xlsx, xls, ods, csvtext) share: finding the shared
// sample folder, writing fixtures to temporary files, building zip
// packages, running a decoder with a hang guard, reading the real-world
// corpus manifest and the sample truth, looking cells up in a grid, and
// checking the grid contract on a decoder's result. Only tests import it.
package readtest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"doithoai/pipeline/truth"
	"doithoai/stages/read/grid"
)

// SharedDir is ../shared beside the repository root; it skips the test
// when the folder is absent.
func SharedDir(t testing.TB) string {
	t.Helper()
	d := truth.SharedDir()
	if d == "" {
		t.Skip("../shared beside the repository is absent: no samples or corpus to read")
	}
	return d
}

// WriteTemp stores data as a file called name in a new temporary folder
// of the test and returns its path.
func WriteTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// WriteTempIn stores data in a new file of dir named after pattern (as
// os.CreateTemp does) and returns its path; the file is removed when the
// test ends. Fuzz targets share one folder: t.TempDir per input is slow.
func WriteTempIn(t testing.TB, dir, pattern string, data []byte) string {
	t.Helper()
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(f.Name()) })
	_, werr := f.Write(data)
	if cerr := f.Close(); werr != nil || cerr != nil {
		t.Fatal(werr, cerr)
	}
	return f.Name()
}

// ZipEntry is one part of a zip archive built by Zip.
type ZipEntry struct {
	Name   string
	Body   string
	Method uint16 // zip.Store or zip.Deflate
}

// Zip builds a zip archive of the entries, in their order.
func Zip(t testing.TB, entries ...ZipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: e.Method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.Body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// DecodeFunc is a decoder's Decode.
type DecodeFunc func(ctx context.Context, path string, lim grid.Limits) (*grid.Workbook, error)

// DecodeWithin runs decode on the file with a context that ends after d.
// A decoder that runs out of that time is an error of the test; one that
// does not return at all (ignores its context) ends the test.
func DecodeWithin(t testing.TB, decode DecodeFunc, path string, lim grid.Limits, d time.Duration) (*grid.Workbook, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	type result struct {
		wb  *grid.Workbook
		err error
	}
	done := make(chan result, 1)
	go func() {
		wb, err := decode(ctx, path, lim)
		done <- result{wb, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && ctx.Err() != nil {
			t.Errorf("%s: decoding ran out of time: %v", path, r.err)
		}
		return r.wb, r.err
	case <-time.After(d + 10*time.Second):
		t.Fatalf("%s: the decoder hangs (ignores its context)", path)
		return nil, nil
	}
}

// Manifest maps a corpus file (relative, '/'-separated) to the note
// MANIFEST.tsv gives it.
type Manifest map[string]string

// ReadManifest reads dir/MANIFEST.tsv: tab-separated, a header line, the
// file in the first column and the note in the eighth.
func ReadManifest(dir string) (Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		return nil, err
	}
	m := Manifest{}
	for i, line := range strings.Split(strings.TrimRight(string(raw), "\r\n"), "\n") {
		cols := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if i == 0 || len(cols) < 8 {
			continue
		}
		m[cols[0]] = cols[7]
	}
	return m, nil
}

// Files lists the manifest's files in order.
func (m Manifest) Files() []string {
	out := make([]string, 0, len(m))
	for f := range m {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Truth is the part of a sample set's truth.json the read tests check.
type Truth struct {
	Plan  string      `json:"plan"`
	Files []TruthFile `json:"files"`
	Rows  []truth.Row `json:"rows"`
}

// TruthFile is a file entry of truth.json with the facts a reader can see.
type TruthFile struct {
	truth.File
	Size     int64        `json:"size"`
	Date1904 *bool        `json:"date1904"`
	Sheets   []TruthSheet `json:"sheets"`
}

// TruthSheet is a sheet of a truth.json file entry.
type TruthSheet struct {
	Name       string `json:"name"`
	State      string `json:"state"` // visible, hidden, veryHidden
	Role       string `json:"role"`  // data, ...
	HeaderRows []int  `json:"header_rows"`
	NumberRow  *int   `json:"number_row"`
	FooterRow  *int   `json:"footer_row"`
	DataRows   []int  `json:"data_rows"`
}

// LoadTruth reads the truth.json of a sample set folder.
func LoadTruth(setDir string) (*Truth, error) {
	raw, err := os.ReadFile(filepath.Join(setDir, "truth.json"))
	if err != nil {
		return nil, err
	}
	var tr Truth
	if err := json.Unmarshal(raw, &tr); err != nil {
		return nil, fmt.Errorf("%s: truth.json: %w", setDir, err)
	}
	return &tr, nil
}

// SampleSet returns the folder of the named sample set
// (../shared/samples/<name>) and its truth, skipping the test when either
// is absent.
func SampleSet(t testing.TB, name string) (string, *Truth) {
	t.Helper()
	dir := filepath.Join(SharedDir(t), "samples", name)
	tr, err := LoadTruth(dir)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no truth.json: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir, tr
}

// Str is *p, or "" for nil.
func Str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

var spaces = regexp.MustCompile(`\s+`)

// NormText is NFC with runs of ASCII white space made one space and the
// ends trimmed, for comparing cell text with truth.
func NormText(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(norm.NFC.String(s), " "))
}

// Row returns the row with the 1-based number, nil when the sheet has
// none.
func Row(s *grid.Sheet, num int) *grid.Row {
	for i := range s.Rows {
		if s.Rows[i].Num == num {
			return &s.Rows[i]
		}
	}
	return nil
}

// Cell returns the cell at the 1-based row and column of the sheet; ok is
// false when there is none.
func Cell(s *grid.Sheet, row, col int) (c grid.Cell, ok bool) {
	if r := Row(s, row); r != nil {
		for _, c := range r.Cells {
			if c.Col == col {
				return c, true
			}
		}
	}
	return grid.Cell{}, false
}

// SheetCell is Cell on the first sheet of wb with the name.
func SheetCell(wb *grid.Workbook, sheet string, row, col int) (grid.Cell, bool) {
	for i := range wb.Sheets {
		if wb.Sheets[i].Name == sheet {
			return Cell(&wb.Sheets[i], row, col)
		}
	}
	return grid.Cell{}, false
}

// WantProblem asserts that a decoder failed with a *grid.Problem of the
// code and returned no workbook.
func WantProblem(t testing.TB, wb *grid.Workbook, err error, code string) {
	t.Helper()
	var p *grid.Problem
	if !errors.As(err, &p) {
		t.Fatalf("got %v, %v; want a Problem %s", wb, err, code)
	}
	if p.Code != code {
		t.Errorf("code %s (%v), want %s", p.Code, err, code)
	}
	if wb != nil {
		t.Error("workbook returned with an error")
	}
}

// CheckResult asserts the contract every decoder keeps, whatever its
// input: a failure is a *grid.Problem with no workbook; a workbook has 1
// to MaxSheets sheets, rows in ascending order within MaxRows and never
// empty, cells in ascending columns within MaxCols and never Empty, and at
// most MaxCells cells in all. It reports whether a workbook was decoded.
func CheckResult(t testing.TB, wb *grid.Workbook, err error, lim grid.Limits) bool {
	t.Helper()
	if err != nil {
		var p *grid.Problem
		if !errors.As(err, &p) {
			t.Fatalf("error is not a *grid.Problem: %v", err)
		}
		if wb != nil {
			t.Fatal("workbook returned with an error")
		}
		return false
	}
	if wb == nil {
		t.Fatal("no workbook and no error")
	}
	if len(wb.Sheets) == 0 || len(wb.Sheets) > lim.MaxSheets {
		t.Fatalf("%d sheets", len(wb.Sheets))
	}
	cells := 0
	for _, s := range wb.Sheets {
		prev := 0
		for _, r := range s.Rows {
			if r.Num <= prev || r.Num > lim.MaxRows || len(r.Cells) == 0 {
				t.Fatalf("sheet %q: row %d after %d (%d cells)", s.Name, r.Num, prev, len(r.Cells))
			}
			prev = r.Num
			col := 0
			for _, c := range r.Cells {
				if c.Col <= col || c.Col > lim.MaxCols || c.Kind == grid.Empty {
					t.Fatalf("sheet %q row %d: bad cell %+v after column %d", s.Name, r.Num, c, col)
				}
				col = c.Col
				cells++
			}
		}
	}
	if cells > lim.MaxCells {
		t.Fatalf("%d cells, limit %d", cells, lim.MaxCells)
	}
	return true
}

// Describe summarises a decoder's result for the test log.
func Describe(wb *grid.Workbook, err error) string {
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ok: %d sheets", len(wb.Sheets))
	for _, s := range wb.Sheets {
		cells, last := 0, 0
		for _, r := range s.Rows {
			cells += len(r.Cells)
			last = r.Num
		}
		fmt.Fprintf(&b, " [%q %v: %d rows (last %d), %d cells, %d merges]", s.Name, s.Visibility, len(s.Rows), last, cells, len(s.Merges))
	}
	if len(wb.Notes) > 0 {
		fmt.Fprintf(&b, " notes %q", wb.Notes)
	}
	return b.String()
}
