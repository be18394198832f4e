package analytics

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
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
	// write writes the flat file; it reads the rows once and learns
	// their partitions for writeParts.
	write(ctx context.Context, path string) error
	// writeParts writes the table's Hive partitions under tableDir (see
	// hive.go) and returns the files written.
	writeParts(ctx context.Context, tableDir string, fixed []partKey) ([]string, error)
}

// rows are a table's rows in order, n of them, given one run at a time by
// each (as record.Roster.Each: first is the index of rs[0]; rs is valid
// only during the call). Rows held in memory are one run; a roster too big
// to hold is read again from disk by every call, so a table calls each as
// few times as it can: once for the flat file, usually once more for all
// its partitions.
type rows[T any] struct {
	n    int
	each func(ctx context.Context, fn func(first int, rs []T) error) error
}

// inMemory are rows held in a slice.
func inMemory[T any](rs []T) rows[T] {
	return rows[T]{n: len(rs), each: func(ctx context.Context, fn func(int, []T) error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(rs) == 0 {
			return nil
		}
		return fn(0, rs)
	}}
}

// table is one analysts' table: its columns and its rows.
type table[T any] struct {
	tname string
	doc   doc
	cols  []col[T]
	src   rows[T]
	// parts are the table's partitions as write found them.
	parts *partitions
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

// write writes the whole table to path atomically, RowGroupRows rows per
// row group, in one reading of the rows, and notes where each partition's
// rows are and the length of their text (see writeParts). A table without
// rows is a valid file with the full schema and no row group.
func (t *table[T]) write(ctx context.Context, path string) error {
	key, ci, err := t.partitionKey()
	if err != nil {
		return err
	}
	pcols := slices.Delete(slices.Clone(t.cols), ci, ci+1)
	strs := partStrings(pcols)
	parts := newPartitions()
	n := 0
	err = writeFile(ctx, path, t.cols, func(add func(rs []T) error) error {
		return t.src.each(ctx, func(_ int, rs []T) error {
			for i := range rs {
				v, ok := key(&rs[i])
				if !ok {
					v = ""
				}
				p := parts.add(v, n+i)
				if p.text == nil {
					p.text = make([]int, len(strs))
				}
				for j, c := range strs {
					if s, ok := pcols[c].str(&rs[i]); ok {
						p.text[j] += len(s)
					}
				}
			}
			n += len(rs)
			return add(rs)
		})
	})
	if err != nil {
		return err
	}
	if n != t.src.n {
		return fmt.Errorf("%d rows read, %d expected: the rows changed while being written", n, t.src.n)
	}
	t.parts = parts
	return nil
}

// writeFile writes to path the Parquet file of the rows that feed hands
// to add, in order, RowGroupRows rows per row group, through a fileSink:
// atomically, and not at all when the file there already holds exactly
// these bytes (the encoding is deterministic) with the owner-only mode. A
// run that changed one commune's rows rewrites that commune's partition
// and the whole table, not the other partitions nor the other tables.
func writeFile[T any](ctx context.Context, path string, cols []col[T], feed func(add func(rs []T) error) error) error {
	f, err := createFile(ctx, path, cols)
	if err != nil {
		return err
	}
	if err := feed(f.add); err != nil {
		f.abort()
		return err
	}
	return f.commit()
}

// fileEncoder is a Parquet file being written to a fileSink.
type fileEncoder[T any] struct {
	*encoder[T]
	sink *fileSink
}

// createFile starts writing the Parquet file of columns cols at path.
func createFile[T any](ctx context.Context, path string, cols []col[T]) (*fileEncoder[T], error) {
	sink := openSink(path)
	e, err := newEncoder(ctx, sink, cols)
	if err != nil {
		sink.abort()
		return nil, err
	}
	return &fileEncoder[T]{encoder: e, sink: sink}, nil
}

// commit ends the file (see fileSink.commit).
func (f *fileEncoder[T]) commit() error {
	if err := f.encoder.close(); err != nil {
		f.sink.abort()
		return err
	}
	return f.sink.commit()
}

// abort gives the file up, leaving what was at its path.
func (f *fileEncoder[T]) abort() {
	f.encoder.abort()
	f.sink.abort()
}

// encoder writes rows as a Parquet file, RowGroupRows rows per row group.
type encoder[T any] struct {
	ctx context.Context
	// The Parquet writer closes its sink when it is an io.Closer; a
	// bufio.Writer is not, so the owner of the sink closes it.
	bw *bufio.Writer
	fw *pqarrow.FileWriter
	b  *batch[T]
}

func newEncoder[T any](ctx context.Context, w io.Writer, cols []col[T]) (*encoder[T], error) {
	bw := getWriter(w)
	sc := schemaOf(cols)
	fw, err := newFileWriter(sc, cols, bw)
	if err != nil {
		putWriter(bw)
		return nil, err
	}
	return &encoder[T]{ctx: ctx, bw: bw, fw: fw, b: newBatch(sc, cols)}, nil
}

// writers are the buffered writers between the Parquet writers and their
// sinks, reused from file to file: a Hive tree is thousands of small
// files, and a fresh 1 MiB buffer for each was most of what they
// allocated. 256 KiB is plenty: the sink is a file (or the comparison with
// one), and the bytes written do not depend on the buffer's size.
var writers = newFreeList(func() *bufio.Writer { return bufio.NewWriterSize(nil, 256<<10) })

// freeList keeps up to freeListSize values for reuse. Unlike a sync.Pool
// it is not emptied by the garbage collector, which the many small
// allocations of Parquet encoding run often enough that a pool would
// mostly be empty.
type freeList[T any] struct {
	free  chan T
	fresh func() T
}

// freeListSize bounds the values a freeList keeps: more than the files
// written at once (GOMAXPROCS partition workers and the flat file).
const freeListSize = 16

func newFreeList[T any](fresh func() T) *freeList[T] {
	return &freeList[T]{free: make(chan T, freeListSize), fresh: fresh}
}

// get is a kept value, or a new one.
func (l *freeList[T]) get() T {
	select {
	case v := <-l.free:
		return v
	default:
		return l.fresh()
	}
}

// put keeps v for a later get, unless enough are kept.
func (l *freeList[T]) put(v T) {
	select {
	case l.free <- v:
	default:
	}
}

// reuseBuffers turns writers and readers on; benchmarks turn it off to
// compare with a fresh 1 MiB writer and 256 KiB reader for each file, as
// before.
var reuseBuffers = true

// getWriter is a buffered writer to w from writers.
func getWriter(w io.Writer) *bufio.Writer {
	if !reuseBuffers {
		return bufio.NewWriterSize(w, 1<<20)
	}
	bw := writers.get()
	bw.Reset(w)
	return bw
}

// putWriter gives bw back to writers (what it holds is dropped).
func putWriter(bw *bufio.Writer) {
	bw.Reset(nil)
	if reuseBuffers {
		writers.put(bw)
	}
}

// add appends rs, writing a row group each time RowGroupRows rows are
// waiting.
func (e *encoder[T]) add(rs []T) error { return e.b.add(e.ctx, rs, e.flush) }

// flush writes the rows waiting as one row group.
func (e *encoder[T]) flush() error {
	if err := e.ctx.Err(); err != nil {
		return err
	}
	first := e.b.written + 1
	rec := e.b.record()
	defer rec.Release()
	return e.writeRecord(rec, first)
}

// writeRecord writes rec as one row group; first is the number of its
// first row in the file (for errors).
func (e *encoder[T]) writeRecord(rec arrow.RecordBatch, first int) error {
	if err := e.fw.Write(rec); err != nil {
		return fmt.Errorf("rows %d–%d: %w", first, first+int(rec.NumRows())-1, err)
	}
	return nil
}

// close writes the rows still waiting and the file's footer.
func (e *encoder[T]) close() error {
	defer e.b.release()
	var err error
	if e.b.n > 0 {
		err = e.flush()
	}
	if cerr := e.fw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close parquet: %w", cerr)
	}
	if err == nil {
		err = e.bw.Flush()
	}
	putWriter(e.bw)
	e.bw = nil
	return err
}

