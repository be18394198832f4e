package read

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"

	"doithoai/pipeline/vntext"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/xlsx"
)

// streamKeepRows is how many rows of an xlsx sheet the first pass keeps
// (with at least the rows the header search reads). A sheet with more
// is not held whole: what recognition needs is kept, and its table is
// built in a second pass, row by row as the decoder reads them. Most
// commune files are far below it and are read once.
var streamKeepRows = 10_000

// skimmedSheets counts the sheets whose rows a first pass skipped (tests).
var skimmedSheets atomic.Int64

// probe is the row sink of the first pass over an xlsx file: it keeps the
// first rows of each sheet, drops the rest, and decides on the way what
// the read stage would otherwise take from the whole sheet (its legacy
// font, from its first non-ASCII text cells) and whether the rows come in
// order (else the file is decoded again whole, as before).
type probe struct {
	keep   int
	sheets []probeSheet // by index in the workbook
	cur    *probeSheet
	// checked: a full pass over the file succeeded after this one
	// skipped rows; notes are its decoder remarks.
	checked bool
	notes   []string
}

// probeSheet is what the probe learnt of one sheet.
type probeSheet struct {
	rows, kept, nonEmpty int
	lastNum              int
	unsorted             bool // a row came after a row with a number as high
	truncated            bool // rows were dropped
	skimmed              bool // rows were not even read (grid.SkipRows)
	sample               []string
}

func (p *probe) StartSheet(index int, _ string) {
	for len(p.sheets) <= index {
		p.sheets = append(p.sheets, probeSheet{})
	}
	p.sheets[index] = probeSheet{}
	p.cur = &p.sheets[index]
}

func (p *probe) Row(r *grid.Row) (bool, error) {
	ps := p.cur
	if ps.rows > 0 && r.Num <= ps.lastNum {
		ps.unsorted = true
	}
	ps.rows++
	ps.lastNum = r.Num
	if len(ps.sample) < legacySample {
		// As sheetEncoding samples the whole sheet.
		for _, c := range r.Cells {
			if c.Kind == grid.String && !isASCII(c.Text) && len(ps.sample) < legacySample {
				ps.sample = append(ps.sample, c.Text)
			}
		}
	}
	if ps.unsorted || ps.kept < p.keep || ps.nonEmpty < topRowsScanned+3 {
		ps.kept++
		if rowHasValue(r) {
			ps.nonEmpty++
		}
		return true, nil
	}
	ps.truncated = true
	if len(ps.sample) >= legacySample {
		// Nothing more to learn from the sheet before its table is
		// streamed: the decoder only reads on to its merges.
		ps.skimmed = true
		skimmedSheets.Add(1)
		return false, grid.SkipRows
	}
	return false, nil
}

// skimmed reports whether a sheet's rows were left unread (so the limits
// are still to be checked on them).
func (p *probe) skimmed() bool {
	if p == nil {
		return false
	}
	for i := range p.sheets {
		if p.sheets[i].skimmed {
			return true
		}
	}
	return false
}

// ordered reports whether every sheet's rows came in increasing order.
func (p *probe) ordered() bool {
	for i := range p.sheets {
		if p.sheets[i].unsorted {
			return false
		}
	}
	return true
}

// truncated reports whether sheet i lost rows to the probe.
func (p *probe) truncated(i int) bool {
	return p != nil && i < len(p.sheets) && p.sheets[i].truncated
}

// decodeXLSX is the first pass over an xlsx file: the workbook with the
// first rows of each sheet, and the probe that says which sheets were cut
// (nil when the file was decoded whole).
func decodeXLSX(ctx context.Context, path string, lim grid.Limits) (*grid.Workbook, *probe, error) {
	pr := &probe{keep: streamKeepRows}
	gw, err := decodeRows(ctx, path, lim, pr)
	if !pr.ordered() || err != nil && pr.skimmed() {
		// Rows out of order are merged by the decoder at the end of the
		// sheet: only the whole grid reads them right. And a failure
		// after rows were skipped may not be the first one the file has.
		gw, err = decode(ctx, kindXLSX, path, lim)
		return gw, nil, err
	}
	if err == nil {
		pr.own(gw)
	}
	return gw, pr, err
}

