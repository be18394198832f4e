package process

import (
	"fmt"
	"sync"

	"doithoai/pipeline/extract"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/validate"
)

// extractSink is the read.TableSink of a file read with an extract
// store: each row, as the reader hands it over, is checked
// (validate.Checker) and written to the extract of cells, and the records
// go to the checked file in batches, so that neither the rows nor the
// records of a big file are held whole. Its failures (a value an extract
// cannot hold exactly, a full disk) are kept for commit, never passed to
// the reader.
type extractSink struct {
	st  *extract.Store
	p   *plan.Plan
	sub record.Submission
	// held is the most M1 records commit loads back (Config.HeldRows's
	// limit; < 0: all): a bigger roster's stay in the checked file.
	held int
	hdr  record.Workbook
	rows []int
	next int // the next table the checker starts

	// mu: a read the run stopped waiting for (see abandonAfter) may still
	// hand rows over while the run aborts the sink.
	mu     sync.Mutex
	closed bool // aborted or committed: rows are ignored

	begun bool
	cells *extract.CellsWriter
	chkw  *extract.CheckedWriter
	chk   *validate.Checker
	err   error
}

func (s *extractSink) Begin(header record.Workbook, rows []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.begun, s.hdr, s.rows = true, header, rows
	s.chk = validate.NewChecker(s.p, &s.hdr)
	if s.cells, s.err = s.st.NewCellsWriter(s.sub); s.err != nil {
		return
	}
	s.chkw, s.err = s.st.NewCheckedWriter(s.sub, header.Form)
}

// started reports whether Begin was called.
func (s *extractSink) started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.begun
}

// startTables starts the checker's tables up to ti.
func (s *extractSink) startTables(ti int) {
	for ; s.next <= ti && s.next < len(s.rows); s.next++ {
		s.chk.Table(s.next, s.rows[s.next])
	}
}

func (s *extractSink) Rows(ti int, rows []record.SourceRow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.err != nil {
		return
	}
	s.startTables(ti)
	for i := range rows {
		if s.err = s.cells.Row(ti, &rows[i]); s.err != nil {
			return
		}
		s.chk.Row(&rows[i])
	}
	s.err = s.chkw.Flush(s.chk.Checked(), s.hdr.CommuneCode)
}

// commit stores both extracts of the accepted workbook the reader
// returned (header: without rows) and returns its check, and the number
// of M1 records left in the checked file: the records still in memory
// for a file that filled no batch, else loaded back from the checked
// file, but for the M1 records of a roster of more than held rows (see
// Store.LoadCheckedUpTo).
func (s *extractSink) commit(header record.Workbook) (record.Checked, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return record.Checked{}, 0, fmt.Errorf("extract: sink already closed")
	}
	s.closed = true
	if s.err != nil {
		s.drop()
		return record.Checked{}, 0, s.err
	}
	s.startTables(len(s.rows))
	chk := s.chk.Checked()
	inMemory := s.chkw.Written() == 0
	kept := *chk // every record, when none went to a batch yet
	if err := s.cells.Commit(header); err != nil {
		s.cells = nil
		s.drop()
		return record.Checked{}, 0, err
	}
	s.cells = nil
	err := s.chkw.Commit(header, func(ti int) int { return s.rows[ti] }, chk)
	s.chkw = nil
	// The checker's state (the roster's codes seen) can go before the
	// records are loaded back.
	s.chk, chk = nil, nil
	if err != nil {
		return record.Checked{}, 0, err
	}
	if inMemory {
		return kept, 0, nil
	}
	_, _, loaded, left, ok := s.st.LoadCheckedUpTo(s.sub, s.held)
	if !ok {
		return record.Checked{}, 0, fmt.Errorf("extract: the checked file just stored does not load")
	}
	return loaded, left, nil
}

// abort throws away what was written; later rows are ignored.
func (s *extractSink) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.drop()
}

// drop ends the writers left open without storing anything (mu held).
func (s *extractSink) drop() {
	if s.cells != nil {
		s.cells.Abort()
		s.cells = nil
	}
	if s.chkw != nil {
		s.chkw.Abort()
		s.chkw = nil
	}
}
