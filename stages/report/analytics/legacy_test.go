package analytics

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/record"
)

// legacyHouseholds writes the households table and its Hive tree into dir
// the way the code did before the roster could be read in runs (commit
// 8d0e00b): from all the rows in memory, the flat file by random access,
// the partitions from lists of row indices. It is the reference the tests
// compare the bytes with and the baseline of the benchmarks.
func legacyHouseholds(ctx context.Context, dir string, fixed []partKey, rows []record.Household) error {
	t := householdsTable(inMemory(rows))
	at := func(i int) *record.Household { return &rows[i] }
	if err := legacyWriteRows(ctx, filepath.Join(dir, t.tname+".parquet"), t.cols, len(rows), at); err != nil {
		return err
	}
	key, ci, err := t.partitionKey()
	if err != nil {
		return err
	}
	cols := slices.Delete(slices.Clone(t.cols), ci, ci+1)
	groups := map[string][]int{}
	for i := range rows {
		v, ok := key(&rows[i])
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
	base := filepath.Join(dir, t.tname, partPath(fixed))
	for _, v := range values {
		idx := groups[v]
		path := filepath.Join(base, partPath([]partKey{{PartitionColumn, v}}), PartFile)
		if err := legacyWriteRows(ctx, path, cols, len(idx), func(i int) *record.Household { return &rows[idx[i]] }); err != nil {
			return err
		}
	}
	return nil
}

// legacyWriteRows is the former writeRows without the comparison with the
// file on disk.
func legacyWriteRows[T any](ctx context.Context, path string, cols []col[T], n int, at func(int) *T) error {
	return atomicfile.WriteMode(path, FileMode, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := legacyEncode(ctx, cols, n, at, bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// legacyEncode is the former encode: RowGroupRows rows at a time taken
// by index.
func legacyEncode[T any](ctx context.Context, cols []col[T], n int, at func(int) *T, w *bufio.Writer) error {
	sc := schemaOf(cols)
	fw, err := newFileWriter(sc, cols, w)
	if err != nil {
		return err
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer rb.Release()
	appenders := make([]func(*T), len(cols))
	for off := 0; off < n; off += RowGroupRows {
		if err := ctx.Err(); err != nil {
			fw.Close()
			return err
		}
		end := min(off+RowGroupRows, n)
		chunk := func(i int) *T { return at(off + i) }
		rb.Reserve(end - off)
		for i, c := range cols {
			if c.reserve != nil {
				c.reserve(rb.Field(i), end-off, chunk)
			}
			appenders[i] = c.bind(rb.Field(i))
		}
		for i := off; i < end; i++ {
			r := at(i)
			for _, a := range appenders {
				a(r)
			}
		}
		rec := rb.NewRecordBatch()
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			return err
		}
	}
	return fw.Close()
}
