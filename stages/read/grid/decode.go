package grid

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// WithDefaults returns l with every zero or negative field set to its
// DefaultLimits value.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	set64 := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set64(&l.MaxFileBytes, d.MaxFileBytes)
	set64(&l.MaxUnpackedBytes, d.MaxUnpackedBytes)
	set64(&l.MaxPartBytes, d.MaxPartBytes)
	set(&l.MaxSheets, d.MaxSheets)
	set(&l.MaxRows, d.MaxRows)
	set(&l.MaxCols, d.MaxCols)
	set(&l.MaxCells, d.MaxCells)
	set(&l.MaxCellChars, d.MaxCellChars)
	set(&l.MaxXMLDepth, d.MaxXMLDepth)
	set(&l.MaxCellBytes, d.MaxCellBytes)
	set64(&l.MaxSheetBytes, d.MaxSheetBytes)
	set64(&l.MaxWorkbookBytes, d.MaxWorkbookBytes)
	if l.MaxFileDuration <= 0 {
		l.MaxFileDuration = d.MaxFileDuration
	}
	return l
}

// PanicError is the Err of the corrupt Problem a decoder returns when it
// panicked on malformed data: a decoder bug, which logs and tests can tell
// apart from a merely damaged file.
type PanicError struct {
	Value any    // what the decoder panicked with
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Recover turns a panic of the named decoder ("xls", "ods", ...) into a
// corrupt Problem whose Err is a *PanicError, so that one hostile file
// cannot stop a run. Defer it directly in a function with named results:
//
//	defer grid.Recover("xls", &wb, &err)
func Recover(decoder string, wb **Workbook, err *error) {
	if r := recover(); r != nil {
		*wb = nil
		*err = Fail(CodeCorrupt, decoder+" decoder failed on malformed data", &PanicError{Value: r, Stack: debug.Stack()})
	}
}

// DecodeFunc decodes a whole file held in memory within limits whose
// fields are all set.
type DecodeFunc func(ctx context.Context, data []byte, lim Limits) (*Workbook, error)

// DecodeFile is the common entry of the decoders that read the whole file
// into memory: it fills unset limits from DefaultLimits, reads the file at
// path (a file over MaxFileBytes is a too_large Problem; a failure to open
// or read it is an error wrapped with the decoder's name), and runs decode
// on its bytes. A panic anywhere below becomes a corrupt Problem (see
// Recover).
func DecodeFile(ctx context.Context, decoder, path string, lim Limits, decode DecodeFunc) (wb *Workbook, err error) {
	defer Recover(decoder, &wb, &err)
	lim = lim.WithDefaults()
	data, err := readFile(decoder, path, lim.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	return decode(ctx, data, lim)
}

// readFile reads the whole file at path, refusing one over max bytes with
// a too_large Problem, before and while reading it. Open and read failures
// are returned wrapped with the decoder's name.
func readFile(decoder, path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: open %s: %w", decoder, path, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if st, err := f.Stat(); err == nil {
		if st.Size() > max {
			return nil, TooLarge(Excess{Limit: LimitFileBytes, Max: max}, "file is %d bytes, limit %d", st.Size(), max)
		}
		buf.Grow(int(st.Size()) + bytes.MinRead) // one buffer, not a doubling series
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", decoder, path, err)
	}
	data := buf.Bytes()
	if int64(len(data)) > max {
		return nil, TooLarge(Excess{Limit: LimitFileBytes, Max: max}, "file exceeds %d bytes", max)
	}
	return data, nil
}
