package xl

import (
	"path/filepath"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

// TestAdminHeaderStreamedSameAsDirect: the administrative header of a
// streamed sheet is the one of a direct sheet (its rows' heights are
// worked out from the widths set so far, the streamed sheet's included),
// whatever widths were set: none, 0, some set twice, texts of "_xHHHH_"
// with DirectTexts.
func TestAdminHeaderStreamedSameAsDirect(t *testing.T) {
	p := &plan.Plan{}
	p.District.Name = "Huyện Hồng Ngự"
	p.District.Office = "Phòng Lao động - Thương binh và Xã hội"
	for _, c := range []struct {
		name   string
		widths [][]float64
	}{
		{"none", nil},
		{"narrow", [][]float64{{5, 5, 5, 5, 5, 5}}},
		{"wide", [][]float64{{6, 24, 10, 9, 16, 22, 14, 20, 18}}},
		{"zero", [][]float64{{0, 8, 0, 8, 0, 8}}},
		{"twice", [][]float64{{30, 30, 30, 30, 30}, {4, 4}}},
		{"zero after", [][]float64{{12, 12, 12, 12, 12}, {0, 0, 0}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			save := func(streamed bool) string {
				b := NewBook()
				s := b.Sheet("Danh sách")
				if streamed {
					b = NewBook()
					s = b.StreamSheet("Danh sách")
					s.DirectTexts()
				}
				for _, ws := range c.widths {
					s.Widths(ws...)
				}
				row := s.AdminHeader(p, 1, 4, 9)
				s.Put(1, row, "mã _x0041_ của xã", Text)
				path := filepath.Join(t.TempDir(), "b.xlsx")
				if err := b.Save(path); err != nil {
					t.Fatal(err)
				}
				return path
			}
			_, diffs, err := xldiff.Files(save(false), save(true))
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range diffs {
				t.Error(d)
			}
		})
	}
}