// abort lets the rows go.
func (e *encoder[T]) abort() {
	e.fw.Close()
	e.b.release()
	if e.bw != nil {
		putWriter(e.bw)
		e.bw = nil
	}
}

// newFileWriter is the Parquet writer of every file: Snappy, dictionaries
// but for the columns marked plain, statistics, RowGroupRows rows per row
// group at most, the Arrow schema stored.
func newFileWriter[T any](sc *arrow.Schema, cols []col[T], w io.Writer) (*pqarrow.FileWriter, error) {
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
		return nil, fmt.Errorf("parquet writer: %w", err)
	}
	return fw, nil
}

// batch builds the Arrow columns of up to RowGroupRows rows: one row
// group. The values are copied in, so the rows need not outlive add.
type batch[T any] struct {
	cols []col[T]
	rb   *array.RecordBuilder
	apps []func(*T)
	// n is the number of rows in the builder, written the number of rows
	// taken out by record before.
	n, written int
}

func newBatch[T any](sc *arrow.Schema, cols []col[T]) *batch[T] {
	return &batch[T]{cols: cols, rb: array.NewRecordBuilder(memory.DefaultAllocator, sc), apps: make([]func(*T), len(cols))}
}

// add appends rs, calling flush each time the batch is full (flush must
// take the rows out with record).
func (b *batch[T]) add(ctx context.Context, rs []T, flush func() error) error {
	for len(rs) > 0 {
		if b.n == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		k := min(RowGroupRows-b.n, len(rs))
		b.append(rs[:k])
		rs = rs[k:]
		if b.n == RowGroupRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// append appends rs, which fit in the batch, after reserving room for
// them (the whole row group's at once when rs fill it from the start, as
// rows in memory do).
func (b *batch[T]) append(rs []T) {
	if b.n == 0 {
		for i, c := range b.cols {
			b.apps[i] = c.bind(b.rb.Field(i))
		}
	}
	b.rb.Reserve(len(rs))
	at := func(i int) *T { return &rs[i] }
	for i, c := range b.cols {
		if c.reserve != nil {
			c.reserve(b.rb.Field(i), len(rs), at)
		}
	}
	for i := range rs {
		r := &rs[i]
		for _, a := range b.apps {
			a(r)
		}
	}
	b.n += len(rs)
}

// record takes the batch's rows out as a record batch (the caller
// releases it) and empties the batch.
func (b *batch[T]) record() arrow.RecordBatch {
	rec := b.rb.NewRecordBatch()
	b.written += b.n
	b.n = 0
	return rec
}

func (b *batch[T]) release() {
	if b.rb != nil {
		b.rb.Release()
		b.rb = nil
	}
}

// fileSink writes a file atomically (to a temporary name without the
// .parquet extension, so no reader's glob picks it up; synced; renamed),
// but only when its bytes differ from those of the file already at path:
// while the bytes written match that file's, nothing is written; at the
// first difference the matching prefix is copied from the old file to the
// temporary one and the rest is written there. So an unchanged file is
// left as it is (not even its time changes) and a changed one is encoded
// once, with nothing held but buffers. A file that is not a regular one
// with the mode FileMode is rewritten.
type fileSink struct {
	path string
	// old is the file at path while the bytes match it (nil when there is
	// none, or once they differ); same is the number of bytes matched.
	old  *os.File
	oldR *bufio.Reader
	same int64
	tmp  *os.File
	err  error
}

// openSink starts writing path.
func openSink(path string) *fileSink {
	s := &fileSink{path: path}
	f, err := os.Open(path)
	if err != nil {
		return s
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != FileMode {
		f.Close()
		return s
	}
	s.old = f
	if reuseBuffers {
		s.oldR = readers.get()
		s.oldR.Reset(f)
	} else {
		s.oldR = bufio.NewReaderSize(f, 256<<10)
	}
	return s
}

// readers are the buffered readers of the files being compared, reused
// from file to file as writers are.
var readers = newFreeList(func() *bufio.Reader { return bufio.NewReaderSize(nil, 256<<10) })

// dropOld closes the old file and gives its reader back.
func (s *fileSink) dropOld() {
	if s.old == nil {
		return
	}
	s.old.Close()
	s.oldR.Reset(nil)
	if reuseBuffers {
		readers.put(s.oldR)
	}
	s.old, s.oldR = nil, nil
}

// matches reports whether the old file's next bytes are p, reading them
// (compared in place in the reader's buffer).
func (s *fileSink) matches(p []byte) bool {
	for len(p) > 0 {
		k := min(len(p), s.oldR.Size())
		b, err := s.oldR.Peek(k)
		if err != nil || !bytes.Equal(b, p[:k]) {
			return false
		}
		s.oldR.Discard(k)
		p = p[k:]
	}
	return true
}

func (s *fileSink) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.old != nil && s.matches(p) {
		s.same += int64(len(p))
		return len(p), nil
	}
	if err := s.diverge(); err != nil {
		return 0, err
	}
	n, err := s.tmp.Write(p)
	if err != nil {
		s.err = fmt.Errorf("write %s: %w", s.path, err)
		return n, s.err
	}
	return n, nil
}

// diverge starts the temporary file, if not yet, with the bytes matched
// so far, and lets the old file go.
func (s *fileSink) diverge() error {
	if s.tmp != nil {
		return nil
	}
	fail := func(err error) error {
		s.err = fmt.Errorf("write %s: %w", s.path, err)
		return s.err
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fail(err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fail(err)
	}
	s.tmp = tmp
	if s.old != nil {
		_, err := io.Copy(tmp, io.NewSectionReader(s.old, 0, s.same))
		s.dropOld()
		if err != nil {
			return fail(err)
		}
	}
	return nil
}

// commit ends the file: the old one is kept when every byte matched it
// and it has no more, else the temporary file is synced, given the mode
// FileMode and renamed over path.
func (s *fileSink) commit() error {
	if s.err != nil {
		s.abort()
		return s.err
	}
	if s.old != nil {
		if _, err := s.oldR.ReadByte(); err == io.EOF {
			s.dropOld()
			return nil
		}
	}
	if err := s.diverge(); err != nil {
		s.abort()
		return err
	}
	tmp := s.tmp
	err := tmp.Sync()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), FileMode)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	s.tmp = nil
	return nil
}

// abort lets the old file be and removes the temporary one.
func (s *fileSink) abort() {
	s.dropOld()
	if s.tmp != nil {
		s.tmp.Close()
		os.Remove(s.tmp.Name())
		s.tmp = nil
	}
}

// describe documents the table for dataset.json.
func (t *table[T]) describe() tableDoc {
	td := tableDoc{
		Name:          t.tname,
		File:          t.tname + ".parquet",
		Rows:          t.src.n,
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
