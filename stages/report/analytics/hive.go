package analytics

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"doithoai/pipeline/plan"
)

// The Hive-partitioned copy of the tables, beside the flat files:
//
//	<dir>/<table>/province=<p>/district=<d>/year=<y>/quarter=<q>/commune_code=<c>/part-0.parquet
//
// The partition columns live in the path only, not in the files (the
// convention of Hive, Spark, Arrow and DuckDB's own partitioned writer;
// DuckDB's hive_partitioning reads them back as columns, and a reader that
// found them in the file too would see them twice). A partition file holds
// the flat table's columns but commune_code, in the same order, for the
// rows of one commune; reading every partition of a table, with the path's
// values as columns, gives the flat file's rows. Values are percent-escaped
// (Hive's and DuckDB's decoding); a missing one is DefaultPartition, which
// DuckDB, Spark and Arrow read as null.
const (
	// PartitionColumn is the column whose value splits a table into
	// partitions; it is the innermost key.
	PartitionColumn = "commune_code"
	// DefaultPartition is the partition value of a null: rows of no
	// commune (a rejected file of unknown commune, cluster-level figures),
	// and the district of a plan without one.
	DefaultPartition = "__HIVE_DEFAULT_PARTITION__"
	// PartFile is the one file of each partition.
	PartFile = "part-0.parquet"
)

// Partition keys, outermost first; the plan gives all but the innermost.
const (
	KeyProvince = "province" // the plan's district.province_code
	KeyDistrict = "district" // the plan's district.code (none after the 2025 reform)
	KeyYear     = "year"     // the plan's year
	KeyQuarter  = "quarter"  // the plan's dialogue quarter, 1..4
)

// PartitionKeys lists the partition keys, outermost first.
var PartitionKeys = []string{KeyProvince, KeyDistrict, KeyYear, KeyQuarter, PartitionColumn}

// partKey is one level of a partition path; value "" is a null.
type partKey struct{ key, value string }

// planPartitions are the partition keys the plan fixes for every row: the
// province and district of the plan and its dialogue period. Without a
// plan all four are null.
func planPartitions(p *plan.Plan) []partKey {
	if p == nil {
		return []partKey{{KeyProvince, ""}, {KeyDistrict, ""}, {KeyYear, ""}, {KeyQuarter, ""}}
	}
	num := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	return []partKey{
		{KeyProvince, strings.TrimSpace(p.District.ProvinceCode)},
		{KeyDistrict, strings.TrimSpace(p.District.Code)},
		{KeyYear, num(p.Year)},
		{KeyQuarter, num(p.DialogueQuarter)},
	}
}

// partPath is the relative folder of a partition: key=value levels joined
// with the OS separator.
func partPath(keys []partKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.key + "=" + EscapeValue(k.value)
	}
	return filepath.Join(parts...)
}

// EscapeValue is a partition value as written in a folder name: "" is
// DefaultPartition; bytes other than ASCII letters, digits, '-' and '_'
// are %XX-escaped, so a value never holds a separator, '=', or a name
// Windows refuses, and DuckDB, Spark and Arrow decode it back.
func EscapeValue(v string) string {
	if v == "" {
		return DefaultPartition
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// writeParts writes one file per commune of the table's rows (rows without
// a commune together in the DefaultPartition) under tableDir, below the
// fixed partition levels, and returns their paths in order of commune
// code. A table without rows has no partition. Up to runtime.GOMAXPROCS
// files are written at once (each is small: one commune's rows; the time
// goes mostly to creating and syncing files); the first error in commune
// order is returned.
func (t *table[T]) writeParts(ctx context.Context, tableDir string, fixed []partKey) ([]string, error) {
	ci := slices.IndexFunc(t.cols, func(c col[T]) bool { return c.field.Name == PartitionColumn })
	if ci < 0 || t.cols[ci].str == nil {
		return nil, fmt.Errorf("no string column %s to partition by", PartitionColumn)
	}
	key := t.cols[ci].str
	cols := slices.Delete(slices.Clone(t.cols), ci, ci+1)
	groups := map[string][]int{}
	for i := range t.rows {
		v, ok := key(&t.rows[i])
		if !ok {
			v = ""
		}
		groups[v] = append(groups[v], i)
	}
	values := make([]string, 0, len(groups))
	for v := range groups {
		values = append(values, v)
	}
	sort.Strings(values)
	base := filepath.Join(tableDir, partPath(fixed))
	paths := make([]string, len(values))
	errs := make([]error, len(values))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(values)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				v := values[k]
				idx := groups[v]
				paths[k] = filepath.Join(base, partPath([]partKey{{PartitionColumn, v}}), PartFile)
				if err := t.writeRows(ctx, paths[k], cols, len(idx), func(i int) *T { return &t.rows[idx[i]] }); err != nil {
					errs[k] = fmt.Errorf("partition %s: %w", v, err)
				}
			}
		}()
	}
	for k := range values {
		if ctx.Err() != nil {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// prune removes from tableDir every file that is not in keep (partitions
// of an earlier run that have no rows now, an earlier plan's period or
// district, temporaries of a killed run), then every folder left empty but
// tableDir itself, so no stale partition is ever counted twice.
func prune(tableDir string, keep []string) error {
	kept := make(map[string]bool, len(keep))
	for _, p := range keep {
		kept[filepath.Clean(p)] = true
	}
	var dirs []string
	err := filepath.WalkDir(tableDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == tableDir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			if p != tableDir {
				dirs = append(dirs, p)
			}
			return nil
		}
		if kept[filepath.Clean(p)] {
			return nil
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale partition file: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Deepest first; a folder that still holds a kept file stays.
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	for _, d := range dirs {
		if ents, err := os.ReadDir(d); err == nil && len(ents) == 0 {
			if err := os.Remove(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove stale partition folder: %w", err)
			}
		}
	}
	return nil
}
