package record

import (
	"reflect"
	"testing"
	"unsafe"

	"doithoai/schemas"
)

func TestCells(t *testing.T) {
	code := Cell{Text: "29956-0602", Col: 2, Ref: "B10"}
	name := Cell{Text: "Nguyễn Văn Trí", Col: 3, Ref: "C10"}
	year := Cell{Text: "1979", Num: 1979, IsNum: true, Col: 4, Ref: "D10"}
	with := func(f schemas.FieldID, c Cell) Cell { c.Field = f; return c }
	tests := []struct {
		name string
		set  []Cell // in order, through Set
		want Cells
	}{
		{name: "none", want: nil},
		{name: "NoField is dropped", set: []Cell{code}, want: nil},
		{name: "sorted whatever the order",
			set:  []Cell{with(schemas.IDBirthYear, year), with(schemas.IDHouseholdCode, code), with(schemas.IDHeadName, name)},
			want: Cells{with(schemas.IDHouseholdCode, code), with(schemas.IDHeadName, name), with(schemas.IDBirthYear, year)}},
		{name: "a field once, the last cell wins",
			set:  []Cell{with(schemas.IDHeadName, code), with(schemas.IDHeadName, name)},
			want: Cells{with(schemas.IDHeadName, name)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cs Cells
			for _, c := range tt.set {
				cs.Set(c.Field, c)
			}
			if !reflect.DeepEqual(cs, tt.want) {
				t.Fatalf("Set: %+v, want %+v", cs, tt.want)
			}
			if r := RowOf(10, tt.set...); r.Row != 10 || !reflect.DeepEqual(r.Cells, tt.want) {
				t.Fatalf("RowOf: %+v, want cells %+v", r, tt.want)
			}
			for id := schemas.NoField; int(id) <= schemas.NumFields; id++ {
				var want Cell
				has := false
				for _, c := range tt.want {
					if c.Field == id {
						want, has = c, true
					}
				}
				got, ok := cs.Get(id)
				if ok != has || got != want || cs.Has(id) != has || cs.At(id) != want {
					t.Errorf("field %v: Get = %+v, %v; Has %v; want %+v, %v", id, got, ok, cs.Has(id), want, has)
				}
			}
		})
	}
}

// TestCellSize: the field rides in the padding after the two bools, so a
// cell costs no more than before it carried its field.
func TestCellSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("64-bit layout")
	}
	if n := unsafe.Sizeof(Cell{}); n != 72 {
		t.Errorf("record.Cell is %d bytes, want 72", n)
	}
}
