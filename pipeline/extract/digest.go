package extract

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// hashBatch adds one record batch of an extract to its digest: the
// bytes of the batch, column by column: the values buffer of a number
// column, the offsets and data of a text column, the validity of a column
// with nulls. It hashes the encoded buffers themselves (no value by value
// walk), so that damage an Arrow reader cannot see (a changed byte in a
// text buffer) is found: IPC files carry no checksum of their own.
func hashBatch(h hash.Hash, rec arrow.RecordBatch) error {
	var b [8]byte
	num := func(v int64) {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	num(rec.NumRows())
	num(rec.NumCols())
	var flags []byte
	for ci, col := range rec.Columns() {
		n := col.Len()
		num(int64(n))
		num(int64(col.NullN()))
		if col.NullN() > 0 {
			flags = flagBytes(flags[:0], n, col.IsValid)
			h.Write(flags)
		}
		if n == 0 {
			continue
		}
		switch a := col.(type) {
		case *array.Int32:
			h.Write(bytesOf(a.Int32Values()))
		case *array.Int64:
			h.Write(bytesOf(a.Int64Values()))
		case *array.Float64:
			h.Write(bytesOf(a.Float64Values()))
		case *array.Boolean:
			flags = flagBytes(flags[:0], n, a.Value)
			h.Write(flags)
		case *array.String:
			offs := a.ValueOffsets()
			if offs[0] != 0 {
				return errors.New("extract: text column not starting at offset 0")
			}
			h.Write(bytesOf(offs))
			h.Write(a.ValueBytes())
		default:
			return fmt.Errorf("extract: column %d of type %s", ci, col.DataType())
		}
	}
	return nil
}

// finishDigest ends the digest of an extract file whose batches (of
// rows, the trailer aside) went through hashBatch: it adds their number
// and the metadata JSON, and returns the hex sha256.
func finishDigest(h hash.Hash, metaJSON string, batches int64) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(batches))
	h.Write(b[:])
	binary.LittleEndian.PutUint64(b[:], uint64(len(metaJSON)))
	h.Write(b[:])
	io.WriteString(h, metaJSON)
	return sum(h)
}

func sum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// flagBytes appends one byte (0 or 1) per value of a bit column.
func flagBytes(dst []byte, n int, bit func(int) bool) []byte {
	for i := 0; i < n; i++ {
		if bit(i) {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
	}
	return dst
}

// bytesOf is the memory of a number slice, as the IPC file holds it.
func bytesOf[T int32 | int64 | float64](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(v[0])))
}
