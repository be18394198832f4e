// Package parquettest reads the analysts' Parquet tables back in tests,
// with a fresh arrow-go reader, as another program would.
package parquettest

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// ReadBack opens a written Parquet file with a fresh reader and returns its
// Arrow schema, its number of row groups and its rows as maps from column
// name to a Go value (nil for null; ints as int64; timestamps as UTC
// time.Time; dates as "YYYY-MM-DD").
func ReadBack(t testing.TB, path string) (*arrow.Schema, int, []map[string]any) {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("arrow reader %s: %v", path, err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	defer tbl.Release()
	sc := tbl.Schema()
	rows := make([]map[string]any, tbl.NumRows())
	for i := range rows {
		rows[i] = map[string]any{}
	}
	for c := 0; c < int(tbl.NumCols()); c++ {
		name := sc.Field(c).Name
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i, r = i+1, r+1 {
				rows[r][name] = Value(t, chunk, i)
			}
		}
	}
	return sc, rdr.NumRowGroups(), rows
}

// Value is the Go value of row i of an Arrow array (see ReadBack).
func Value(t testing.TB, a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Timestamp:
		return a.Value(i).ToTime(arrow.Millisecond).UTC()
	case *array.Date32:
		return a.Value(i).ToTime().Format("2006-01-02")
	}
	t.Fatalf("unexpected array type %s", a.DataType())
	return nil
}
