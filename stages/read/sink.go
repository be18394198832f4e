package read

import (
	"context"
	"errors"
	"sort"

	"doithoai/pipeline/record"
)

// sinkChunk is how many source rows a TableSink gets at once.
const sinkChunk = 1024

// TableSink receives the source rows of an accepted workbook that
// ReadTo reads, instead of their being returned with it: first Begin,
// with the workbook without its tables' rows (its status and everything
// else final, but for the findings on the legacy fonts of big sheets'
// columns, which only the rows decide: the workbook ReadTo returns has
// them all) and each table's number of rows, then Rows, with
// the rows of each table in order, table by table, a chunk at a time. A
// sink keeps neither the slice nor the rows' cells past the call (they
// may be reused or dropped); it reports its own failures to its owner,
// never to the reader.
type TableSink interface {
	Begin(header record.Workbook, rows []int)
	Rows(table int, rows []record.SourceRow)
}

// ReadTo is Read handing the source rows of an accepted workbook to sink:
// the workbook it returns then has its tables without rows (Rows nil),
// and sink got them, exactly the rows Read would return. A workbook that
// is not accepted is returned as Read returns it and sink is not called;
// one rejected after Begin (its reading stopped or ran out of time while
// rows were handed over) is returned rejected, and its owner throws away
// what sink got.
func (r *Reader) ReadTo(ctx context.Context, sub record.Submission, sink TableSink) (record.Workbook, error) {
	return r.readTo(ctx, sub, sink)
}

// streamState is what a read with a TableSink keeps between the mapping
// of the workbook and the handing over of its rows.
type streamState struct {
	sink TableSink
	// pending are the tables (by index) of cut sheets that the second
	// pass only counted: emit reads their rows once more.
	pending map[int]*tableBuilder
	// insertAt is where in the workbook's findings those of a pending
	// table's fonts go (found by the last pass).
	insertAt map[int]int
}

func (rs *streamState) reset() {
	rs.pending, rs.insertAt = map[int]*tableBuilder{}, map[int]int{}
}

// errRowsChanged: the last pass over a file did not find the rows the
// one before counted.
var errRowsChanged = errors.New("read: the rows of a sheet changed between two passes over the file")

// emit hands the rows of wb's tables to the sink in table order, each
// chunk dropped once handed over, and returns wb without its rows. The
// rows of pending tables are read in one more pass over the file, each
// converted as the decoder reads it; their findings are put in place.
func (r *Reader) emit(ctx context.Context, sub record.Submission, wb record.Workbook, rs *streamState) (record.Workbook, error) {
	sink := rs.sink
	header := record.HeaderOf(wb)
	rows := make([]int, len(wb.Tables))
	for i, t := range wb.Tables {
		rows[i] = len(t.Rows)
		if p, ok := rs.pending[i]; ok {
			rows[i] = p.rows
		}
	}
	sink.Begin(header, rows)
	next := 0 // the next table held in memory to hand over
	handMemory := func(upto int) {
		for ; next < upto; next++ {
			if _, ok := rs.pending[next]; ok {
				continue
			}
			all := wb.Tables[next].Rows
			wb.Tables[next].Rows = nil
			for lo := 0; lo < len(all); lo += sinkChunk {
				hi := min(lo+sinkChunk, len(all))
				sink.Rows(next, all[lo:hi])
				clear(all[lo:hi]) // the cells handed over can go
			}
		}
	}
	if len(rs.pending) > 0 {
		bySheet := map[int]int{} // sheet index -> table
		for ti, p := range rs.pending {
			bySheet[p.v.index] = ti
		}
		built := map[int]*tableBuilder{}
		var cur *tableBuilder
		f := &feed{start: func(index int) *tableBuilder {
			if cur != nil {
				cur.flush() // a table's rows before the next table's
				cur = nil
			}
			ti, ok := bySheet[index]
			if !ok {
				return nil
			}
			handMemory(ti)
			p := rs.pending[ti]
			tb := newTableBuilder(p.v, p.m, p.fc)
			tb.emitting(p, func(rs []record.SourceRow) { sink.Rows(ti, rs) })
			built[ti], cur = tb, tb
			return tb
		}}
		streamTablesRun.Add(1)
		_, err := decodeRows(ctx, sub.ArchivePath, r.Limits.WithDefaults(), f)
		if cur != nil {
			cur.flush()
		}
		if err == nil {
			for ti, p := range rs.pending {
				if tb := built[ti]; tb == nil || tb.rows != p.rows {
					err = errRowsChanged
				}
			}
		}
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return record.Workbook{}, cerr
			}
			return r.decodeFailure(sub, kindXLSX, wb.Format, err)
		}
		// Each pending table's findings in place, the last table first so
		// that the places of the others stay.
		tis := make([]int, 0, len(built))
		for ti := range built {
			tis = append(tis, ti)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(tis)))
		for _, ti := range tis {
			_, fs := built[ti].finishEmit()
			for i := range fs {
				fs[i].CommuneCode = header.CommuneCode
			}
			at := rs.insertAt[ti]
			header.Findings = append(header.Findings[:at:at], append(fs, header.Findings[at:]...)...)
		}
	}
	if err := ctx.Err(); err != nil {
		return record.Workbook{}, err
	}
	handMemory(len(wb.Tables))
	return header, nil
}
