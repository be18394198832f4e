package xlsxzip

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// unzip is every entry of a zip in order, with its content (read back
// through archive/zip, which checks the CRC and sizes).
func unzip(t *testing.T, b []byte) (names []string, content map[string]string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	content = map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		names = append(names, f.Name)
		content[f.Name] = string(x)
	}
	return names, content
}

// TestLevel writes the same parts at every deflate level, with and
// without a cache shared across levels: the same entries and content
// read back; level 0 and DefaultLevel give archive/zip's bytes even
// after the shared cache met the parts at other levels; the fastest level
// is smaller than Huffman-only coding and larger than the default.
func TestLevel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	big := randomXML(r, 3*DefaultMaxPart)
	small := randomXML(r, 4000)
	parts := []testPart{
		{"[Content_Types].xml", []string{small}},
		{"xl/worksheets/sheet1.xml", []string{big[:100], big[100:]}},
		{"xl/styles.xml", []string{small}},
	}
	want := reference(t, parts)
	wantNames, wantContent := unzip(t, want)
	cache := NewCache(0, 0)
	sizes := map[int]int{}
	for _, level := range []int{flate.BestSpeed, 0, flate.HuffmanOnly, 3, DefaultLevel, flate.BestCompression} {
		for _, opt := range []Options{{Level: level}, {Level: level, Cache: cache}, {Level: level, Cache: cache}} {
			got := ours(t, parts, opt)
			names, content := unzip(t, got)
			if strings.Join(names, ",") != strings.Join(wantNames, ",") {
				t.Errorf("level %d: entries %v", level, names)
			}
			for k, v := range wantContent {
				if content[k] != v {
					t.Errorf("level %d: %s differs", level, k)
				}
			}
			if (level == 0 || level == DefaultLevel) && !bytes.Equal(got, want) {
				t.Errorf("level %d: not archive/zip's bytes", level)
			}
			sizes[level] = len(got)
		}
	}
	if !(sizes[flate.BestSpeed] < sizes[flate.HuffmanOnly] && sizes[flate.BestSpeed] > sizes[DefaultLevel]) {
		t.Errorf("sizes by level: %v", sizes)
	}
	var buf bytes.Buffer
	zw := New(&buf, Options{Level: 12})
	if _, err := zw.Create("a.xml"); err == nil {
		t.Error("level 12 accepted")
	}
}
