package xls

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"doithoai/stages/read/grid"
)

// Sheet types of BOUNDSHEET (dt) and of a substream's BOF record.
const (
	sheetWorksheet = 0x00 // BOUNDSHEET: worksheet or dialog sheet
	bofGlobals     = 0x0005
	bofWorksheet   = 0x0010
)

// ctxEvery is how many records are parsed between context checks.
const ctxEvery = 1024

// boundSheet is one BOUNDSHEET record.
type boundSheet struct {
	rawName []byte // BIFF5: 8-bit name, decoded once the code page is known
	name    string
	pos     int
	state   byte // 0 visible, 1 hidden, 2 very hidden
	typ     byte
}

// book is the workbook-global state needed to decode the sheets.
type book struct {
	ctx        context.Context
	lim        grid.Limits
	stream     []byte
	biff       int // 5 or 8
	dec        decoder
	date1904   bool
	sheets     []boundSheet
	sst        []string
	rawFormats map[int][]byte // BIFF5 FORMAT strings before decoding
	formats    map[int]string
	xfFmt      []int
	dateXF     []bool
	globalsEnd int // stream offset after the globals' EOF record
	cells      int // non-empty cells so far, whole workbook
	bud        *grid.Budget
	notes      []string
	records    int
}

// corrupt makes a corrupt Problem with formatted detail.
func corrupt(err error, format string, args ...any) error {
	return grid.Fail(grid.CodeCorrupt, fmt.Sprintf(format, args...), err)
}

// tooLarge makes a too_large Problem naming the limit, with formatted
// detail.
func tooLarge(ex grid.Excess, format string, args ...any) error {
	return grid.TooLarge(ex, format, args...)
}

// note records a decoder remark once.
func (b *book) note(s string) {
	if !slices.Contains(b.notes, s) {
		b.notes = append(b.notes, s)
	}
}

// tick counts a record and checks the context now and then.
func (b *book) tick() error {
	b.records++
	if b.records%ctxEvery == 0 {
		if err := b.ctx.Err(); err != nil {
			return fmt.Errorf("xls: %w", err)
		}
	}
	return nil
}

// decodeStream decodes a BIFF5/BIFF8 workbook stream. biffHint is the
// version the container's stream name implies (0 when unknown).
func decodeStream(ctx context.Context, stream []byte, biffHint int, lim grid.Limits) (*grid.Workbook, error) {
	b := &book{ctx: ctx, lim: lim, stream: stream, rawFormats: map[int][]byte{}, formats: map[int]string{}, bud: grid.NewBudget(lim)}
	if err := b.globals(biffHint); err != nil {
		return nil, err
	}
	wb := &grid.Workbook{Format: "xls", Date1904: b.date1904}
	var fallback []int // substream starts in stream order, found only if needed
	for i, bs := range b.sheets {
		if bs.typ != sheetWorksheet {
			continue
		}
		pos := bs.pos
		if !b.isBOF(pos) {
			if fallback == nil {
				fallback = b.substreams()
			}
			if i >= len(fallback) {
				return nil, corrupt(nil, "sheet %q: no BOF record at offset %d", bs.name, bs.pos)
			}
			pos = fallback[i]
		}
		sh, ok, err := b.sheet(pos, bs)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(wb.Sheets) >= lim.MaxSheets {
			return nil, tooLarge(grid.Excess{Limit: grid.LimitSheets, Max: int64(lim.MaxSheets)}, "more than %d sheets", lim.MaxSheets)
		}
		wb.Sheets = append(wb.Sheets, sh)
	}
	if len(wb.Sheets) == 0 {
		return nil, grid.Fail(grid.CodeEmpty, "workbook has no worksheet", nil)
	}
	wb.Notes = b.notes
	return wb, nil
}

