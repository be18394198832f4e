package xlsxzip

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// part is one entry to write, in pieces.
type testPart struct {
	name   string
	pieces []string
}

// reference writes parts as excelize's default zip writer does.
func reference(t *testing.T, parts []testPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.pieces {
			if _, err := w.Write([]byte(s)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ours(t *testing.T, parts []testPart, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	fill(t, New(&buf, opt), parts)
	return buf.Bytes()
}

// fill writes parts to zw and closes it.
func fill(t *testing.T, zw *Writer, parts []testPart) {
	t.Helper()
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.pieces {
			if _, err := w.Write([]byte(s)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// randomXML is n bytes of XML-like text, compressible as sheets are.
func randomXML(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d" s="%d" t="inlineStr"><is><t>Nguyễn Văn %d</t></is></c></row>`, i, i, r.IntN(9), r.IntN(100000))
	}
	return b.String()[:n]
}

func TestSameBytesAsArchiveZip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	big := randomXML(r, 3*DefaultMaxPart)
	small := randomXML(r, 4000)
	cases := []struct {
		name  string
		parts []testPart
	}{
		{"empty zip", nil},
		{"empty part", []testPart{{"a.xml", nil}}},
		{"one small", []testPart{{"[Content_Types].xml", []string{small}}}},
		{"pieces", []testPart{{"xl/styles.xml", []string{small[:10], "", small[10:2000], small[2000:]}}}},
		{"big streamed", []testPart{{"xl/worksheets/sheet1.xml", []string{big[:100], big[100:]}}, {"docProps/app.xml", []string{small}}}},
		{"repeated", []testPart{{"a.xml", []string{small}}, {"b.xml", []string{small}}, {"c.xml", []string{small[:100]}}}},
		{"utf-8 name", []testPart{{"xl/Tóm tắt.xml", []string{small}}, {`x\y.xml`, []string{"x"}}, {"~.xml", nil}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := reference(t, tc.parts)
			cache := NewCache(0, 0)
			for _, opt := range []struct {
				name string
				o    Options
			}{{"no cache", Options{}}, {"cache", Options{Cache: cache}}, {"cache again", Options{Cache: cache}}, {"tiny cache", Options{Cache: NewCache(100, 300)}}} {
				if got := ours(t, tc.parts, opt.o); !bytes.Equal(got, want) {
					t.Errorf("%s: %d bytes differ from archive/zip's %d", opt.name, len(got), len(want))
				}
			}
		})
	}
}

func TestCacheHits(t *testing.T) {
	cache := NewCache(0, 0)
	parts := []testPart{{"a.xml", []string{"<a/>"}}, {"b.xml", []string{"<a/>"}}, {"c.xml", []string{"<c/>"}}}
	ours(t, parts, Options{Cache: cache})
	if got := cache.Hits(); got != 1 {
		t.Errorf("hits after the first zip = %d, want 1", got)
	}
	ours(t, parts, Options{Cache: cache})
	if got := cache.Hits(); got != 4 {
		t.Errorf("hits after the second zip = %d, want 4", got)
	}
}

func TestSortSheets(t *testing.T) {
	in := []testPart{
		{"[Content_Types].xml", []string{"ct"}},
		{"xl/worksheets/sheet10.xml", []string{"s10"}},
		{"xl/worksheets/sheet2.xml", []string{"s2"}},
		{"xl/workbook.xml", []string{"wb"}},
		{"xl/worksheets/sheet1.xml", []string{"s1"}},
		{"xl/worksheets/_rels/sheet1.xml.rels", []string{"r"}},
	}
	want := reference(t, []testPart{in[0], in[4], in[2], in[1], in[3], in[5]})
	if got := ours(t, in, Options{SortSheets: true}); !bytes.Equal(got, want) {
		t.Error("sorted zip differs")
	}
}

func TestWriterErrors(t *testing.T) {
	zw := New(&bytes.Buffer{}, Options{})
	w, err := zw.Create("a.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Create("dir/"); err == nil {
		t.Error("a directory was accepted")
	}
	if _, err := w.Write([]byte("late")); err == nil {
		t.Error("a write to a finished entry was accepted")
	}
	if zw.AddFS(nil) == nil {
		t.Error("AddFS did not fail")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw.Close() == nil {
		t.Error("a second Close did not fail")
	}
	if _, err := zw.Create("b.xml"); err == nil {
		t.Error("Create after Close was accepted")
	}
}

// TestWorkbookSameBytes saves one workbook with excelize's zip writer and
// with a Writer (cache cold and warm): the files are the same bytes.
func TestWorkbookSameBytes(t *testing.T) {
	build := func() *excelize.File {
		f := excelize.NewFile()
		for r := 1; r <= 300; r++ {
			if err := f.SetCellValue("Sheet1", fmt.Sprintf("B%d", r), fmt.Sprintf("Hộ %d – ấp Mỹ Phước", r)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.NewSheet("Hướng dẫn"); err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := build()
	want, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	cache := NewCache(0, 0)
	for i := range 2 {
		f := build()
		Install(f, Options{Cache: cache})
		got, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("save %d: the workbook's bytes differ", i+1)
		}
	}
	if cache.Hits() == 0 {
		t.Error("the second save took nothing from the cache")
	}
}

// TestCreateAfter: an entry made of a shared head and its own rest reads
// back (CRC checked by archive/zip) as the head's content followed by the
// rest, whatever their sizes, among entries written the usual way.
func TestCreateAfter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	text := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			fmt.Fprintf(&b, "<c r=\"A%d\" s=\"%d\"/>", rng.IntN(500), rng.IntN(20))
		}
		return b.String()[:n]
	}
	for _, tc := range []struct{ head, rest int }{{0, 0}, {0, 100}, {10, 0}, {5000, 300}, {40000, 2000}, {3000, 200000}} {
		h := text(tc.head)
		head, err := NewHead([]byte(h))
		if err != nil {
			t.Fatal(err)
		}
		if head.Len() != len(h) {
			t.Fatalf("head of %d bytes has Len %d", len(h), head.Len())
		}
		var buf bytes.Buffer
		zw := New(&buf, Options{Cache: NewCache(0, 0)})
		want := map[string]string{}
		for i := range 3 {
			name := fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
			rest := text(tc.rest)
			w, err := zw.CreateAfter(name, head)
			if err != nil {
				t.Fatal(err)
			}
			// In two writes, as excelize writes.
			half := len(rest) / 2
			for _, s := range []string{rest[:half], rest[half:]} {
				if _, err := w.Write([]byte(s)); err != nil {
					t.Fatal(err)
				}
			}
			want[name] = h + rest
			other := fmt.Sprintf("xl/other%d.xml", i)
			w, err = zw.Create(other)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte(h)); err != nil {
				t.Fatal(err)
			}
			want[other] = h
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != len(want) {
			t.Fatalf("%d entries, want %d", len(zr.File), len(want))
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("head %d, rest %d, %s: %v", tc.head, tc.rest, f.Name, err)
			}
			if string(b) != want[f.Name] {
				t.Errorf("head %d, rest %d, %s: %d bytes read back, want %d", tc.head, tc.rest, f.Name, len(b), len(want[f.Name]))
			}
		}
	}
	zw := New(io.Discard, Options{Rows: map[string]RowsFunc{"xl/worksheets/sheet1.xml": nil}})
	if _, err := zw.CreateAfter("xl/worksheets/sheet1.xml", &Head{}); err == nil {
		t.Error("CreateAfter an entry given rows: no error")
	}
	if _, err := zw.CreateAfter("a.xml", nil); err == nil {
		t.Error("CreateAfter without a head: no error")
	}
}

// lenWriter is a bytes.Buffer whose length can be read while it is written.
type lenWriter struct{ bytes.Buffer }

// TestRowsSameBytes: a worksheet given its rows by a RowsFunc gives the
// zip archive/zip gives with the rows in the sheet data, and its
// compressed rows reach the output while they are made (they are not
// held until the end).
func TestRowsSameBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rows := randomXML(r, 6<<20)
	small := randomXML(r, 3000)
	sheet := func(data string) string {
		return `<worksheet><cols/><sheetData>` + data + `</sheetData><pageSetup/></worksheet>`
	}
	parts := func(sheet2 string) []testPart {
		return []testPart{
			{"[Content_Types].xml", []string{small}},
			{"xl/worksheets/sheet2.xml", []string{sheet2[:20], sheet2[20:]}},
			{"xl/worksheets/sheet1.xml", []string{sheet(small[:100])}},
			{"xl/styles.xml", []string{small[:500]}},
		}
	}
	for _, tc := range []struct {
		name string
		rows string
		sort bool
	}{{"big rows", rows, false}, {"big rows, sorted", rows, true}, {"no rows", "", false}} {
		t.Run(tc.name, func(t *testing.T) {
			in := parts(sheet(tc.rows))
			if tc.sort {
				in[1], in[2] = in[2], in[1]
			}
			want := reference(t, in)
			var out lenWriter
			written := 0 // compressed bytes out when the rows were all made
			given := parts(sheet(""))
			if tc.sort {
				given[1], given[2] = given[2], given[1]
			}
			zw := New(&out, Options{SortSheets: tc.sort, Rows: map[string]RowsFunc{
				"xl/worksheets/sheet2.xml": func(w io.Writer) error {
					for s := tc.rows; s != ""; {
						n := min(len(s), 1<<16)
						if _, err := w.Write([]byte(s[:n])); err != nil {
							return err
						}
						s = s[n:]
					}
					written = out.Len()
					return nil
				},
			}})
			fill(t, zw, given)
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("%d bytes differ from archive/zip's %d", out.Len(), len(want))
			}
			if tc.rows != "" && written < out.Len()/2 {
				t.Errorf("%d of %d bytes written when the rows were made: the rows were held", written, out.Len())
			}
		})
	}
}
