package storeerr

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// sqliteErr behaves like the SQLite driver's error.
type sqliteErr int

func (e sqliteErr) Error() string { return fmt.Sprintf("sqlite error (%d)", int(e)) }
func (e sqliteErr) Code() int     { return int(e) }

func TestWrap(t *testing.T) {
	state, outbox := filepath.Join("srv", "state"), filepath.Join("srv", "outbox")
	pathErr := func(p string, e error) error { return &fs.PathError{Op: "write", Path: p, Err: e} }
	tests := []struct {
		name string
		err  error
		dir  string // "" when not a storage error
		kind Kind
	}{
		{"archive copy on a full disk", fmt.Errorf("ingest: %w", pathErr(filepath.Join(state, "archive", ".tmp-incoming-1"), syscall.ENOSPC)), state, NoSpace},
		{"feedback on a full disk", pathErr(filepath.Join(outbox, "phan-hoi", "x.xlsx"), syscall.ENOSPC), outbox, NoSpace},
		{"quota exceeded", pathErr(filepath.Join(outbox, "data", "a.parquet"), syscall.EDQUOT), outbox, NoSpace},
		{"read-only state", pathErr(filepath.Join(state, "run.lock"), syscall.EROFS), state, ReadOnly},
		{"SQLite full (extended code)", fmt.Errorf("ledger: commit: %w", sqliteErr(13|(1<<8))), state, NoSpace},
		{"SQLite read-only", fmt.Errorf("ledger: %w", sqliteErr(8)), state, ReadOnly},
		{"SQLite full in words only", errors.New("ledger: commit: database or disk is full (13)"), state, NoSpace},
		{"no permission in the outbox", pathErr(filepath.Join(outbox, "index.html"), syscall.EACCES), outbox, Denied},
		{"no permission on an inbox file", pathErr(filepath.Join("srv", "inbox", "M1.xlsx"), syscall.EACCES), "", 0},
		{"full disk elsewhere", pathErr(filepath.Join("tmp", "x"), syscall.ENOSPC), "", 0},
		{"other error", errors.New("the plan is for another season"), "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Wrap(tt.err, state, outbox)
			var se *Error
			if !errors.As(got, &se) {
				if tt.dir != "" {
					t.Fatalf("not recognised: %v", got)
				}
				if got != tt.err {
					t.Errorf("changed: %v", got)
				}
				return
			}
			if tt.dir == "" {
				t.Fatalf("claimed as %v of %s", se.Kind, se.Dir)
			}
			if se.Dir != tt.dir || se.Kind != tt.kind || !errors.Is(got, tt.err) {
				t.Errorf("got %v of %s, want %v of %s", se.Kind, se.Dir, tt.kind, tt.dir)
			}
			if Wrap(got, outbox) != got {
				t.Error("wrapped twice")
			}
			msg := se.Staff()
			if !strings.Contains(msg, tt.dir) || !strings.Contains(msg, "chạy lại") {
				t.Errorf("staff message: %s", msg)
			}
		})
	}
	if Wrap(nil, state) != nil {
		t.Error("nil wrapped")
	}
}
