package read

import (
	"context"
	"io/fs"
	"path/filepath"
	"reflect"
	"testing"

	"doithoai/pipeline/record"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// TestBuildBlockAgrees builds every candidate header block (each top row,
// one to three rows deep, as findHeaderOK tries them) of every sheet of
// the samples, the real-world corpus and the test files, and of
// generated sheets with merges, with buildBlock and with buildBlockOld:
// the blocks must be the same.
func TestBuildBlockAgrees(t *testing.T) {
	blocks := 0
	check := func(t *testing.T, name string, s *grid.Sheet) {
		t.Helper()
		v := newSheetView(s)
		for si := range v.tops {
			for depth := 1; depth <= 3 && si+depth <= len(v.tops); depth++ {
				rows := v.tops[si : si+depth]
				if rows[depth-1] != rows[0]+depth-1 {
					break
				}
				rows = append([]int(nil), rows...)
				got, want := buildBlock(v, rows), buildBlockOld(v, rows)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s, sheet %q, rows %v: blocks differ:\n got %+v\nwant %+v", name, s.Name, rows, got, want)
				}
				blocks++
			}
		}
	}
	t.Run("generated", func(t *testing.T) {
		s := rosterSheet(40)
		check(t, "roster", s)
		// A two-row header with merged parents, a lost merge (a parent
		// carried right), a whole-row merge and a one-cell merge.
		s = rosterSheet(10)
		s.Rows = append([]grid.Row{{Num: 1, Cells: []grid.Cell{{Col: 1, Kind: grid.String, Text: "UBND XÃ A"}}},
			{Num: 2, Cells: []grid.Cell{{Col: 2, Kind: grid.String, Text: "Thông tin chủ hộ"}, {Col: 5, Kind: grid.String, Text: "Nhân khẩu"}, {Col: 9, Kind: grid.String, Text: "Ghi chú (nếu có)"}}}},
			s.Rows[1:]...)
		s.Merges = []grid.Merge{{FromRow: 2, FromCol: 2, ToRow: 2, ToCol: 4}, {FromRow: 1, FromCol: 1, ToRow: 1, ToCol: 300},
			{FromRow: 3, FromCol: 7, ToRow: 3, ToCol: 7}, {FromRow: 2, FromCol: 9, ToRow: 3, ToCol: 9}}
		check(t, "merged", s)
	})
	t.Run("files", func(t *testing.T) {
		root := readtest.SharedDir(t)
		for _, dir := range []string{filepath.Join(root, "samples"), filepath.Join(root, "corpus", "realworld"), "testdata"} {
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
				for i := range gw.Sheets {
					check(t, p, &gw.Sheets[i])
				}
				return nil
			})
		}
	})
	t.Logf("%d blocks agree", blocks)
	if blocks < 1000 {
		t.Errorf("only %d blocks compared", blocks)
	}
}

// newLabelOld is newLabel before one allocation held its candidates
// and folds (the reference of TestBuildBlockAgrees).
func newLabelOld(col int, texts []string) label {
	l := label{col: col, texts: texts}
	l.cands = l.candidates()
	l.folded = make([]string, len(l.cands))
	for i, c := range l.cands {
		l.folded[i] = foldLabel(c)
	}
	return l
}

// buildBlockOld is buildBlock before its texts, merge marks and labels
// were cut from a few flat slices (the reference of TestBuildBlockAgrees).
func buildBlockOld(v *sheetView, rows []int) *block {
	maxCol := 0
	for _, rn := range rows {
		if r := v.row(rn); r != nil {
			for _, c := range r.Cells {
				if c.Col <= maxHeaderCols && c.Col > maxCol {
					maxCol = c.Col
				}
			}
		}
	}
	first, last := rows[0], rows[len(rows)-1]
	for _, m := range v.s.Merges {
		if m.FromRow >= first && m.FromRow <= last && m.ToCol > maxCol {
			maxCol = min(m.ToCol, maxHeaderCols)
		}
	}
	if maxCol == 0 {
		return &block{rows: rows}
	}
	n := len(rows)
	t := make([][]string, n)
	merged := make([][]bool, n)
	for i, rn := range rows {
		t[i] = make([]string, maxCol+1)
		merged[i] = make([]bool, maxCol+1)
		for c := 1; c <= maxCol; c++ {
			t[i][c] = v.text(rn, c)
		}
	}
	for _, m := range v.s.Merges {
		if m.FromRow < first || m.FromRow > last || m.FromCol < 1 || m.FromCol > maxCol {
			continue
		}
		src := t[m.FromRow-first][m.FromCol]
		if src == "" {
			continue
		}
		for i, rn := range rows {
			if rn < m.FromRow || rn > m.ToRow {
				continue
			}
			for c := m.FromCol; c <= min(m.ToCol, maxCol); c++ {
				if rn == m.FromRow && c == m.FromCol {
					merged[i][c] = m.ToCol > m.FromCol || m.ToRow > m.FromRow
					continue
				}
				if t[i][c] == "" {
					t[i][c] = src
					merged[i][c] = true
				}
			}
		}
	}
	// Carry parents right where the file lost its merges.
	for i := 0; i < n-1; i++ {
		carry := ""
		for c := 1; c <= maxCol; c++ {
			switch {
			case merged[i][c]:
				carry = ""
			case t[i][c] != "":
				carry = t[i][c]
			case carry != "" && hasBelowOld(t, i, c):
				t[i][c] = carry
			default:
				carry = ""
			}
		}
	}
	b := &block{rows: rows}
	for c := 1; c <= maxCol; c++ {
		var texts []string
		for i := 0; i < n; i++ {
			if s := t[i][c]; s != "" && (len(texts) == 0 || texts[len(texts)-1] != s) {
				texts = append(texts, s)
			}
		}
		if len(texts) > 0 {
			b.labels = append(b.labels, newLabelOld(c, texts))
		}
	}
	return b
}

func hasBelowOld(t [][]string, i, c int) bool {
	for j := i + 1; j < len(t); j++ {
		if t[j][c] != "" {
			return true
		}
	}
	return false
}
