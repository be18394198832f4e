package feedback

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/report/quarterly/xl"
)

// A very big submission (a province's roster in one file) is not loaded
// whole: with Sources that yield its rows by batch (record.RowStreams),
// its feedback is written in two passes over the rows. The first
// (scanRows, before the view is built) finds what the layout needs of
// them: each table's first data row, last column and column widths, the
// household codes that stay unmasked, the counts of rows and of rows with
// errors. The second (writer.table's RowSource, while the workbook is
// saved) writes each row, its “Cần sửa” text, highlights and height
// straight into the sheet's deflate stream. Neither the rows nor the
// sheet's cells are held. The workbook is the very one the whole rows
// would give (TestBatchedSameAsWhole); what that path cannot write the
// same way (rows out of order or among the header rows, a value the
// streamed rows cannot hold) is written from the whole workbook, as
// before.

// streamTableRows is the number of source rows above which a
// submission's feedback is written from its rows by batch (the roster's
// streamPartRows): the small files of a national run keep the faster
// whole path.
var streamTableRows = 1 << 16

// errWhole means a submission's feedback cannot be written from its rows
// by batch: it is written from the whole workbook instead.
var errWhole = errors.New("feedback: written from the whole workbook")

// loadError is a failure to read a submission's source rows while its
// workbook was written (handled as a failure of loading them).
type loadError struct{ err error }

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

// batched is a submission whose source rows are read by batch.
type batched struct {
	ctx      context.Context
	rs       record.RowStreams
	id, path string
	tables   []tableScan // by table of the header
}

// tableScan is what the first pass found of one table's rows.
type tableScan struct {
	n         int       // rows
	firstData int       // the first row's number (0: no rows)
	lastRow   int       // the last row's number
	maxCol    int       // the largest column of a cell (cellCol)
	maxPut    int       // the largest column a cell is written at
	widths    []float64 // by column: the widths the cells ask for (growShort)
	hits      map[int]bool
}

// deferredWidth is a cell whose masked text depends on household codes
// not all known yet: its width is taken after the pass.
type deferredWidth struct {
	ti, col     int
	kind, field string
	text        string
}

// grow widens column col for text (growShort(col, text, 60)).
func (ts *tableScan) grow(col int, text string) {
	for len(ts.widths) <= col {
		ts.widths = append(ts.widths, 0)
	}
	ts.widths[col] = max(ts.widths[col], min(float64(shortLen(text, 60))*1.05+2, 40))
}

// findingRows are the rows, by sheet, that findings name (by row or cell
// reference): the rows the feedback's problems may be on.
func findingRows(findings []record.Finding) map[string]map[int]bool {
	out := map[string]map[int]bool{}
	add := func(sheet string, r int) {
		if r <= 0 {
			return
		}
		m := out[sheet]
		if m == nil {
			m = map[int]bool{}
			out[sheet] = m
		}
		m[r] = true
	}
	for _, f := range findings {
		add(f.Sheet, f.Row)
		if l := letterOf(f.Ref); l != "" {
			if n, err := strconv.Atoi(f.Ref[len(l):]); err == nil {
				add(f.Sheet, n)
			}
			if _, r, err := excelize.CellNameToCoordinates(strings.ToUpper(f.Ref)); err == nil {
				add(f.Sheet, r)
			}
		}
	}
	return out
}

