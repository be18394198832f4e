package ledger

import (
	"context"
	"testing"
	"time"
)

// TestReceivedFiles: the one-query view of the hash cache tells, per
// path, the cached size, mtime and hash and whether those bytes were
// received under that path.
func TestReceivedFiles(t *testing.T) {
	ctx := context.Background()
	l, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	now := time.Date(2022, 5, 20, 9, 0, 0, 0, time.UTC)
	if _, err := l.Receive(ctx, Entry{SHA256: "aa", Path: "x/M1.xlsx", Size: 10, ReceivedAt: now, SeenReal: now, Archive: "archive/aa"}, 111); err != nil {
		t.Fatal(err)
	}
	// Touched: the same bytes under a new mtime are cached, and received.
	if err := l.CacheHash(ctx, "x/M1.xlsx", 10, 222, "aa"); err != nil {
		t.Fatal(err)
	}
	// Cached but never received under that path (e.g. a failed copy).
	if err := l.CacheHash(ctx, "y/M2.xlsx", 5, 333, "bb"); err != nil {
		t.Fatal(err)
	}
	got, err := l.ReceivedFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want Received
	}{
		{"x/M1.xlsx", Received{Size: 10, MtimeNS: 222, SHA256: "aa", Known: true}},
		{"y/M2.xlsx", Received{Size: 5, MtimeNS: 333, SHA256: "bb", Known: false}},
	} {
		if got[tc.path] != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.path, got[tc.path], tc.want)
		}
	}
	if len(got) != 2 {
		t.Errorf("%d paths, want 2", len(got))
	}
}