// globals parses the workbook globals substream at the start of the stream.
func (b *book) globals(biffHint int) error {
	rec, err := readRecord(b.stream, 0)
	if err != nil {
		return corrupt(err, "workbook stream")
	}
	switch rec.typ {
	case recBOF:
	case recBOF2, recBOF3, recBOF4:
		return unsupportedBIFF(rec.typ)
	default:
		return corrupt(nil, "workbook stream starts with record 0x%04X, not BOF", rec.typ)
	}
	d := rec.data()
	var vers, dt uint16
	if len(d) >= 4 {
		vers, dt = le16(d, 0), le16(d, 2)
	}
	switch {
	case vers == 0x0600:
		b.biff = 8
	case vers == 0x0500:
		b.biff = 5
	case biffHint != 0:
		b.biff = biffHint
	case len(d) >= 16:
		b.biff = 8
	default:
		b.biff = 5
	}
	if len(d) >= 4 && dt != bofGlobals {
		return grid.Fail(grid.CodeUnsupported, fmt.Sprintf("stream starts with substream type 0x%04X, not workbook globals", dt), nil)
	}
	codepage := 0
	pos := rec.next
	for {
		if err := b.tick(); err != nil {
			return err
		}
		if pos >= len(b.stream) {
			return corrupt(nil, "workbook globals end without EOF record")
		}
		rec, err := readRecord(b.stream, pos)
		if err != nil {
			return corrupt(err, "workbook globals")
		}
		pos = rec.next
		d := rec.data()
		switch rec.typ {
		case recEOF:
			b.globalsEnd = pos
			return b.finishGlobals(codepage)
		case recBOF:
			// A sheet substream began: the globals lacked their EOF.
			b.globalsEnd = rec.pos
			return b.finishGlobals(codepage)
		case recFilePass:
			return grid.Fail(grid.CodeEncrypted, "workbook is password protected (FILEPASS record)", nil)
		case recCodePage:
			if len(d) >= 2 {
				codepage = int(le16(d, 0))
			}
		case recDateMode:
			if len(d) >= 2 {
				b.date1904 = le16(d, 0) == 1
			}
		case recBoundSheet:
			bs, err := b.boundSheet(rec)
			if err != nil {
				return corrupt(err, "BOUNDSHEET record at offset %d", rec.pos)
			}
			b.sheets = append(b.sheets, bs)
		case recSST:
			if b.biff == 8 {
				if err := b.readSST(rec); err != nil {
					return err
				}
			}
		case recFormat:
			if err := b.format(rec); err != nil {
				return corrupt(err, "FORMAT record at offset %d", rec.pos)
			}
		case recXF:
			f := 0
			if len(d) >= 4 {
				f = int(le16(d, 2))
			}
			b.xfFmt = append(b.xfFmt, f)
		}
	}
}

// finishGlobals decodes the 8-bit strings of BIFF5 files now that the code
// page is known, and works out which XF records carry a date format.
func (b *book) finishGlobals(codepage int) error {
	dec, ok := newDecoder(codepage)
	b.dec = dec
	if b.biff == 5 {
		if !ok {
			b.note(fmt.Sprintf("codepage %d not supported; text decoded as Windows-1252", codepage))
		}
		for i := range b.sheets {
			b.sheets[i].name = dec.decode(b.sheets[i].rawName)
		}
		for id, raw := range b.rawFormats {
			b.formats[id] = dec.decode(raw)
		}
	}
	b.dateXF = make([]bool, len(b.xfFmt))
	memo := map[int]bool{}
	for i, f := range b.xfFmt {
		isDate, seen := memo[f]
		if !seen {
			if s, defined := b.formats[f]; defined {
				isDate = grid.IsDateFormat(s)
			} else {
				isDate = grid.BuiltinDateFormat(f)
			}
			memo[f] = isDate
		}
		b.dateXF[i] = isDate
	}
	return nil
}

