package quarterly_test

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"doithoai/pipeline/record"
	"doithoai/stages/report/quarterly"
	"doithoai/stages/report/quarterly/xl/fixture"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

// volatileRoster is a record.Roster that gives its rows in runs of run
// rows, each a copy whose strings live in a buffer overwritten after the
// call, as a roster read from disk may: a reader that keeps a row or a
// string past the call shows garbage.
type volatileRoster struct {
	rows  []record.Household
	run   int
	calls int
}

func (r *volatileRoster) Len() int { return len(r.rows) }

func (r *volatileRoster) Each(ctx context.Context, fn func(first int, hs []record.Household) error) error {
	r.calls++
	for off := 0; off < len(r.rows); off += r.run {
		if err := ctx.Err(); err != nil {
			return err
		}
		hs := append([]record.Household(nil), r.rows[off:min(off+r.run, len(r.rows))]...)
		var arena []byte
		for pass := range 2 {
			for i := range hs {
				eachString(reflect.ValueOf(&hs[i]).Elem(), func(s *string) {
					if pass == 0 {
						arena = append(arena, *s...)
						return
					}
					if *s != "" {
						n := len(*s)
						copy(arena, *s)
						*s = unsafe.String(&arena[0], n)
						arena = arena[n:]
					}
				})
			}
			if pass == 0 {
				arena = make([]byte, len(arena))
			}
		}
		err := fn(off, hs)
		for i := range hs {
			eachString(reflect.ValueOf(&hs[i]).Elem(), func(s *string) {
				if *s != "" {
					b := unsafe.Slice(unsafe.StringData(*s), len(*s))
					for j := range b {
						b[j] = '#'
					}
				}
			})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// eachString calls f with every settable string field of the struct v.
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

// TestRosterReport: the report of a dataset whose roster is read in runs
// (record.Roster: the duplicates sheet looks its members up in one
// reading) is the report of the same rows held in memory.
func TestRosterReport(t *testing.T) {
	p := fixture.Plan()
	for _, tt := range []struct {
		name string
		now  time.Time
		run  int
	}{
		{"draft, runs of 1", fixture.At("2022-05-20 10:00"), 1},
		{"draft, runs of 3", fixture.At("2022-05-20 10:00"), 3},
		{"final, one run", fixture.At("2022-07-05 09:00"), 1 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			write := func(ds *record.Dataset) []byte {
				t.Helper()
				paths, err := quarterly.Write(context.Background(), quarterly.Config{Dir: t.TempDir(), Plan: p, Now: tt.now}, ds)
				if err != nil {
					t.Fatal(err)
				}
				if len(paths) != 1 {
					t.Fatalf("paths %v, want one", paths)
				}
				b, err := os.ReadFile(paths[0])
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			mem := fixture.Dataset(p, tt.now)
			if len(mem.Households) == 0 || len(mem.Groups) == 0 || len(mem.Borderline) == 0 {
				t.Fatal("the fixture has no roster, group or borderline pair")
			}
			want := write(mem)
			rds := fixture.Dataset(p, tt.now)
			roster := &volatileRoster{rows: rds.Households, run: tt.run}
			rds.Households, rds.Roster = nil, roster
			got := write(rds)
			if roster.calls == 0 {
				t.Error("the roster was not read")
			}
			if !bytes.Equal(got, want) {
				dir := t.TempDir()
				pa, pb := dir+"/roster.xlsx", dir+"/memory.xlsx"
				os.WriteFile(pa, got, 0o600)
				os.WriteFile(pb, want, 0o600)
				_, diffs, err := xldiff.Files(pa, pb)
				t.Fatalf("the report differs from the rows in memory's: %v %.2000q", err, diffs)
			}
		})
	}
}
