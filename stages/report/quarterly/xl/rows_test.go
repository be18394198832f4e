package xl

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRowsXMLSameAsSetRow saves books of streamed sheets with their rows
// written by rows.go and by StreamWriter.SetRow: the files are the same
// bytes, whatever the values (texts needing escapes, spaces kept, line
// breaks, numbers, heights, styled blanks, and what goes through SetRow:
// dates, "_xHHHH_").
func TestRowsXMLSameAsSetRow(t *testing.T) {
	defer func(v bool) { directRows = v }(directRows)
	texts := []string{"", " lề trái", "lề phải ", "\tthẻ", "dòng 1\ndòng 2", "a\r\nb", `"nháy" & 'đơn' <b>`, "Nguyễn Thị Mỹ Lệ", "0912 345 678", "=SUM(A1)", "\U0001F600 mặt cười", "x\uFFFDy", "\x01bỏ", "_y", "x_", "_X0041_", "ho_xa_1.xlsx", "_x004_", "_x0041", "a_xG123_", "_x12345_"}
	values := func(r *rand.Rand, fallback bool) any {
		switch r.IntN(9) {
		case 0:
			return Blank{}
		case 1:
			return r.IntN(100000) - 500
		case 2:
			return r.Float64() * 1e6
		case 3:
			return 1.0 / 3
		case 4:
			return float64(r.IntN(10)) / 10
		case 5:
			if fallback {
				return []any{time.Date(1899, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), "_x0041_ mã"}[r.IntN(4)]
			}
			return int64(r.IntN(9))
		case 6:
			// Dates written directly (and, at the edges, through SetRow).
			return []time.Time{time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
				time.Date(1999, 12, 31, 23, 59, 0, 0, time.FixedZone("ICT", 7*3600)), time.Date(2188, 1, 1, 0, 0, 0, 0, time.UTC),
				time.Date(2100, 2, 28, 0, 0, 0, 0, time.UTC), {}}[r.IntN(6)]
		}
		return texts[r.IntN(len(texts))]
	}
	for seed := range uint64(6) {
		fallback := seed%3 == 2
		t.Run(fmt.Sprintf("seed %d fallback %v", seed, fallback), func(t *testing.T) {
			save := func(direct bool) []byte {
				directRows = direct
				r := rand.New(rand.NewPCG(seed, 7))
				b := NewLazyBook()
				for si := range 3 {
					s := b.StreamSheet(fmt.Sprintf("Trang %d", si+1))
					if si == 1 && !fallback {
						s.DirectTexts() // the same without "_xHHHH_"
					}
					for row := 1; row <= 60; row++ {
						if r.IntN(8) == 0 {
							continue
						}
						for col := 1; col <= 1+r.IntN(12); col++ {
							st := Style(r.IntN(int(numStyles)))
							if r.IntN(6) == 0 {
								continue
							}
							s.Put(col, row, values(r, fallback && r.IntN(10) == 0), st)
						}
						if r.IntN(4) == 0 {
							s.Height(row, float64(r.IntN(50))+0.5)
						}
					}
					s.Height(70, 20) // a row of no cell
					s.Merge(2, 1, 3, "gộp", Title)
					s.Widths(6, 20, 12)
					s.Setup(Print{Landscape: true, TitleRows: [2]int{2, 2}, FreezeRows: 2})
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
				t.Errorf("rows written directly give %d bytes, SetRow %d: they differ", len(a), len(b))
			}
		})
	}
}