// boundSheet parses a BOUNDSHEET record.
func (b *book) boundSheet(rec record) (boundSheet, error) {
	d := rec.data()
	if len(d) < 7 {
		return boundSheet{}, errShort
	}
	bs := boundSheet{pos: int(binary.LittleEndian.Uint32(d)), state: d[4] & 0x03, typ: d[5]}
	if b.biff == 8 {
		r := newSegReader(rec.segs)
		if err := r.skip(6); err != nil {
			return boundSheet{}, err
		}
		name, err := r.unicodeString(true)
		if err != nil {
			return boundSheet{}, fmt.Errorf("sheet name: %w", err)
		}
		bs.name = name
	} else {
		n := int(d[6])
		if 7+n > len(d) {
			return boundSheet{}, errShort
		}
		bs.rawName = d[7 : 7+n]
	}
	return bs, nil
}

// format parses a FORMAT record (number format id and string).
func (b *book) format(rec record) error {
	d := rec.data()
	if len(d) < 3 {
		return errShort
	}
	id := int(le16(d, 0))
	if b.biff == 8 {
		r := newSegReader(rec.segs)
		_ = r.skip(2)
		s, err := r.unicodeString(false)
		if err != nil {
			return err
		}
		b.formats[id] = s
		return nil
	}
	n := int(d[2])
	if 3+n > len(d) {
		return errShort
	}
	b.rawFormats[id] = d[3 : 3+n]
	return nil
}

// readSST parses the shared string table, which may span CONTINUE records.
// The unique-string count is not trusted: some writers get it wrong, so
// strings are read until the data ends.
func (b *book) readSST(rec record) error {
	r := newSegReader(rec.segs)
	if _, err := r.u32(); err != nil {
		return corrupt(err, "SST header")
	}
	uniq, err := r.u32()
	if err != nil {
		return corrupt(err, "SST header")
	}
	total := 0
	for _, s := range rec.segs {
		total += len(s)
	}
	capHint := total/3 + 1 // a string takes at least 3 bytes
	if uint64(uniq) < uint64(capHint) {
		capHint = int(uniq)
	}
	b.sst = make([]string, 0, capHint)
	for !r.atEnd() {
		if err := b.tick(); err != nil {
			return err
		}
		s, err := r.unicodeString(false)
		if err != nil {
			if uint64(len(b.sst)) >= uint64(uniq) {
				break // trailing bytes past the announced strings
			}
			return corrupt(err, "SST string %d of %d", len(b.sst), uniq)
		}
		if len(s) > b.lim.MaxCellBytes {
			return tooLarge(grid.Excess{Limit: grid.LimitCellBytes, Max: int64(b.lim.MaxCellBytes)},
				"shared string %d is %d bytes, limit %d", len(b.sst), len(s), b.lim.MaxCellBytes)
		}
		if err := b.bud.Shared(int64(len(s))); err != nil {
			return err
		}
		b.sst = append(b.sst, s)
	}
	return nil
}

// isBOF reports whether a BIFF5/8 BOF record starts at pos.
func (b *book) isBOF(pos int) bool {
	return pos >= b.globalsEnd && pos >= 0 && pos+4 <= len(b.stream) && le16(b.stream, pos) == recBOF
}

// substreams lists the offsets of the top-level BOF records after the
// globals, in stream order; used when BOUNDSHEET offsets are wrong.
func (b *book) substreams() []int {
	var starts []int
	depth := 0
	for pos := b.globalsEnd; pos+4 <= len(b.stream); {
		typ, _, next, err := rawRecord(b.stream, pos)
		if err != nil {
			break
		}
		switch typ {
		case recBOF:
			if depth == 0 {
				starts = append(starts, pos)
			}
			depth++
		case recEOF:
			if depth > 0 {
				depth--
			}
		}
		pos = next
	}
	return starts
}

// le16 reads a little-endian uint16 at off.
func le16(d []byte, off int) uint16 { return binary.LittleEndian.Uint16(d[off:]) }

// le32 reads a little-endian uint32 at off.
func le32(d []byte, off int) uint32 { return binary.LittleEndian.Uint32(d[off:]) }

// f64 reads a little-endian IEEE double at off.
func f64(d []byte, off int) float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(d[off:]))
}
