package record

import (
	"context"
	"fmt"
)

// Sources yields what the reader made of each submission, one submission
// at a time, so that a run need not hold every submission's source rows:
// a store of extracts loads them on demand, Workbooks holds them in
// memory. A submission is named by its ID and path (a duplicate shares its
// ID with the file it repeats). Implementations are safe for concurrent
// use.
type Sources interface {
	// Header returns the submission's workbook; its tables' rows may be
	// left out (cheap: what a list of submissions shows). False when the
	// submission is unknown.
	Header(id, path string) (Workbook, bool)
	// Workbook returns the submission's whole workbook, source rows
	// included, loading it when needed. False when the submission is
	// unknown; an error only when ctx ended or loading failed.
	Workbook(ctx context.Context, id, path string) (Workbook, bool, error)
}

// Workbooks is Sources held in memory: the workbooks themselves.
type Workbooks []Workbook

// Header returns the workbook of the submission (rows included).
func (w Workbooks) Header(id, path string) (Workbook, bool) {
	for i := range w {
		if w[i].Submission.ID == id && w[i].Submission.Path == path {
			return w[i], true
		}
	}
	return Workbook{}, false
}

// Workbook returns the workbook of the submission.
func (w Workbooks) Workbook(ctx context.Context, id, path string) (Workbook, bool, error) {
	if err := ctx.Err(); err != nil {
		return Workbook{}, false, err
	}
	wb, ok := w.Header(id, path)
	return wb, ok, nil
}

// Collect loads the whole workbook of every submission of ds, in the
// order of ds.Submissions (what tests compare; a run never needs them all
// at once). Submissions without a workbook are left out.
func Collect(ctx context.Context, ds *Dataset) (Workbooks, error) {
	if ds.Sources == nil {
		return nil, nil
	}
	out := make(Workbooks, 0, len(ds.Submissions))
	for _, o := range ds.Submissions {
		wb, ok, err := ds.Sources.Workbook(ctx, o.ID, o.Path)
		if err != nil {
			return nil, fmt.Errorf("workbook of %s: %w", o.Path, err)
		}
		if ok {
			out = append(out, wb)
		}
	}
	return out, nil
}

// HeaderOf returns a copy of wb without its tables' rows.
func HeaderOf(wb Workbook) Workbook {
	if wb.Tables == nil {
		return wb
	}
	ts := make([]Table, len(wb.Tables))
	copy(ts, wb.Tables)
	for i := range ts {
		ts[i].Rows = nil
	}
	wb.Tables = ts
	return wb
}

var _ Sources = Workbooks(nil)

// Identities is implemented by Sources that can name what Workbook would
// return without loading it: feedback compares the name with the one it
// wrote last time and loads the source rows only when the feedback must
// be written again.
type Identities interface {
	// Identity returns a name of the submission's whole workbook (source
	// rows included) that changes whenever that workbook may change, e.g.
	// the file's sha256 with the key of the reader that made it; false
	// when there is none (the caller then looks at the workbook itself).
	Identity(id, path string) (string, bool)
}

// RowStreams is implemented by Sources that can hand a submission's
// source rows over a batch at a time, without loading its whole workbook:
// feedback writes the copy of a very big table (a province's roster in
// one file) in passes over its rows instead of holding them.
type RowStreams interface {
	// StreamRows returns the number of source rows of the submission's
	// workbook and whether EachRows can yield them (false: the workbook
	// is held whole or unknown; Workbook is then the way).
	StreamRows(id, path string) (int, bool)
	// EachRows yields the source rows of the submission's table (an
	// index in Header's Tables; -1: every table), in order, a batch at a
	// time: yield gets the table's index and rows valid only during the
	// call. ok is false when there was nothing to yield them from (the
	// caller then loads the Workbook). An error after some batches (ctx
	// ended, damaged stored rows, yield's own error) means what was
	// yielded must not be used.
	EachRows(ctx context.Context, id, path string, table int, yield func(table int, rows []SourceRow) error) (ok bool, err error)
}
