package read

import (
	"context"
	"io/fs"
	"path/filepath"
	"reflect"
	"testing"

	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// TestTableBuilderAgrees maps every sheet of the samples, the real-world
// corpus and the test files, and generated rosters (Unicode, VNI, TCVN3,
// with number rows, repeated headers, headings, footers and duplicate
// rows), with the row-by-row table builder and with the extractTable it
// replaced: tables and findings must be the same.
func TestTableBuilderAgrees(t *testing.T) {
	fc := fileCtx{sub: record.Submission{ID: "x", Path: "29956/x.xlsx"}}
	legacy := 0 // legacy-encoding findings seen
	check := func(t *testing.T, name string, s *grid.Sheet) int {
		t.Helper()
		v := newSheetView(s)
		if len(v.tops) == 0 {
			return 0
		}
		n := 0
		for _, thr := range []threshold{strongHeader, weakHeader} {
			m := findHeader(v, schemaIndexes(), thr)
			if m == nil {
				continue
			}
			n++
			wantT, wantF := extractTableOld(v, m, fc)
			gotT, gotF := extractTable(v, m, fc)
			if !reflect.DeepEqual(gotT, wantT) {
				t.Fatalf("%s, sheet %q: the builder's table differs:\n got %+v\nwant %+v", name, s.Name, gotT, wantT)
			}
			for _, f := range wantF {
				if f.Code == "legacy-encoding" {
					legacy++
				}
			}
			if !reflect.DeepEqual(gotF, wantF) {
				t.Fatalf("%s, sheet %q: the builder's findings differ:\n got %+v\nwant %+v", name, s.Name, gotF, wantF)
			}
		}
		return n
	}

	t.Run("generated", func(t *testing.T) {
		for _, enc := range []vntext.Encoding{vntext.Unicode, vntext.VNI, vntext.TCVN3} {
			s := rosterSheet(300)
			for i := range s.Rows {
				for j := range s.Rows[i].Cells {
					if c := &s.Rows[i].Cells[j]; c.Kind == grid.String && enc != vntext.Unicode {
						c.Text = spell(c.Text, enc)
					}
				}
			}
			// A number row, a repeated header, a heading, a duplicate row
			// number and a footer.
			rows := s.Rows
			hdr := rows[1]
			var num []grid.Cell
			for j := range hdr.Cells {
				num = append(num, grid.Cell{Col: j + 1, Kind: grid.Number, Text: itoa(j + 1), Num: float64(j + 1)})
			}
			out := []grid.Row{rows[0], hdr, {Num: 4, Cells: num}}
			for i, r := range rows[2:] {
				r.Num += 2
				out = append(out, r)
				switch i {
				case 50:
					rep := hdr
					rep.Num = r.Num + 1
					out = append(out, rep)
				case 80:
					out = append(out, grid.Row{Num: r.Num + 1, Cells: []grid.Cell{{Col: 1, Kind: grid.String, Text: "II. Ấp 2"}}})
				}
			}
			for i := range out[3:] {
				out[3+i].Num = 5 + i
			}
			dup := out[40]
			out = append(out[:41], append([]grid.Row{dup}, out[41:]...)...)
			last := out[len(out)-1].Num
			out = append(out, grid.Row{Num: last + 2, Cells: []grid.Cell{{Col: 2, Kind: grid.String, Text: "Người lập biểu"}}},
				grid.Row{Num: last + 3, Cells: []grid.Cell{{Col: 1, Kind: grid.Number, Text: "9", Num: 9}, {Col: 3, Kind: grid.String, Text: "after"}}})
			s.Rows = out
			before := legacy
			if check(t, enc.String(), s) == 0 {
				t.Fatalf("%s: no header found", enc)
			}
			if (legacy > before) != (enc != vntext.Unicode) {
				t.Errorf("%s: %d legacy-encoding findings", enc, legacy-before)
			}
		}
	})

	t.Run("files", func(t *testing.T) {
		root := readtest.SharedDir(t)
		dirs := []string{filepath.Join(root, "samples"), filepath.Join(root, "corpus", "realworld"), "testdata"}
		files, tables := 0, 0
		for _, dir := range dirs {
			_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return nil
				}
				sub := record.Submission{Path: filepath.Base(p), ArchivePath: p}
				kind, _, err := sniff(sub, grid.DefaultLimits)
				if err != nil || kind == kindOther || kind == kindDocument {
					return nil
				}
				gw, err := decode(context.Background(), kind, p, grid.DefaultLimits)
				if err != nil || gw == nil {
					return nil
				}
				files++
				for i := range gw.Sheets {
					tables += check(t, p, &gw.Sheets[i])
				}
				return nil
			})
		}
		t.Logf("%d files, %d tables agree", files, tables)
	})
}

func itoa(n int) string { return grid.NumText(float64(n)) }
