package template_test

import (
	"archive/zip"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"doithoai/bench/gen"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas/template"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

var allForms = []record.Form{record.FormM1, record.FormM2, record.FormM3, record.FormM4, record.FormM5}

// zipParts is a workbook's parts, uncompressed, in the zip's order.
func zipParts(t *testing.T, path string) (names []string, data map[string]string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	data = map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s %s: %v", path, f.Name, err)
		}
		names = append(names, f.Name)
		data[f.Name] = string(b)
	}
	return names, data
}

// trickyPlan is the embedded plan with texts the kit writer must not
// replace as it replaces plain texts: XML's special characters, an "_x"
// escape, a hamlet named as a column of the forms (one shared string for
// both), and one written like a placeholder (its commune's forms that list
// hamlets are written by excelize).
func trickyPlan(t *testing.T) *plan.Plan {
	t.Helper()
	src := string(plan.DefaultYAML())
	for old, new := range map[string]string{
		"Ấp Giồng Bàng": `"Ấp \"Giồng\" & <Bàng> 'Mới'"`,
		"Ấp Chòm Xoài":  `"Ấp _x0041_ Chòm Xoài"`,
		"Khóm Trung 2":  "Ghi chú",
		"Khóm Thượng 1": "Khóm \uE0000\uE001",
	} {
		if !strings.Contains(src, old) {
			t.Fatalf("the embedded plan has no %q", old)
		}
		src = strings.Replace(src, old, new, 1)
	}
	p, err := plan.Parse([]byte(src), "tricky.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestKitShapesSameWorkbooks: the kit writer (Sync's: one skeleton per
// shape, texts put in) writes, for every form of every commune compared,
// the workbook Write writes from the same KitOptions through excelize:
// the same parts, in the same order, each byte for byte once
// uncompressed, and the same workbook as xldiff reads it (cells, values,
// styles, merges, validations, widths, heights, panes, page setup,
// visibility, defined names, document properties). Plans: the embedded
// one (communes of 2 to 6 hamlets), one with texts needing XML escapes,
// and a generated plan of 120 communes (3 to 6 hamlets, clusters of 20),
// whose workbooks are nearly all written from a skeleton built for an
// earlier commune.
func TestKitShapesSameWorkbooks(t *testing.T) {
	big, err := plan.Parse(gen.PlanYAML(120, gen.DefaultClusterSize), "synthetic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		p      *plan.Plan
		pick   func(i int, c *plan.Commune) bool // the communes compared
		direct int                               // forms written by excelize
	}{
		{"embedded", plan.Default(), func(int, *plan.Commune) bool { return true }, 0},
		{"tricky", trickyPlan(t), func(int, *plan.Commune) bool { return true }, 4},
		{"generated", big, func(i int, c *plan.Commune) bool { return i < 8 || i%17 == 0 || i == 119 }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files, built, used, err := template.WriteKitsCounted(context.Background(), dir, tc.p, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 5*len(tc.p.Communes()) || used != len(files)-tc.direct {
				t.Fatalf("%d files, %d written from a skeleton, want %d", len(files), used, len(files)-tc.direct)
			}
			if tc.name == "generated" && built > len(files)/10 {
				t.Errorf("%d skeletons for %d workbooks", built, len(files))
			}
			hamlets := map[int]bool{}
			compared := 0
			for i, c := range tc.p.Communes() {
				if !tc.pick(i, c) {
					continue
				}
				hamlets[len(c.Hamlets)] = true
				for _, f := range allForms {
					got := filepath.Join(dir, template.KitFolder(c), template.KitFileName(f))
					want := filepath.Join(t.TempDir(), template.KitFileName(f))
					if err := template.Write(want, tc.p, template.KitOptions(tc.p, f, c)); err != nil {
						t.Fatal(err)
					}
					gn, gd := zipParts(t, got)
					wn, wd := zipParts(t, want)
					if strings.Join(gn, " ") != strings.Join(wn, " ") {
						t.Fatalf("%s %s: parts %v, want %v", c.Code, f, gn, wn)
					}
					for _, n := range wn {
						if gd[n] != wd[n] {
							t.Errorf("%s %s: part %s differs:\n%.600s\nwant\n%.600s", c.Code, f, n, gd[n], wd[n])
						}
					}
					cells, diffs, err := xldiff.Files(want, got)
					if err != nil {
						t.Fatal(err)
					}
					if cells == 0 || len(diffs) > 0 {
						t.Errorf("%s %s: %d cells compared, differences: %v", c.Code, f, cells, diffs)
					}
					compared++
				}
			}
			t.Logf("%d workbooks compared (communes of %v hamlets), %d skeletons for %d workbooks", compared, hamlets, built, len(files))
		})
	}
}
