package statuspage

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"doithoai/pipeline/plan"
)

// TestRestamp: restamping a page written at one moment gives, byte for
// byte, the page written at another with the same data; a page without
// the expected stamp is left alone.
func TestRestamp(t *testing.T) {
	p := plan.Default()
	loc := p.Location()
	t1 := time.Date(2022, 5, 20, 9, 0, 0, 0, loc)
	t2 := time.Date(2022, 5, 20, 15, 41, 0, 0, loc)
	write := func(now time.Time) (string, []byte) {
		dir := t.TempDir()
		if _, err := Write(context.Background(), Config{Outbox: dir, Plan: p, Now: now}, nil); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, FileName))
		if err != nil {
			t.Fatal(err)
		}
		return dir, b
	}
	dir, _ := write(t1)
	_, want := write(t2)
	for _, tc := range []struct {
		name     string
		from, to time.Time
		ok       bool
	}{
		{"another stamp", t2, t1, false}, // the page holds t1's, not t2's
		{"same minute", t1, t1.Add(30 * time.Second), true},
		{"later", t1, t2, true},
	} {
		ok, err := Restamp(dir, p, tc.from, tc.to)
		if err != nil || ok != tc.ok {
			t.Errorf("%s: %v, %v; want %v", tc.name, ok, err, tc.ok)
		}
	}
	got, _ := os.ReadFile(filepath.Join(dir, FileName))
	if !bytes.Equal(got, want) {
		t.Error("the restamped page is not the page written at the later moment")
	}
	if ok, err := Restamp(t.TempDir(), p, t1, t2); ok || err != nil {
		t.Errorf("no page: %v, %v", ok, err)
	}
}