// scanRows is the first pass over the source rows of the submission o,
// whose workbook header (tables without rows) is wb: the tables' scans
// and the masking of its personal data. errWhole when the rows cannot be
// written by batch (they are then loaded whole); an error only when ctx
// ended.
func scanRows(ctx context.Context, rs record.RowStreams, o *record.SubmissionOutcome, wb *record.Workbook, findings []record.Finding) (*batched, *privacy, error) {
	bt := &batched{ctx: ctx, rs: rs, id: o.ID, path: o.Path, tables: make([]tableScan, len(wb.Tables))}
	pv := &privacy{}
	named := findingRows(findings)
	var kinds fieldKinds
	var deferred []deferredWidth
	inOrder := true
	ok, err := rs.EachRows(ctx, o.ID, o.Path, -1, func(ti int, rows []record.SourceRow) error {
		if ti < 0 || ti >= len(wb.Tables) {
			return fmt.Errorf("rows of table %d of %d", ti, len(wb.Tables))
		}
		t, ts := &wb.Tables[ti], &bt.tables[ti]
		pv.addRows(rows)
		cand := named[t.Sheet]
		for _, sr := range rows {
			if ts.n > 0 && sr.Row <= ts.lastRow {
				inOrder = false
			}
			if ts.n == 0 {
				ts.firstData = sr.Row
			}
			ts.n++
			ts.lastRow = sr.Row
			if cand[sr.Row] {
				if ts.hits == nil {
					ts.hits = map[int]bool{}
				}
				ts.hits[sr.Row] = true
			}
			for _, c := range sr.Cells {
				field := c.Field.String()
				kind := kinds.of(o.Form, c.Field)
				col := cellCol(c)
				ts.maxCol = max(ts.maxCol, col)
				if col < 1 {
					if l := columnLetter(t, field); l != "" {
						col = colNum(l)
					}
				}
				if col < 1 {
					continue
				}
				ts.maxPut = max(ts.maxPut, col)
				display := cellDisplay(c)
				if kind == "" && field != schemas.FieldHouseholdCode && field != schemas.FieldSTT && hasLongDigits(display) {
					// pv.text keeps the household codes: known after the pass.
					deferred = append(deferred, deferredWidth{ti: ti, col: col, kind: kind, field: field, text: display})
					continue
				}
				ts.grow(col, pv.valueOfKind(kind, field, display))
			}
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("%w: %w", errWhole, err)
	}
	if !ok || !inOrder {
		return nil, nil, errWhole
	}
	pv.addFindings(findings)
	for _, d := range deferred {
		bt.tables[d.ti].grow(d.col, pv.valueOfKind(d.kind, d.field, d.text))
	}
	for ti := range bt.tables {
		if ts := &bt.tables[ti]; ts.n > 0 && ts.lastRow > excelize.TotalRows {
			return nil, nil, errWhole
		}
	}
	return bt, pv, nil
}

// cellStyle is a highlight of a cell of a row read by batch.
type cellStyle struct{ col, style int }

// batchLayout is what the second pass over a table's rows writes them
// with.
type batchLayout struct {
	lastCol      int
	text, center int       // the style IDs of xl.Text and xl.TextCenter
	ws           []float64 // the columns' widths
	byRow        map[int][]*problem
	styles       map[int][]cellStyle // the highlights of the rows, in order
}

// batchRows is the second pass over table ti's rows (read by batch when
// the workbook is saved): each row as the whole rows' calls write it (see
// writer.table): its cells, “Dòng gốc”, “Cần sửa”, highlights and height.
// A failure to read the rows is a loadError.
func (w *writer) batchRows(s *sub, ti int, l batchLayout) xl.RowSource {
	t, bt, st := &s.wb.Tables[ti], s.big, w.st
	rowCol, fixCol := l.lastCol+1, l.lastCol+2
	return func(rw *xl.RowWriter) error {
		var kinds fieldKinds
		var texts []string // of a row, for its height
		var cw []float64
		var werr error // of writing (not of reading)
		ok, err := bt.rs.EachRows(bt.ctx, bt.id, bt.path, ti, func(_ int, rows []record.SourceRow) error {
			for _, sr := range rows {
				if werr = rw.Row(sr.Row); werr != nil {
					return werr
				}
				rw.Blanks(1, l.lastCol, l.text)
				texts, cw = texts[:0], cw[:0]
				for _, c := range sr.Cells {
					field := c.Field.String()
					kind := kinds.of(s.o.Form, c.Field)
					cc := cellCol(c)
					col := cc
					if col < 1 {
						if lt := columnLetter(t, field); lt != "" {
							col = colNum(lt)
						}
					}
					if col < 1 {
						continue
					}
					display := cellDisplay(c)
					rw.PutText(col, s.pv.valueOfKind(kind, field, display), l.text)
					if cc >= 1 && cc <= l.lastCol {
						texts = append(texts, display)
						cw = append(cw, l.ws[cc-1])
					}
				}
				rw.PutInt(rowCol, sr.Row, l.center)
				list := l.byRow[sr.Row]
				if fix := fixText(list, sr.Hidden); fix == "" {
					rw.Put(fixCol, xl.Blank{}, l.text)
				} else {
					rw.Put(fixCol, fix, l.text)
					rw.StyleID(fixCol, st.fixStyle(list))
					texts = append(texts, fix)
					cw = append(cw, l.ws[fixCol-1])
				}
				for _, h := range l.styles[sr.Row] {
					rw.StyleID(h.col, h.style)
				}
				rw.FitHeight(15, texts, cw)
			}
			return nil
		})
		switch {
		case werr != nil:
			return werr
		case err != nil:
			return &loadError{err}
		case !ok:
			return &loadError{fmt.Errorf("rows of %s: no longer stored", bt.path)}
		}
		return nil
	}
}
