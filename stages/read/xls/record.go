package xls

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// BIFF record types this package reads.
const (
	recFormula    = 0x0006
	recEOF        = 0x000A
	recDateMode   = 0x0022
	recFilePass   = 0x002F
	recContinue   = 0x003C
	recCodePage   = 0x0042
	recBoundSheet = 0x0085
	recMulRK      = 0x00BD
	recRString    = 0x00D6
	recXF         = 0x00E0
	recMerged     = 0x00E5
	recSST        = 0x00FC
	recLabelSST   = 0x00FD
	recNumber     = 0x0203
	recLabel      = 0x0204
	recBoolErr    = 0x0205
	recString     = 0x0207
	recArray      = 0x0221
	recTable      = 0x0236
	recRK         = 0x027E
	recShrFmla    = 0x04BC
	recFormat     = 0x041E
	recBOF        = 0x0809

	// BOF record types of the BIFF2, BIFF3 and BIFF4 formats.
	recBOF2 = 0x0009
	recBOF3 = 0x0209
	recBOF4 = 0x0409
)

// errShort reports a structure that runs past the end of its record.
var errShort = errors.New("record data too short")

// record is one BIFF record with the payloads of the CONTINUE records that
// immediately follow it.
type record struct {
	typ  uint16
	pos  int      // stream offset of the record header
	segs [][]byte // payload, then one payload per CONTINUE record
	next int      // stream offset of the record after the CONTINUEs
}

// data is the payload of the record itself (without continuations).
func (r *record) data() []byte { return r.segs[0] }

// readRecord reads the record at stream offset pos, attaching the CONTINUE
// records that follow it.
func readRecord(s []byte, pos int) (record, error) {
	typ, body, next, err := rawRecord(s, pos)
	if err != nil {
		return record{}, err
	}
	rec := record{typ: typ, pos: pos, segs: [][]byte{body}, next: next}
	for rec.next+4 <= len(s) && binary.LittleEndian.Uint16(s[rec.next:]) == recContinue {
		_, cont, next, err := rawRecord(s, rec.next)
		if err != nil {
			return record{}, err
		}
		rec.segs = append(rec.segs, cont)
		rec.next = next
	}
	return rec, nil
}

// rawRecord reads one record header and payload without continuations.
func rawRecord(s []byte, pos int) (typ uint16, body []byte, next int, err error) {
	if pos < 0 || pos+4 > len(s) {
		return 0, nil, 0, fmt.Errorf("record header at offset %d: stream ends at %d", pos, len(s))
	}
	typ = binary.LittleEndian.Uint16(s[pos:])
	n := int(binary.LittleEndian.Uint16(s[pos+2:]))
	end := pos + 4 + n
	if end > len(s) {
		return 0, nil, 0, fmt.Errorf("record 0x%04X at offset %d: %d bytes claimed, stream ends at %d", typ, pos, n, len(s))
	}
	return typ, s[pos+4 : end], end, nil
}

// segReader reads a record's payload and its continuations as one byte
// sequence, except for string characters: when a string's characters are
// split across records, each continuation starts with a fresh option byte
// that says whether the remaining characters are 8- or 16-bit.
type segReader struct {
	segs [][]byte
	i    int // current segment
	off  int // offset in the current segment
}

func newSegReader(segs [][]byte) *segReader { return &segReader{segs: segs} }

// settle moves past exhausted segments.
func (r *segReader) settle() {
	for r.i < len(r.segs) && r.off >= len(r.segs[r.i]) {
		r.i++
		r.off = 0
	}
}

// atEnd reports whether no bytes remain.
func (r *segReader) atEnd() bool {
	r.settle()
	return r.i >= len(r.segs)
}

func (r *segReader) u8() (byte, error) {
	r.settle()
	if r.i >= len(r.segs) {
		return 0, errShort
	}
	b := r.segs[r.i][r.off]
	r.off++
	return b, nil
}

func (r *segReader) u16() (uint16, error) {
	lo, err := r.u8()
	if err != nil {
		return 0, err
	}
	hi, err := r.u8()
	if err != nil {
		return 0, err
	}
	return uint16(lo) | uint16(hi)<<8, nil
}

