package extract

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/record"
)

// tempFile is an extract file being written: a temporary file beside it,
// renamed over it by commit.
type tempFile struct {
	f    *os.File
	w    *bufio.Writer
	path string
}

func (s *Store) create(p string) (*tempFile, error) {
	if err := os.MkdirAll(filepath.Dir(p), atomicfile.PrivateDir); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*.arrow") // owner-only
	if err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	return &tempFile{f: f, w: bufio.NewWriterSize(f, 1<<16), path: p}, nil
}

// finish ends a streamed extract: its trailer (metaJSON) written, the
// temporary file renamed into place, older extracts of the submission
// pruned.
func (s *Store) finish(bw *batchWriter, tf *tempFile, metaJSON string) error {
	if err := bw.close(metaJSON); err != nil {
		tf.abort()
		return err
	}
	if err := tf.commit(); err != nil {
		return err
	}
	s.prune(filepath.Dir(tf.path))
	return nil
}

// commit flushes and closes the temporary file and renames it into place.
func (t *tempFile) commit() error {
	err := t.w.Flush()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.f.Name(), t.path)
	}
	if err != nil {
		os.Remove(t.f.Name())
		return fmt.Errorf("extract: write %s: %w", t.path, err)
	}
	return nil
}

func (t *tempFile) abort() {
	t.f.Close()
	os.Remove(t.f.Name())
}

// CellsWriter writes the extract of cells of one submission as its rows
// come, in record batches (see BatchRows), to a temporary file that
// Commit renames into place: a big workbook's rows need not be held to
// be stored. Rows come table by table, in order.
type CellsWriter struct {
	s    *Store
	sub  record.Submission
	tf   *tempFile
	bw   *batchWriter
	cb   *cellsBuilder
	rows []int // rows written, by table
	err  error
}

// NewCellsWriter starts the extract of cells of sub.
func (s *Store) NewCellsWriter(sub record.Submission) (*CellsWriter, error) {
	p := s.Path(sub)
	if p == "" {
		return nil, fmt.Errorf("extract: submission %q has no usable content hash", sub.ID)
	}
	tf, err := s.create(p)
	if err != nil {
		return nil, err
	}
	bw, err := newBatchWriter(tf.w, ident{kindCells, s.key, sub}, cellFields)
	if err != nil {
		tf.abort()
		return nil, err
	}
	return &CellsWriter{s: s, sub: sub, tf: tf, bw: bw, cb: newCellsBuilder()}, nil
}

// Row adds row r of table ti: the next row of that table, ti never below
// the last row's table.
func (w *CellsWriter) Row(ti int, r *record.SourceRow) error {
	if w.err != nil {
		return w.err
	}
	if ti < len(w.rows)-1 || ti < 0 {
		w.err = fmt.Errorf("extract: encode %s: a row of table %d after table %d", w.sub.Path, ti, len(w.rows)-1)
		return w.err
	}
	for len(w.rows) <= ti {
		w.rows = append(w.rows, 0)
	}
	w.err = w.cb.addRow(w.bw, ti, w.rows[ti], r, w.sub.Path)
	w.rows[ti]++
	return w.err
}

// Rows is the number of rows written to table ti.
func (w *CellsWriter) Rows(ti int) int {
	if ti < len(w.rows) {
		return w.rows[ti]
	}
	return 0
}

// Commit ends the extract with header, the workbook without its rows
// (every table's Rows nil: the rows are those written), and stores it in
// place of any earlier one, as Save does. After an error nothing is
// stored.
func (w *CellsWriter) Commit(header record.Workbook) error {
	defer w.cb.rb.Release()
	err := w.err
	if err == nil && len(w.rows) > len(header.Tables) {
		err = fmt.Errorf("extract: encode %s: rows of table %d of %d", w.sub.Path, len(w.rows)-1, len(header.Tables))
	}
	var mj string
	if err == nil {
		m := metaOf(&header)
		for i := range m.Tables {
			if header.Tables[i].Rows != nil {
				err = fmt.Errorf("extract: encode %s: a header with rows", w.sub.Path)
				break
			}
			m.Tables[i].Rows = w.Rows(i)
		}
		if err == nil {
			mj, err = exactJSON(&m, w.sub.Path)
		}
	}
	if err == nil {
		err = w.cb.flush(w.bw)
	}
	if err != nil {
		w.bw.abort()
		w.tf.abort()
		return err
	}
	return w.s.finish(w.bw, w.tf, mj)
}

// Abort ends the writer without storing anything.
func (w *CellsWriter) Abort() {
	w.cb.rb.Release()
	w.bw.abort()
	w.tf.abort()
}

