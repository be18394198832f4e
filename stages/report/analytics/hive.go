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

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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

// partitionKey is the table's string column PartitionColumn: its value
// in a row and its position among the columns.
func (t *table[T]) partitionKey() (func(*T) (string, bool), int, error) {
	ci := slices.IndexFunc(t.cols, func(c col[T]) bool { return c.field.Name == PartitionColumn })
	if ci < 0 || t.cols[ci].str == nil {
		return nil, 0, fmt.Errorf("no string column %s to partition by", PartitionColumn)
	}
	return t.cols[ci].str, ci, nil
}

// partitions are a table's partitions, as a reading of its rows found
// them.
type partitions struct {
	byValue map[string]*partition
	last    *partition // the latest added: rows of a commune mostly come together
}

// partition is where the rows of one partition value are.
type partition struct {
	value string
	// k is the partition's position in order of value; round the reading
	// of the rows (see planRounds) that writes it.
	k, round int
	// n is the number of rows, first and last the positions in the table
	// of the first and the last; seen counts the rows met in a round.
	n, first, last, seen int
	// text is the length of the values of each string column of the
	// partition's files (partStrings), so that their builders reserve
	// exactly the room they need however the rows come.
	text []int
}

func newPartitions() *partitions { return &partitions{byValue: map[string]*partition{}} }

// add notes row i (rows in order) of partition value v and returns its
// partition; v may live only during the call.
func (ps *partitions) add(v string, i int) *partition {
	p := ps.last
	if p == nil || p.value != v {
		p = ps.byValue[v]
		if p == nil {
			p = &partition{value: strings.Clone(v), first: i}
			ps.byValue[p.value] = p
		}
		ps.last = p
	}
	p.n++
	p.last = i
	return p
}

// sorted lists the partitions in order of value, setting their k.
func (ps *partitions) sorted() []*partition {
	list := make([]*partition, 0, len(ps.byValue))
	for _, p := range ps.byValue {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].value < list[j].value })
	for k, p := range list {
		p.k = k
	}
	return list
}

// partitionBudget bounds the rows held at once by the partitions being
// written in one reading of a table's rows: a partition holds its rows
// (up to RowGroupRows: a bigger one writes a row group at a time) from its
// first row to its last. A variable so that tests can make it small.
var partitionBudget = 4 * RowGroupRows

// planRounds gives every partition the round (one reading of the rows) in
// which it is written, and returns the number of rounds. Partitions are
// taken in order of their first row; one joins the current round when,
// with those of the round still open at its first row, at most budget rows
// are held (a partition alone always fits), else it waits for a later
// round. Rows of each commune coming together (one current M1 file per
// commune), one round does; only many communes whose rows are far apart
// (files resubmitted long after) need more.
func planRounds(list []*partition, budget int) int {
	pending := slices.Clone(list)
	sort.Slice(pending, func(i, j int) bool { return pending[i].first < pending[j].first })
	rounds := 0
	for ; len(pending) > 0; rounds++ {
		var later []*partition
		var open []*partition // of this round, by last row
		held := 0
		for _, p := range pending {
			for len(open) > 0 && open[0].last < p.first {
				held -= min(open[0].n, RowGroupRows)
				open = open[1:]
			}
			cost := min(p.n, RowGroupRows)
			if held > 0 && held+cost > budget {
				later = append(later, p)
				continue
			}
			p.round = rounds
			held += cost
			at, _ := slices.BinarySearchFunc(open, p.last, func(q *partition, last int) int { return q.last - last })
			open = slices.Insert(open, at, p)
		}
		pending = later
	}
	return rounds
}

// partStrings are the positions of the string columns among cols.
func partStrings[T any](cols []col[T]) []int {
	var out []int
	for i, c := range cols {
		if c.str != nil {
			out = append(out, i)
		}
	}
	return out
}

// errRoundDone stops a reading of the rows once its partitions are
// written.
var errRoundDone = errors.New("every partition of the round written")

