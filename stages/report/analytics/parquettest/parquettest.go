// Package parquettest reads the analysts' Parquet tables back in tests,
// with a fresh arrow-go reader, as another program would: a flat file
// (ReadBack) or a Hive-partitioned table folder (ReadHive).
package parquettest

import (
	"context"
	"io/fs"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
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

// HiveNull is the partition value Hive, Spark, Arrow and DuckDB read as
// null.
const HiveNull = "__HIVE_DEFAULT_PARTITION__"

// Part is one file of a Hive-partitioned table.
type Part struct {
	Rel    string         // path below the table folder, '/'-separated
	Keys   []string       // partition keys of the path, outermost first
	Values map[string]any // partition values: decoded strings, nil for HiveNull
	Schema *arrow.Schema  // the file's own schema (without the partition columns)
	Groups int            // row groups
	Rows   []map[string]any
}

// ReadHive reads every *.parquet file below root, a Hive-partitioned table
// folder (root/k1=v1/k2=v2/…/file.parquet), with ReadBack, sorted by path.
// Each row gets its path's partition values as columns, as DuckDB's
// hive_partitioning would give them (strings, %XX escapes decoded, nil for
// HiveNull). A path level that is not key=value, a file whose own columns
// include a partition key, or two files of one partition with different
// keys fail t.
func ReadHive(t testing.TB, root string) []Part {
	t.Helper()
	var parts []Part
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".parquet") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		part := Part{Rel: filepath.ToSlash(rel), Values: map[string]any{}}
		levels := strings.Split(part.Rel, "/")
		for _, lv := range levels[:len(levels)-1] {
			k, v, ok := strings.Cut(lv, "=")
			if !ok || k == "" {
				t.Errorf("%s: level %q is not key=value", part.Rel, lv)
				continue
			}
			part.Keys = append(part.Keys, k)
			if v == HiveNull {
				part.Values[k] = nil
				continue
			}
			dec, err := url.PathUnescape(v)
			if err != nil {
				t.Errorf("%s: partition value %q: %v", part.Rel, v, err)
			}
			part.Values[k] = dec
		}
		sc, groups, rows := ReadBack(t, p)
		part.Schema, part.Groups = sc, groups
		for _, k := range part.Keys {
			if len(sc.FieldIndices(k)) > 0 {
				t.Errorf("%s: partition column %s is also in the file", part.Rel, k)
			}
		}
		for _, r := range rows {
			for k, v := range part.Values {
				r[k] = v
			}
		}
		part.Rows = rows
		parts = append(parts, part)
		return nil
	})
	if err != nil {
		t.Fatalf("read Hive table %s: %v", root, err)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Rel < parts[j].Rel })
	return parts
}

// HiveRows is every row of parts, in order.
func HiveRows(parts []Part) []map[string]any {
	var out []map[string]any
	for _, p := range parts {
		out = append(out, p.Rows...)
	}
	return out
}
