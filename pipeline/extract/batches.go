package extract

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"doithoai/pipeline/atomicfile"
)

// BatchRows is the most Arrow rows one record batch of an extract holds
// (a source row's cells are never split between two batches, so a batch
// of cells may hold a little more): what is held in memory at once while
// an extract is written or read, whatever the size of the file.
var BatchRows = 1 << 15

// An extract file (format 5) is an Arrow IPC file of record batches of at
// most BatchRows rows, then one trailer batch without rows whose custom
// metadata holds the workbook's metadata JSON and the digest of the whole
// file (see batchWriter.close). The schema's metadata names the file's
// identity (ident.pairs); the trailer is written last, once every row is
// known, so that the rows can be written as they come.

// batchWriter writes the record batches of one extract file, hashing
// each as it goes.
type batchWriter struct {
	fw      *ipc.FileWriter
	sc      *arrow.Schema
	h       hash.Hash
	batches int64
	path    string
}

// newBatchWriter starts an extract file for id with these columns on w;
// extra are more schema metadata pairs (key, value, ...).
func newBatchWriter(w io.Writer, id ident, fields []arrow.Field, extra ...string) (*batchWriter, error) {
	keys, vals := id.pairs()
	for i := 0; i+1 < len(extra); i += 2 {
		keys, vals = append(keys, extra[i]), append(vals, extra[i+1])
	}
	md := arrow.NewMetadata(keys, vals)
	sc := arrow.NewSchema(fields, &md)
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(sc), ipc.WithAllocator(memory.NewGoAllocator()))
	if err != nil {
		return nil, fmt.Errorf("extract: encode %s: %w", id.sub.Path, err)
	}
	return &batchWriter{fw: fw, sc: sc, h: sha256.New(), path: id.sub.Path}, nil
}

// write appends one record batch of these columns (the writer does not
// keep them).
func (bw *batchWriter) write(cols []arrow.Array, rows int) error {
	rec := array.NewRecordBatch(bw.sc, cols, int64(rows))
	defer rec.Release()
	if err := hashBatch(bw.h, rec); err != nil {
		return err
	}
	if err := bw.fw.Write(rec); err != nil {
		return fmt.Errorf("extract: encode %s: %w", bw.path, err)
	}
	bw.batches++
	return nil
}