// writeParts writes one file per commune of the table's rows (rows without
// a commune together in the DefaultPartition) under tableDir, below the
// fixed partition levels, and returns their paths in order of commune
// code. A table without rows has no partition.
//
// The rows are read again (usually once, see planRounds) and copied into
// each partition's Arrow columns as they come; a partition whose last row
// is in is handed to one of up to runtime.GOMAXPROCS workers that encode
// and write it (each is small: one commune's rows; the time goes mostly to
// creating and syncing files). A partition of more than RowGroupRows rows
// is written as its rows come, a row group at a time. So what is held is
// bounded by partitionBudget, whatever the number of rows. The first error
// in commune order is returned.
func (t *table[T]) writeParts(ctx context.Context, tableDir string, fixed []partKey) ([]string, error) {
	key, ci, err := t.partitionKey()
	if err != nil {
		return nil, err
	}
	if t.parts == nil {
		return nil, errors.New("the partitions are not known before the flat file is written")
	}
	cols := slices.Delete(slices.Clone(t.cols), ci, ci+1)
	strs := partStrings(cols)
	list := t.parts.sorted()
	base := filepath.Join(tableDir, partPath(fixed))
	paths := make([]string, len(list))
	for k, p := range list {
		paths[k] = filepath.Join(base, partPath([]partKey{{PartitionColumn, p.value}}), PartFile)
	}
	errs := make([]error, len(list))
	type job struct {
		k   int
		rec arrow.RecordBatch
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(list)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := writeRecordFile(ctx, paths[j.k], cols, j.rec); err != nil {
					errs[j.k] = fmt.Errorf("partition %s: %w", list[j.k].value, err)
				}
				j.rec.Release()
			}
		}()
	}
	rounds := planRounds(list, partitionBudget)
	sc := schemaOf(cols)
	var readErr error
	for r := range rounds {
		if readErr = ctx.Err(); readErr != nil {
			break
		}
		pending := 0
		for _, p := range list {
			if p.round == r {
				p.seen = 0
				pending++
			}
		}
		small := map[int]*batch[T]{}        // partitions of up to RowGroupRows rows
		big := map[int]*fileEncoder[T]{}    // and of more
		noop := func() error { return nil } // a small partition's batch never fills but at its last row
		add := func(p *partition, rs []T) error {
			if p.seen+len(rs) > p.n {
				return fmt.Errorf("partition %s: more rows than first read: the rows changed while being written", p.value)
			}
			p.seen += len(rs)
			done := p.seen == p.n
			if p.n > RowGroupRows {
				if errs[p.k] != nil {
					return nil // failed: the rest of its rows are dropped
				}
				f := big[p.k]
				var err error
				if f == nil {
					if f, err = createFile(ctx, paths[p.k], cols); err == nil {
						big[p.k] = f
					}
				}
				if err == nil {
					if err = f.add(rs); err == nil && done {
						delete(big, p.k)
						err, f = f.commit(), nil
					}
				}
				if err != nil {
					if f != nil {
						delete(big, p.k)
						f.abort()
					}
					if ctx.Err() != nil {
						return ctx.Err()
					}
					errs[p.k] = fmt.Errorf("partition %s: %w", p.value, err)
				}
				return nil
			}
			b := small[p.k]
			if b == nil {
				b = newBatch(sc, cols)
				b.rb.Reserve(p.n)
				for j, ci := range strs {
					b.rb.Field(ci).(*array.StringBuilder).ReserveData(p.text[j])
				}
				small[p.k] = b
			}
			if err := b.add(ctx, rs, noop); err != nil {
				return err
			}
			if done {
				delete(small, p.k)
				rec := b.record()
				b.release()
				select {
				case jobs <- job{p.k, rec}:
				case <-ctx.Done():
					rec.Release()
					return ctx.Err()
				}
			}
			return nil
		}
		readErr = t.src.each(ctx, func(_ int, rs []T) error {
			for i := 0; i < len(rs); {
				v, ok := key(&rs[i])
				if !ok {
					v = ""
				}
				j := i + 1
				for j < len(rs) {
					w, ok := key(&rs[j])
					if !ok {
						w = ""
					}
					if w != v {
						break
					}
					j++
				}
				p := t.parts.byValue[v]
				if p == nil {
					return fmt.Errorf("partition %s: not found when first read: the rows changed while being written", v)
				}
				if p.round == r {
					if err := add(p, rs[i:j]); err != nil {
						return err
					}
					if p.seen == p.n {
						pending--
					}
				}
				i = j
			}
			if pending == 0 {
				return errRoundDone
			}
			return nil
		})
		if errors.Is(readErr, errRoundDone) {
			readErr = nil
		}
		for _, b := range small {
			b.release()
		}
		for _, f := range big {
			f.abort()
		}
		if readErr == nil && pending > 0 {
			readErr = errors.New("fewer rows than first read: the rows changed while being written")
		}
		if readErr != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if readErr != nil {
		return nil, readErr
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// writeRecordFile writes the Parquet file of the rows of rec (at most
// RowGroupRows: one row group) to path, as writeFile does.
func writeRecordFile[T any](ctx context.Context, path string, cols []col[T], rec arrow.RecordBatch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := createFile(ctx, path, cols)
	if err != nil {
		return err
	}
	if err := f.writeRecord(rec, 1); err != nil {
		f.abort()
		return err
	}
	return f.commit()
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
