package record

import (
	"slices"

	"doithoai/schemas"
)

// Cells are the cells of one source row: at most one per field, sorted by
// Field, each carrying its field. A roster row of eleven columns is one
// slice of eleven 72-byte cells, with no per-row map, keys or buckets.
// The zero value (nil) is a row without cells; the reader, the extract
// decoder, Set and RowOf never make an empty non-nil one, so their rows
// compare equal with reflect.DeepEqual (the extract's round-trip check).
type Cells []Cell

// search returns the index of f's cell, or where it would go.
func (cs Cells) search(f schemas.FieldID) (int, bool) {
	// A row has a dozen cells at most: a linear scan beats a binary
	// search and stops at the first larger field.
	for i := range cs {
		switch {
		case cs[i].Field == f:
			return i, true
		case cs[i].Field > f:
			return i, false
		}
	}
	return len(cs), false
}

// Get returns the cell of field f, and whether the row has one.
func (cs Cells) Get(f schemas.FieldID) (Cell, bool) {
	if i, ok := cs.search(f); ok {
		return cs[i], true
	}
	return Cell{}, false
}

// At returns the cell of field f, or the zero Cell when the row has none
// (like indexing a map).
func (cs Cells) At(f schemas.FieldID) Cell {
	c, _ := cs.Get(f)
	return c
}

// Has reports whether the row has a cell of field f.
func (cs Cells) Has(f schemas.FieldID) bool {
	_, ok := cs.search(f)
	return ok
}

// Set stores c as the cell of field f (c.Field is set to f), replacing the
// row's cell of f if it has one and keeping the cells sorted. A cell of
// NoField is ignored.
func (cs *Cells) Set(f schemas.FieldID, c Cell) {
	if f == schemas.NoField {
		return
	}
	c.Field = f
	i, ok := cs.search(f)
	if ok {
		(*cs)[i] = c
		return
	}
	*cs = slices.Insert(*cs, i, c)
}

// RowOf returns the source row numbered row with the cells, each stored
// under its own Field (see Cells.Set: a later cell of the same field
// replaces an earlier one, cells of NoField are dropped).
func RowOf(row int, cells ...Cell) SourceRow {
	sr := SourceRow{Row: row}
	for _, c := range cells {
		sr.Cells.Set(c.Field, c)
	}
	return sr
}
