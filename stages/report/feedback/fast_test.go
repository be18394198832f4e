package feedback

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/quarterly/xl"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

// entries is a zip's entries in order, each with its uncompressed bytes.
func entries(t *testing.T, path string) (names []string, content map[string][]byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	content = map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc) // checks the CRC
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %s: %v", path, f.Name, err)
		}
		names = append(names, f.Name)
		content[f.Name] = b
	}
	return names, content
}

// TestFastSameAsBefore writes the feedback of the fixture, of the sample
// set (skipped when absent) and of a generated inbox with findings of
// every kind, once as before the faster writing (streamed sheets with
// comments through excelize's AddComment, the theme marshalled by
// excelize, deflate level 5) and once as now (comments written by xl, the
// theme part stored, deflate level 1), and checks that the
// commune receives the same thing: the same zip entries in the same
// order, each with the very same uncompressed bytes (sheets, cells,
// values, styles, comments and their boxes, merges, widths, panes, print
// setup, document properties), the same workbook through xldiff, the same
// text files and manifest byte for byte. It logs the size ratio.
func TestFastSameAsBefore(t *testing.T) {
	cases := []struct {
		name string
		data func(t *testing.T) (*plan.Plan, *record.Dataset)
	}{
		{"fixture", fixture},
		{"samples", samples},
		{"generated", func(t *testing.T) (*plan.Plan, *record.Dataset) {
			p, ds := generated(t, 3, 150)
			addProblems(ds)
			return p, ds
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, ds := tc.data(t)
			before, now := filepath.Join(t.TempDir(), "before"), filepath.Join(t.TempDir(), "now")
			func() {
				defer func(level int, on bool) { deflateLevel = level; xl.SetShortcuts(on) }(deflateLevel, xl.SetShortcuts(false))
				deflateLevel = 0
				if _, err := Write(context.Background(), before, p, ds); err != nil {
					t.Fatal(err)
				}
			}()
			if _, err := Write(context.Background(), now, p, ds); err != nil {
				t.Fatal(err)
			}
			books, comments := 0, 0
			var sizeBefore, sizeNow int64
			err := filepath.WalkDir(before, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(before, path)
				other := filepath.Join(now, rel)
				if !strings.HasSuffix(path, ".xlsx") {
					a, _ := os.ReadFile(path)
					b, err := os.ReadFile(other)
					if err != nil || !bytes.Equal(a, b) {
						t.Errorf("%s differs (%v)", rel, err)
					}
					return nil
				}
				books++
				fa, _ := os.Stat(path)
				fb, err := os.Stat(other)
				if err != nil {
					t.Fatal(err)
				}
				sizeBefore += fa.Size()
				sizeNow += fb.Size()
				na, ca := entries(t, path)
				nb, cb := entries(t, other)
				if strings.Join(na, "\n") != strings.Join(nb, "\n") {
					t.Errorf("%s: entries %v, now %v", rel, na, nb)
				}
				for _, name := range na {
					if !bytes.Equal(ca[name], cb[name]) {
						t.Errorf("%s: %s differs:\n%.400s\n%.400s", rel, name, ca[name], cb[name])
					}
					if strings.HasPrefix(name, "xl/comments") {
						comments += bytes.Count(ca[name], []byte("<comment "))
					}
				}
				_, diffs, err := xldiff.Files(path, other)
				if err != nil {
					t.Fatal(err)
				}
				for i, d := range diffs {
					if i == 10 {
						break
					}
					t.Errorf("%s: %s", rel, d)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if books == 0 || books != len(ds.Submissions) {
				t.Fatalf("compared %d workbooks for %d submissions", books, len(ds.Submissions))
			}
			if tc.name == "generated" && comments == 0 {
				t.Error("no comments compared")
			}
			t.Logf("%d workbooks, %d comments; size now ÷ before %.3f (%d ÷ %d bytes)", books, comments, float64(sizeNow)/float64(sizeBefore), sizeNow, sizeBefore)
		})
	}
}
