// Package recordtest holds test helpers for the record types: a Roster
// that punishes a reader keeping rows past its call.
package recordtest

import (
	"context"
	"reflect"
	"unsafe"

	"doithoai/pipeline/record"
)

// VolatileRoster is a record.Roster that gives its rows in runs of run
// rows, each run a copy whose strings live in a buffer that is overwritten
// after the call and reused for the next run, as a roster read from disk
// may do: a reader that keeps a row or a string past the call writes
// garbage.
type VolatileRoster struct {
	Rows  []record.Household
	Run   int // rows a run (at least 1)
	Calls int // calls of Each
}

// Len is the number of rows.
func (r *VolatileRoster) Len() int { return len(r.Rows) }

// Each yields copies of the rows in runs, overwritten after each call.
func (r *VolatileRoster) Each(ctx context.Context, fn func(first int, hs []record.Household) error) error {
	r.Calls++
	var buf []record.Household
	var arena []byte
	for off := 0; off < len(r.Rows); off += r.Run {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(off+r.Run, len(r.Rows))
		buf = append(buf[:0], r.Rows[off:end]...)
		size := 0
		for i := range buf {
			eachString(reflect.ValueOf(&buf[i]).Elem(), func(s *string) { size += len(*s) })
		}
		if cap(arena) < size {
			arena = make([]byte, 0, 2*size)
		}
		arena = arena[:0]
		for i := range buf {
			eachString(reflect.ValueOf(&buf[i]).Elem(), func(s *string) {
				if *s == "" {
					return
				}
				start := len(arena)
				arena = append(arena, *s...)
				*s = unsafe.String(&arena[start], len(*s))
			})
		}
		err := fn(off, buf)
		for i := range arena {
			arena[i] = '#'
		}
		for i := range buf {
			buf[i] = record.Household{HeadName: "garbage", Source: record.Source{Row: -1}}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// eachString calls f with every settable string field of v, a struct,
// embedded structs included.
func eachString(v reflect.Value, f func(*string)) {
	for i := range v.NumField() {
		fv := v.Field(i)
		switch {
		case !fv.CanSet():
		case fv.Kind() == reflect.String:
			f(fv.Addr().Interface().(*string))
		case fv.Kind() == reflect.Struct:
			eachString(fv, f)
		}
	}
}
