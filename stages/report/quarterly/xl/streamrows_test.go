package xl

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// TestStreamRowsSameAsGrid saves books whose sheets get the same rows once
// through the sheet's calls and once from a RowSource, with other rows
// (a merged title, rows between and below the streamed ones, a row both
// give) made by the sheet's calls in both: every zip entry has the same
// bytes. A value the rows cannot be written with directly is ErrNotDirect.
func TestStreamRowsSameAsGrid(t *testing.T) {
	texts := []string{"", " lề trái", "dòng 1\ndòng 2", `"nháy" & 'đơn' <b>`, "Nguyễn Thị Mỹ Lệ", "0912 345 678", "=SUM(A1)", "\x01bỏ", "x_"}
	type call struct {
		col, kind, style int
		v                any
	}
	for seed := range uint64(4) {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 11))
			// The streamed rows' calls, drawn once.
			rows := map[int][]call{}
			var order []int
			for row := 4; row <= 400; row++ {
				if r.IntN(5) == 0 {
					continue
				}
				order = append(order, row)
				for range 1 + r.IntN(10) {
					c := call{col: 1 + r.IntN(12), kind: r.IntN(4), style: 1 + r.IntN(5)}
					switch r.IntN(4) {
					case 0:
						c.v = Blank{}
					case 1:
						c.v = r.IntN(100000)
					case 2:
						c.v = r.Float64() * 1e4
					default:
						c.v = texts[r.IntN(len(texts))]
					}
					rows[row] = append(rows[row], c)
				}
			}
			common := func(b *Book, s *Sheet) {
				s.Merge(1, 1, 4, "Tiêu đề", Title)
				s.Row(2, Header, "A", "B", "C")
				s.Put(2, order[3], "ô của lưới", Text) // a row both give
				s.Put(3, order[len(order)/2]+0, Blank{}, Header)
				s.Put(1, 600, "dưới bảng", Plain)
				s.Height(601, 30)
				s.Widths(8, 20, 12)
				s.Setup(Print{Landscape: true, TitleRows: [2]int{2, 2}, FreezeRows: 2})
			}
			apply := func(put func(col int, v any, st int), blanks func(c1, c2, st int), style func(col, st int), fit func(texts []string, ws []float64), cs []call) {
				var ts []string
				for _, c := range cs {
					switch c.kind {
					case 0:
						put(c.col, c.v, c.style)
					case 1:
						blanks(1, c.col, c.style)
					case 2:
						style(c.col, c.style)
					default:
						if s, ok := c.v.(string); ok {
							ts = append(ts, s+" một hai ba bốn năm sáu bảy tám chín mười")
						}
					}
				}
				fit(ts, []float64{6, 8, 10})
			}
			save := func(stream bool) map[string][]byte {
				b := NewLazyBook()
				s := b.StreamSheet("Dữ liệu")
				ids := make([]int, 6)
				for i := range ids {
					ids[i] = s.StyleIDOf(Style(i))
				}
				common(b, s)
				if !stream {
					for _, row := range order {
						apply(func(col int, v any, st int) { s.Put(col, row, v, Style(st)) },
							func(c1, c2, st int) { s.Blanks(c1, c2, row, Style(st)) },
							func(col, st int) { s.StyleID(col, row, col, row, ids[st]) },
							func(ts []string, ws []float64) { s.FitHeight(row, 15, ts, ws) }, rows[row])
					}
				} else {
					s.StreamRows(func(w *RowWriter) error {
						for _, row := range order {
							if err := w.Row(row); err != nil {
								return err
							}
							apply(func(col int, v any, st int) { w.Put(col, v, ids[st]) },
								func(c1, c2, st int) { w.Blanks(c1, c2, ids[st]) },
								func(col, st int) { w.StyleID(col, ids[st]) },
								func(ts []string, ws []float64) { w.FitHeight(15, ts, ws) }, rows[row])
						}
						return nil
					})
				}
				path := filepath.Join(t.TempDir(), "b.xlsx")
				if err := b.Save(path); err != nil {
					t.Fatal(err)
				}
				return zipEntries(t, path)
			}
			grid, streamed := save(false), save(true)
			if n := bytes.Count(streamed["xl/worksheets/sheet1.xml"], []byte("<row ")); n < len(order)*3/4 || !bytes.Contains(streamed["xl/worksheets/sheet1.xml"], []byte(`<row r="601"`)) {
				t.Fatalf("%d rows written of %d streamed, or not the grid's last", n, len(order))
			}
			if len(grid) != len(streamed) {
				t.Fatalf("%d entries, streamed %d", len(grid), len(streamed))
			}
			for name, a := range grid {
				if !bytes.Equal(a, streamed[name]) {
					t.Errorf("%s differs:\n%.600s\n%.600s", name, a, streamed[name])
				}
			}
		})
	}
	t.Run("not direct", func(t *testing.T) {
		b := NewLazyBook()
		s := b.StreamSheet("Dữ liệu")
		id := s.StyleIDOf(Text)
		s.StreamRows(func(w *RowWriter) error {
			if err := w.Row(3); err != nil {
				return err
			}
			w.Put(1, "_x0041_", id)
			return nil
		})
		if err := b.Save(filepath.Join(t.TempDir(), "b.xlsx")); !errors.Is(err, ErrNotDirect) {
			t.Fatalf("Save: %v, want ErrNotDirect", err)
		}
	})
}

// zipEntries is a zip's uncompressed entries by name.
func zipEntries(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}