// own gives what the first pass keeps of a file whose rows it cut (the
// first rows of each sheet, their sample, the sheets' names and the
// notes) strings of their own: the decoder hands out substrings of the
// file's shared-string table, which a later pass reads again. Kept, they
// would hold the first pass's whole table (a million-row roster's is
// tens of megabytes) alive beside the next pass's. Equal texts share one
// copy. A file read in one pass is left as it is.
func (p *probe) own(gw *grid.Workbook) {
	cut := false
	for i := range p.sheets {
		cut = cut || p.sheets[i].truncated
	}
	if !cut || gw == nil {
		return
	}
	seen := map[string]string{}
	clone := func(s *string) {
		if *s == "" {
			return
		}
		c, ok := seen[*s]
		if !ok {
			c = strings.Clone(*s)
			seen[c] = c
		}
		*s = c
	}
	for i := range gw.Sheets {
		sh := &gw.Sheets[i]
		clone(&sh.Name)
		for r := range sh.Rows {
			for c := range sh.Rows[r].Cells {
				clone(&sh.Rows[r].Cells[c].Text)
			}
		}
	}
	for i := range gw.Notes {
		clone(&gw.Notes[i])
	}
	for i := range p.sheets {
		for j := range p.sheets[i].sample {
			clone(&p.sheets[i].sample[j])
		}
	}
	for i := range p.notes {
		clone(&p.notes[i])
	}
}

// errUnordered stops a later pass that finds a row out of order where the
// first pass skipped rows: the file is then read whole after all.
var errUnordered = errors.New("read: rows out of order in a skipped part of a sheet")

// order checks, for the sinks of the later passes, that the rows of each
// sheet come in increasing order, as the first pass found them where it
// looked.
type order struct{ rows, last int }

func (o *order) start() { *o = order{} }

func (o *order) next(r *grid.Row) error {
	if o.rows > 0 && r.Num <= o.last {
		return errUnordered
	}
	o.rows++
	o.last = r.Num
	return nil
}

// decodeRows is xlsx.DecodeRows under the read stage's panic guard.
func decodeRows(ctx context.Context, path string, lim grid.Limits, sink grid.RowSink) (wb *grid.Workbook, err error) {
	defer grid.Recover("read", &wb, &err)
	return xlsx.DecodeRows(ctx, path, lim, sink)
}

// feed is the row sink of the second pass: it hands the rows of the cut
// sheets to their table builders and keeps none.
type feed struct {
	start func(index int) *tableBuilder // a fresh builder for the sheet, nil when it has no table
	cur   *tableBuilder
	order order
}

func (f *feed) StartSheet(index int, _ string) {
	f.cur = f.start(index)
	f.order.start()
}

func (f *feed) Row(r *grid.Row) (bool, error) {
	if err := f.order.next(r); err != nil {
		return false, err
	}
	if f.cur != nil {
		f.cur.add(r, r)
	}
	return false, nil
}

// sheetEnc is the legacy font the probe found for sheet i.
func (p *probe) sheetEnc(i int) vntext.Encoding {
	return vntext.DetectColumn(p.sheets[i].sample)
}

// verified records a full pass over the file (the second one).
func (p *probe) verified(gw *grid.Workbook) {
	if p != nil && gw != nil {
		p.checked, p.notes = true, gw.Notes
	}
}

// verify makes sure a full pass over the file was made once the first one
// skipped rows: it decodes the whole file once more, keeping no row, for
// the limits and the decoder remarks of the rows skipped. Its error is
// the decoder's on the file.
func (p *probe) verify(ctx context.Context, path string, lim grid.Limits) error {
	if !p.skimmed() || p.checked {
		return nil
	}
	gw, err := decodeRows(ctx, path, lim, &dropAll{})
	if err != nil {
		return err
	}
	p.verified(gw)
	return nil
}

// dropAll is a row sink that keeps no row.
type dropAll struct{ order order }

func (d *dropAll) StartSheet(int, string)        { d.order.start() }
func (d *dropAll) Row(r *grid.Row) (bool, error) { return false, d.order.next(r) }