// close writes the trailer batch (metaJSON and the digest) and the IPC
// footer.
func (bw *batchWriter) close(metaJSON string) error {
	dg := finishDigest(bw.h, metaJSON, bw.batches)
	mem := memory.NewGoAllocator()
	cols := make([]arrow.Array, len(bw.sc.Fields()))
	for i, f := range bw.sc.Fields() {
		b := array.NewBuilder(mem, f.Type)
		cols[i] = b.NewArray()
		b.Release()
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	md := arrow.NewMetadata([]string{metaWorkbook, metaDigest}, []string{metaJSON, dg})
	rec := array.NewRecordBatchWithMetadata(bw.sc, cols, 0, md)
	defer rec.Release()
	if err := bw.fw.Write(rec); err != nil {
		bw.fw.Close()
		return fmt.Errorf("extract: encode %s: %w", bw.path, err)
	}
	if err := bw.fw.Close(); err != nil {
		return fmt.Errorf("extract: encode %s: %w", bw.path, err)
	}
	return nil
}

// abort ends a file that will not be used (its bytes are discarded).
func (bw *batchWriter) abort() { bw.fw.Close() }

// readBatches opens an extract file made for id, checks its identity and
// columns (fieldsFor gives them from the schema's metadata), hands the
// trailer's metadata JSON to begin, then every record batch in order to
// each (which must not keep it), and finally checks the digest: a file
// whose digest does not match is an error, whatever begin and each made
// of it. It may panic on damaged bytes (the callers recover). With
// digests, a file whose digest is found right is remembered there, and
// with trust too, a file whose digest was found right before (the same
// file, unchanged since: see digestMemo) is not hashed again.
func readBatches(r ipc.ReadAtSeeker, id ident, fieldsFor func(meta func(string) string) []arrow.Field,
	begin func(metaJSON string) error, each func(rec arrow.RecordBatch) error, digests *digestMemo, trust bool) error {
	fr, fi, done, err := newFileReader(r)
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	defer done()
	var name string
	if f, ok := r.(*os.File); ok && fi != nil {
		name = f.Name()
	}
	known := trust && digests != nil && name != "" && digests.known(name, fi)
	md := fr.Schema().Metadata()
	get := func(k string) string {
		if i := md.FindKey(k); i >= 0 {
			return md.Values()[i]
		}
		return "\x00missing"
	}
	keys, vals := id.pairs()
	for i, k := range keys {
		if got := get(k); got != vals[i] {
			return fmt.Errorf("extract: %s is %q, want %q", k, got, vals[i])
		}
	}
	if !fr.Schema().Equal(arrow.NewSchema(fieldsFor(get), nil)) {
		return errors.New("extract: unexpected columns")
	}
	n := fr.NumRecords()
	if n < 1 {
		return errors.New("extract: no trailer batch")
	}
	trailer, err := fr.RecordBatchAt(n - 1)
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	tm, ok := trailer.(arrow.RecordBatchWithMetadata)
	var mj, dg string
	if ok {
		m := tm.Metadata()
		if i := m.FindKey(metaWorkbook); i >= 0 {
			mj = m.Values()[i]
		} else {
			ok = false
		}
		if i := m.FindKey(metaDigest); i >= 0 {
			dg = m.Values()[i]
		} else {
			ok = false
		}
	}
	rows := trailer.NumRows()
	trailer.Release()
	if !ok || rows != 0 {
		return errors.New("extract: no trailer batch")
	}
	if err := begin(mj); err != nil {
		return err
	}
	var h hash.Hash
	if !known {
		h = sha256.New()
	}
	for i := 0; i < n-1; i++ {
		rec, err := fr.RecordBatchAt(i)
		if err != nil {
			return fmt.Errorf("extract: %w", err)
		}
		if h != nil {
			if err := hashBatch(h, rec); err != nil {
				rec.Release()
				return err
			}
		}
		err = each(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	if known {
		return nil
	}
	if finishDigest(h, mj, int64(n-1)) != dg {
		return errors.New("extract: damaged (digest mismatch)")
	}
	if digests != nil && name != "" {
		digests.add(name, fi)
	}
	return nil
}

// digestMemo are the extract files whose digest a store found right, as
// they were then (os.FileInfo): a file that is still the same (os.SameFile:
// not replaced, as every write of an extract replaces it) with the same
// size and modification time is not hashed again when it is read again
// (ReadRecords: a stage's many passes over a roster kept out of memory).
type digestMemo struct {
	mu    sync.Mutex
	files map[string]os.FileInfo
}

// known reports whether the file at name, now fi, is one whose digest
// was found right.
func (d *digestMemo) known(name string, fi os.FileInfo) bool {
	d.mu.Lock()
	was, ok := d.files[name]
	d.mu.Unlock()
	return ok && os.SameFile(was, fi) && was.Size() == fi.Size() && was.ModTime().Equal(fi.ModTime())
}

// add remembers that the digest of the file at name, fi, was found right.
func (d *digestMemo) add(name string, fi os.FileInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.files == nil {
		d.files = map[string]os.FileInfo{}
	}
	d.files[name] = fi
}

// wholeFileBytes is the size up to which an extract file is read into
// memory in one read and its record batches decoded where they lie (no
// read and no copy per batch); a bigger file is read a batch at a time,
// so that what is held stays bounded whatever its size.
var wholeFileBytes int64 = 16 << 20

// fileBufs are the memory of the files read whole, used again from one
// file to the next: nothing decoded from a file points into it (its
// texts are copied out), so it is free again once the file is read.
var fileBufs = sync.Pool{New: func() any { return new([]byte) }}

// newFileReader opens the Arrow IPC file r: a regular file of at most
// wholeFileBytes is read whole into one of fileBufs first. fi is the
// file's (nil when r is no regular file). done closes the reader (and
// gives the memory back); the record batches read must have been
// released by then.
func newFileReader(r ipc.ReadAtSeeker) (fr *ipc.FileReader, fi os.FileInfo, done func(), err error) {
	f, ok := r.(*os.File)
	if ok {
		if fi, err = f.Stat(); err != nil {
			return nil, nil, nil, err
		}
		if !fi.Mode().IsRegular() {
			fi = nil
		}
	}
	if fi == nil || fi.Size() > wholeFileBytes {
		fr, err = ipc.NewFileReader(r, ipc.WithAllocator(memory.NewGoAllocator()))
		if err != nil {
			return nil, nil, nil, err
		}
		return fr, fi, func() { fr.Close() }, nil
	}
	bp := fileBufs.Get().(*[]byte)
	n := int(fi.Size())
	if cap(*bp) < n {
		*bp = make([]byte, n)
	}
	buf := (*bp)[:n]
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, fi.Size()), buf); err != nil {
		fileBufs.Put(bp)
		return nil, nil, nil, err
	}
	fr, err = ipc.NewMappedFileReader(buf, ipc.WithAllocator(memory.NewGoAllocator()))
	if err != nil {
		fileBufs.Put(bp)
		return nil, nil, nil, err
	}
	return fr, fi, func() {
		fr.Close()
		fileBufs.Put(bp)
	}, nil
}

// writeFile stores an extract file at p, written by fill on a buffered
// temporary file renamed over it, and prunes the folder. It does not wait
// for the disk (no fsync): an extract is a cache, and one torn by a power
// cut fails its digest and is read again. When fill fails, nothing is
// stored.
func (s *Store) writeFile(p string, fill func(w io.Writer) error) error {
	if err := os.MkdirAll(s.dir, atomicfile.PrivateDir); err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	err := atomicfile.WriteWithMode(p, atomicfile.Private, func(tmp string) error {
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, atomicfile.Private)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<16)
		if err := fill(bw); err != nil {
			f.Close()
			return err
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		if errors.Is(err, ErrNotExact) {
			return err
		}
		return fmt.Errorf("extract: write %s: %w", p, err)
	}
	s.prune(filepath.Dir(p))
	return nil
}
