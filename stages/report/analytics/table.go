package analytics

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"doithoai/pipeline/atomicfile"
)

// RowGroupRows is the number of rows built in memory and written as one
// Parquet row group; it bounds the memory a big table needs.
const RowGroupRows = 64 * 1024

// compression is the codec of every column chunk.
var compression = compress.Codecs.Snappy

// writer is a table whose rows are of some record type.
type writer interface {
	name() string
	describe() tableDoc
	write(ctx context.Context, path string) error
}

// table is one analysts' table: its columns and its rows.
type table[T any] struct {
	tname string
	doc   doc
	cols  []col[T]
	rows  []T
}

func (t *table[T]) name() string { return t.tname }

// schema is the Arrow schema of the table.
func (t *table[T]) schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.cols))
	for i, c := range t.cols {
		fields[i] = c.field
	}
	return arrow.NewSchema(fields, nil)
}

// write writes the table to path atomically, RowGroupRows rows at a time.
// A table without rows is a valid file with the full schema and no row
// group.
func (t *table[T]) write(ctx context.Context, path string) error {
	sc := t.schema()
	return atomicfile.WriteWithMode(path, FileMode, func(tmp string) error {
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, FileMode)
		if err != nil {
			return err
		}
		// The Parquet writer closes its sink when it is an io.Closer; a
		// bufio.Writer is not, so the file is synced and closed here.
		bw := bufio.NewWriterSize(f, 1<<20)
		err = t.encode(ctx, sc, bw)
		if err == nil {
			err = bw.Flush()
		}
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// encode writes the Parquet bytes of the table to w.
func (t *table[T]) encode(ctx context.Context, sc *arrow.Schema, w *bufio.Writer) error {
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compression),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
		parquet.WithMaxRowGroupLength(RowGroupRows),
		parquet.WithCreatedBy("doithoai"),
	}
	for _, c := range t.cols {
		if c.plain {
			opts = append(opts, parquet.WithDictionaryFor(c.field.Name, false))
		}
	}
	props := parquet.NewWriterProperties(opts...)
	fw, err := pqarrow.NewFileWriter(sc, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("parquet writer: %w", err)
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer rb.Release()
	appenders := make([]func(*T), len(t.cols))
	for off := 0; off < len(t.rows); off += RowGroupRows {
		if err := ctx.Err(); err != nil {
			fw.Close()
			return err
		}
		end := min(off+RowGroupRows, len(t.rows))
		rb.Reserve(end - off)
		for i, c := range t.cols {
			if c.reserve != nil {
				c.reserve(rb.Field(i), t.rows[off:end])
			}
			appenders[i] = c.bind(rb.Field(i))
		}
		for i := off; i < end; i++ {
			r := &t.rows[i]
			for _, a := range appenders {
				a(r)
			}
		}
		rec := rb.NewRecordBatch()
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			return fmt.Errorf("rows %d–%d: %w", off+1, end, err)
		}
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("close parquet: %w", err)
	}
	return nil
}

// describe documents the table for dataset.json.
func (t *table[T]) describe() tableDoc {
	td := tableDoc{
		Name:          t.tname,
		File:          t.tname + ".parquet",
		Rows:          len(t.rows),
		DescriptionEN: t.doc.en,
		DescriptionVI: t.doc.vi,
	}
	for _, c := range t.cols {
		td.Columns = append(td.Columns, columnDoc{
			Name:          c.field.Name,
			Type:          c.typeName(),
			Nullable:      c.field.Nullable,
			DescriptionEN: c.doc.en,
			DescriptionVI: c.doc.vi,
		})
	}
	return td
}
