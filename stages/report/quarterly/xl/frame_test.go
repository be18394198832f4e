package xl

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestFrameSameAsStreamWriter saves varied books of streamed sheets with
// their frames written by frame.go and by excelize's StreamWriter: the
// files are the same bytes. The sheets vary in widths (none, zero,
// fractional, set twice), merges (overlapping), heights, comments, print
// setups (none, one, two; panes of rows, columns or both; drafts; title
// rows), page breaks, empty sheets, rows from a RowSource, direct sheets
// between them, eager and lazy books.
func TestFrameSameAsStreamWriter(t *testing.T) {
	defer func(v bool) { directFrame = v }(directFrame)
	before := framedSheets.Load()
	for seed := range uint64(40) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			save := func(direct bool) []byte {
				directFrame = direct
				r := rand.New(rand.NewPCG(seed, 11))
				b := NewLazyBook()
				if r.IntN(3) == 0 {
					b = NewBook()
				}
				for si := range 1 + r.IntN(4) {
					name := fmt.Sprintf("Trang %d", si+1)
					if r.IntN(6) == 0 {
						d := b.Sheet(name)
						d.Put(1, 1, "trực tiếp", Text)
						continue
					}
					s := b.StreamSheet(name)
					if r.IntN(5) == 0 {
						continue // empty
					}
					if r.IntN(4) != 0 {
						ws := make([]float64, r.IntN(12))
						for i := range ws {
							ws[i] = []float64{0, 6, 8.5, 20, 12.25, 33}[r.IntN(6)]
						}
						s.Widths(ws...)
					}
					rows := 1 + r.IntN(30)
					for row := 1; row <= rows; row++ {
						for col := 1; col <= 1+r.IntN(8); col++ {
							if r.IntN(4) == 0 {
								continue
							}
							s.Put(col, row, []any{"chữ", 42, 1.5, Blank{}}[r.IntN(4)], Style(r.IntN(int(numStyles))))
						}
						if r.IntN(5) == 0 {
							s.Height(row, float64(r.IntN(40))+0.25)
						}
					}
					for range r.IntN(4) {
						r1, c1 := 1+r.IntN(rows), 1+r.IntN(6)
						s.MergeRange(r1, c1, r1+r.IntN(2), c1+r.IntN(3), "gộp", Title)
					}
					if r.IntN(3) == 0 {
						s.Widths(4, 4) // set again
					}
					for i := range r.IntN(4) {
						s.Comment(excelize.Comment{Cell: Cell(1+i, 1+r.IntN(rows)), Author: "doithoai",
							Paragraph: []excelize.RichTextRun{{Text: "Cần sửa: ", Font: &excelize.Font{Bold: true}}, {Text: "ô trống", Font: &excelize.Font{}}},
							Width:     200, Height: 60})
					}
					for i := range r.IntN(3) {
						titles := [2]int{r.IntN(3), 2}
						if i > 0 {
							titles = [2]int{} // a name is defined once
						}
						s.Setup(Print{Landscape: r.IntN(2) == 0, TitleRows: titles, FreezeRows: r.IntN(3), FreezeCols: r.IntN(3), Draft: r.IntN(3) == 0})
					}
					for range r.IntN(4) {
						s.PageBreak(1 + r.IntN(rows)) // row 1 breaks nothing; a row may break twice
					}
					if r.IntN(6) == 0 {
						id := s.StyleIDOf(Text)
						s.StreamRows(func(w *RowWriter) error {
							for row := rows + 2; row < rows+5; row++ {
								if err := w.Row(row); err != nil {
									return err
								}
								w.PutText(1, "dòng", id)
							}
							return nil
						})
					}
				}
				path := filepath.Join(t.TempDir(), "b.xlsx")
				if err := b.Save(path); err != nil {
					t.Fatal(err)
				}
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				return data
			}
			if a, b := save(true), save(false); !bytes.Equal(a, b) {
				t.Errorf("frames written here give %d bytes, by the StreamWriter %d: they differ", len(a), len(b))
			}
		})
	}
	t.Logf("framed %d", framedSheets.Load()-before)
	if framedSheets.Load()-before < 40 {
		t.Errorf("only %d frames written here", framedSheets.Load()-before)
	}
}
