package analytics

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
	// writeParts writes the table's Hive partitions under tableDir (see
	// hive.go) and returns the files written.
	writeParts(ctx context.Context, tableDir string, fixed []partKey) ([]string, error)
}

// table is one analysts' table: its columns and its rows.
type table[T any] struct {
	tname string
	doc   doc
	cols  []col[T]
	rows  []T
}

func (t *table[T]) name() string { return t.tname }

// schemaOf is the Arrow schema of a table of the columns cols.
func schemaOf[T any](cols []col[T]) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.field
	}
	return arrow.NewSchema(fields, nil)
}

// schema is the Arrow schema of the table.
func (t *table[T]) schema() *arrow.Schema { return schemaOf(t.cols) }

// write writes the whole table to path atomically, RowGroupRows rows at a
// time. A table without rows is a valid file with the full schema and no
// row group.
func (t *table[T]) write(ctx context.Context, path string) error {
	return t.writeRows(ctx, path, t.cols, len(t.rows), func(i int) *T { return &t.rows[i] })
}

// writeRows writes the n rows at(0)..at(n-1), columns cols, to path
// atomically: to a temporary name (without the .parquet extension, so no
// reader's glob picks it up), synced, then renamed. A file already there
// with exactly these bytes (the encoding is deterministic) and the
// owner-only mode is left as it is: a run that changed one commune's rows
// rewrites that commune's partition and the whole table, not the other
// partitions nor the other tables.
func (t *table[T]) writeRows(ctx context.Context, path string, cols []col[T], n int, at func(int) *T) error {
	sc := schemaOf(cols)
	if sameAsFile(path, func(w *bufio.Writer) error { return encode(ctx, sc, cols, n, at, w) }) {
		return nil
	}
	return atomicfile.WriteMode(path, FileMode, func(w io.Writer) error {
		// The Parquet writer closes its sink when it is an io.Closer; a
		// bufio.Writer is not, so WriteMode syncs and closes the file.
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := encode(ctx, sc, cols, n, at, bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// errDiffers stops an encoding that no longer matches the file on disk.
var errDiffers = errors.New("differs from the file on disk")

// sameWriter compares what is written to it with what r yields.
type sameWriter struct {
	r   *bufio.Reader
	buf []byte
}

func (s *sameWriter) Write(p []byte) (int, error) {
	if cap(s.buf) < len(p) {
		s.buf = make([]byte, len(p))
	}
	b := s.buf[:len(p)]
	if _, err := io.ReadFull(s.r, b); err != nil || !bytes.Equal(b, p) {
		return 0, errDiffers
	}
	return len(p), nil
}

// sameAsFile reports whether path is a regular file with the mode
// FileMode holding exactly the bytes fill writes. The bytes are compared
// as they are made (fill stops at the first difference), so nothing is
// held but a buffer; any error is a difference.
func sameAsFile(path string, fill func(w *bufio.Writer) error) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != FileMode {
		return false
	}
	sw := &sameWriter{r: bufio.NewReaderSize(f, 256<<10)}
	bw := bufio.NewWriterSize(sw, 256<<10)
	if err := fill(bw); err != nil || bw.Flush() != nil {
		return false
	}
	_, err = sw.r.ReadByte()
	return err == io.EOF
}

// encode writes the Parquet bytes of the n rows at(0)..at(n-1) to w.
func encode[T any](ctx context.Context, sc *arrow.Schema, cols []col[T], n int, at func(int) *T, w *bufio.Writer) error {
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compression),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
		parquet.WithMaxRowGroupLength(RowGroupRows),
		parquet.WithCreatedBy("doithoai"),
	}
	for _, c := range cols {
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