// row adds source row r (the row si of table ti) and writes the batch
// once it is full, at the row's end.
func (cb *cellsBuilder) addRow(bw *batchWriter, ti, si int, r *record.SourceRow, path string) error {
	if len(r.Cells) == 0 && r.Cells != nil {
		return fmt.Errorf("%w: %s: row %d has an empty, non-nil cell list", ErrNotExact, path, r.Row)
	}
	if len(r.Cells) == 0 {
		cb.add(ti, si, r, "", false, &record.Cell{})
	}
	for ci := range r.Cells {
		c := &r.Cells[ci]
		if !c.Field.Valid() || (ci > 0 && r.Cells[ci-1].Field >= c.Field) {
			return fmt.Errorf("extract: encode %s: row %d: cell of field %d is not a field or not in field order", path, r.Row, c.Field)
		}
		cb.add(ti, si, r, c.Field.String(), true, c)
	}
	// A batch ends at a row's end: a row's cells are in one batch.
	if cb.n >= BatchRows {
		return cb.flush(bw)
	}
	return nil
}

// CheckedWriter writes the checked file of one submission as its records
// come (see SaveChecked), in record batches of BatchRows records, to a
// temporary file that Commit renames into place.
type CheckedWriter struct {
	s       *Store
	sub     record.Submission
	form    record.Form
	kd      codec
	loc     *time.Location
	tf      *tempFile
	bw      *batchWriter
	written int // records written
	err     error
}

// NewCheckedWriter starts the checked file of sub, a workbook of form.
func (s *Store) NewCheckedWriter(sub record.Submission, form record.Form) (*CheckedWriter, error) {
	p := s.CheckedPath(sub)
	if p == "" {
		return nil, fmt.Errorf("extract: submission %q has no usable content hash", sub.ID)
	}
	kd := codecOf(form)
	var fields []arrow.Field
	if kd != nil {
		fields = kd.fields()
	}
	tf, err := s.create(p)
	if err != nil {
		return nil, err
	}
	bw, err := newBatchWriter(tf.w, ident{kindChecked, s.key, sub}, fields, metaForm, string(form))
	if err != nil {
		tf.abort()
		return nil, err
	}
	return &CheckedWriter{s: s, sub: sub, form: form, kd: kd, loc: s.loc(), tf: tf, bw: bw}, nil
}

// Written is the number of records written so far.
func (w *CheckedWriter) Written() int { return w.written }

// Flush writes the records of chk in full batches and takes them out of
// chk (the fewer than BatchRows left stay for the next call); the
// records' commune is commune. Its findings are not touched.
func (w *CheckedWriter) Flush(chk *record.Checked, commune string) error {
	return w.flush(chk, commune, BatchRows)
}

func (w *CheckedWriter) flush(chk *record.Checked, commune string, least int) error {
	if w.err != nil {
		return w.err
	}
	total := len(chk.Households) + len(chk.Registrations) + len(chk.Delegates) + len(chk.Opinions) + len(chk.Results)
	if total == 0 {
		return nil
	}
	if w.kd == nil || w.kd.count(chk) != total {
		w.err = fmt.Errorf("%w: %s: records of another form than %q", ErrNotExact, w.sub.Path, w.form)
		return w.err
	}
	mem := memory.NewGoAllocator()
	lo := 0
	for ; total-lo >= least && lo < total; lo += min(BatchRows, total-lo) {
		hi := min(lo+BatchRows, total)
		cols, err := w.kd.encode(mem, chk, lo, hi, w.sub, commune, w.loc)
		if err == nil {
			err = w.bw.write(cols, hi-lo)
			for _, c := range cols {
				c.Release()
			}
		}
		if err != nil {
			w.err = err
			return err
		}
		w.written += hi - lo
	}
	if lo > 0 {
		w.kd.drop(chk, lo)
	}
	return nil
}

// Commit writes the records left in chk (taking them out), ends the file
// with header (the workbook without its rows; rows gives each table's
// number of rows) and chk's findings, and stores it in place of any
// earlier one. After an error nothing is stored.
func (w *CheckedWriter) Commit(header record.Workbook, rows func(ti int) int, chk *record.Checked) error {
	err := w.flush(chk, header.CommuneCode, 1)
	if err == nil && (header.Submission != w.sub || header.Form != w.form) {
		err = errors.New("extract: checked header of another submission or form")
	}
	var mj string
	if err == nil {
		m := checkedMeta{Workbook: metaOf(&header), Findings: chk.Findings, Records: w.written}
		for i := range m.Workbook.Tables {
			m.Workbook.Tables[i].Rows = rows(i)
		}
		mj, err = exactJSON(&m, w.sub.Path)
	}
	if err != nil {
		w.Abort()
		return err
	}
	return w.s.finish(w.bw, w.tf, mj)
}

// Abort ends the writer without storing anything.
func (w *CheckedWriter) Abort() {
	w.bw.abort()
	w.tf.abort()
}
