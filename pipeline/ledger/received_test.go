package ledger

import (
	"context"
	"fmt"
	"sort"
	"strings"
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

// TestReceiveAll records one batch of receipts in one ledger and the same
// receipts one by one (Known, then Receive or CacheHash, as an ingest
// pass did) in another: the entries, their seqs, the hash cache and the
// settling state are the same.
func TestReceiveAll(t *testing.T) {
	t0 := time.Date(2022, 3, 20, 9, 0, 0, 0, ict)
	t1 := t0.AddDate(0, 1, 0)
	real := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	before := []Receipt{
		{entry('a', "29956/M1.xlsx", t0), 1},
		{entry('b', "29956/M2.xlsx", t0), 1},
	}
	batch := []Receipt{
		{entry('c', "29974/M1.xlsx", t1), 5},     // new
		{entry('a', "29956/M1.xlsx", t1), 2},     // touched: same bytes, new mtime
		{entry('d', "29956/M2.xlsx", t1), 3},     // corrected: new bytes at a received path
		{entry('c', "M1 - Copy.xlsx", t1), 4},    // the same bytes under another path
		{entry('e', "29983/M3 LKB.xlsx", t1), 6}, // new, was settling
		{entry('f', "29983/M4.xlsx", t1), 7},     // new
	}
	prepare := func(l *Ledger) {
		for _, r := range before {
			if _, err := l.Receive(ctx, r.Entry, r.MtimeNS); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []string{"29983/M3 LKB.xlsx", "29956/M1.xlsx", "other.xlsx"} {
			if _, err := l.Settling(ctx, p, 1, 1, real); err != nil {
				t.Fatal(err)
			}
		}
	}
	serial, batched := open(t, t.TempDir()), open(t, t.TempDir())
	prepare(serial)
	prepare(batched)
	var want []int64
	for _, r := range batch {
		known, err := serial.Known(ctx, r.Entry.Path, r.Entry.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if known {
			want = append(want, 0)
			if err := serial.CacheHash(ctx, r.Entry.Path, r.Entry.Size, r.MtimeNS, r.Entry.SHA256); err != nil {
				t.Fatal(err)
			}
			continue
		}
		seq, err := serial.Receive(ctx, r.Entry, r.MtimeNS)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, seq)
	}
	got, err := batched.ReceiveAll(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || want[1] != 0 || want[0] == 0 {
		t.Errorf("seqs %v, want %v", got, want)
	}
	dump := func(l *Ledger) string {
		es, err := l.Entries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rf, err := l.ReceivedFiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, e := range es {
			fmt.Fprintf(&b, "%d %s %s %d %s %s %s\n", e.Seq, e.Path, e.SHA256[:4], e.Size,
				e.ReceivedAt.Format(time.RFC3339Nano), e.SeenReal.Format(time.RFC3339Nano), e.Archive)
		}
		paths := make([]string, 0, len(rf))
		for p := range rf {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			fmt.Fprintf(&b, "cache %s %+v\n", p, rf[p])
		}
		for _, p := range []string{"29983/M3 LKB.xlsx", "29956/M1.xlsx", "other.xlsx"} {
			first, err := l.Settling(ctx, p, 1, 1, real.Add(2*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "settling %s %v\n", p, first)
		}
		return b.String()
	}
	s, b := dump(serial), dump(batched)
	if s != b {
		t.Errorf("one by one:\n%s\nin one batch:\n%s", s, b)
	}
	// A received path's settling is cleared (it starts over), a touched
	// one's is not.
	for _, w := range []string{"settling 29983/M3 LKB.xlsx 2025-05-01 12:00:00", "settling 29956/M1.xlsx 2025-05-01 10:00:00"} {
		if !strings.Contains(b, w) {
			t.Errorf("in one batch: no %q in\n%s", w, b)
		}
	}

	// A failed batch records nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := batched.ReceiveAll(cctx, []Receipt{{entry('g', "g.xlsx", t1), 1}}); err == nil {
		t.Error("a cancelled batch succeeded")
	}
	if n, _ := batched.EntryCount(ctx); n != len(before)+5 {
		t.Errorf("%d entries after a failed batch, want %d", n, len(before)+5)
	}
	if seqs, err := batched.ReceiveAll(ctx, nil); seqs != nil || err != nil {
		t.Errorf("empty batch: %v %v", seqs, err)
	}
}