func (r *segReader) u32() (uint32, error) {
	lo, err := r.u16()
	if err != nil {
		return 0, err
	}
	hi, err := r.u16()
	if err != nil {
		return 0, err
	}
	return uint32(lo) | uint32(hi)<<16, nil
}

// skip advances n bytes across segments.
func (r *segReader) skip(n int) error {
	if n < 0 {
		return errShort
	}
	for n > 0 {
		r.settle()
		if r.i >= len(r.segs) {
			return errShort
		}
		k := min(n, len(r.segs[r.i])-r.off)
		r.off += k
		n -= k
	}
	return nil
}

// bytes reads n raw bytes across segments (for 8-bit BIFF5 strings).
func (r *segReader) bytes(n int) ([]byte, error) {
	out := make([]byte, 0, n)
	for len(out) < n {
		r.settle()
		if r.i >= len(r.segs) {
			return nil, errShort
		}
		k := min(n-len(out), len(r.segs[r.i])-r.off)
		out = append(out, r.segs[r.i][r.off:r.off+k]...)
		r.off += k
	}
	return out, nil
}

// chars reads n BIFF8 characters, 16-bit when high is set and compressed
// (Latin-1, one byte each) otherwise. A continuation reached in the middle
// of the characters begins with an option byte whose bit 0 gives the width
// of the characters that follow.
func (r *segReader) chars(n int, high bool) (string, error) {
	u := make([]uint16, 0, n)
	for len(u) < n {
		if r.i >= len(r.segs) {
			return "", errShort
		}
		seg := r.segs[r.i]
		if r.off >= len(seg) {
			r.i++
			r.off = 0
			if r.i >= len(r.segs) {
				return "", errShort
			}
			if len(r.segs[r.i]) == 0 {
				continue
			}
			high = r.segs[r.i][0]&0x01 != 0
			r.off = 1
			continue
		}
		avail := len(seg) - r.off
		need := n - len(u)
		if high {
			k := min(avail/2, need)
			if k == 0 {
				return "", fmt.Errorf("16-bit character split across records")
			}
			for j := 0; j < k; j++ {
				u = append(u, binary.LittleEndian.Uint16(seg[r.off+2*j:]))
			}
			r.off += 2 * k
		} else {
			k := min(avail, need)
			for j := 0; j < k; j++ {
				u = append(u, uint16(seg[r.off+j]))
			}
			r.off += k
		}
	}
	return string(utf16.Decode(u)), nil
}

// unicodeString reads a BIFF8 XLUnicodeString (16-bit count) or
// ShortXLUnicodeString (8-bit count), skipping rich-text runs and phonetic
// data when the option flags announce them.
func (r *segReader) unicodeString(shortCount bool) (string, error) {
	var n int
	if shortCount {
		c, err := r.u8()
		if err != nil {
			return "", err
		}
		n = int(c)
	} else {
		c, err := r.u16()
		if err != nil {
			return "", err
		}
		n = int(c)
	}
	return r.stringBody(n)
}

// stringBody reads the option byte, optional run and phonetic sizes, the
// characters and then skips the runs and phonetic data.
func (r *segReader) stringBody(n int) (string, error) {
	flags, err := r.u8()
	if err != nil {
		return "", err
	}
	var runs, ext int
	if flags&0x08 != 0 {
		c, err := r.u16()
		if err != nil {
			return "", err
		}
		runs = int(c)
	}
	if flags&0x04 != 0 {
		c, err := r.u32()
		if err != nil {
			return "", err
		}
		if c > 1<<30 {
			return "", fmt.Errorf("phonetic data size %d", c)
		}
		ext = int(c)
	}
	s, err := r.chars(n, flags&0x01 != 0)
	if err != nil {
		return "", err
	}
	if err := r.skip(4 * runs); err != nil {
		return "", fmt.Errorf("rich text runs: %w", err)
	}
	if err := r.skip(ext); err != nil {
		return "", fmt.Errorf("phonetic data: %w", err)
	}
	return s, nil
}
