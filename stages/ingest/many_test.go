package ingest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"doithoai/pipeline/clock"
)

var update = flag.Bool("update", false, "rewrite testdata/many.golden from this code")

// manyInbox fills an inbox with a pass's worth of varied files: new files
// in many folders (a few larger than one copy buffer), copies of the same
// bytes under other paths, files received by an earlier pass then touched
// or changed, files still being written, and files that vanish, change or
// turn into a folder while the pass looks at them. It returns the hooks
// that do the latter and the moment of the pass.
func manyInbox(t *testing.T, e *env, workers int) (before, after func(abs string), now, real time.Time) {
	t.Helper()
	real = time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	old := real.Add(-time.Hour)
	now = time.Date(2022, 4, 20, 9, 0, 0, 0, ict)
	body := func(i int) []byte {
		n := 200 + i*37%3000
		if i%50 == 7 {
			n = 300<<10 + i // more than one copy buffer
		}
		b := bytes.Repeat([]byte(fmt.Sprintf("hộ %04d;", i)), n/9+1)
		return b[:n]
	}
	rel := func(i int) string { return fmt.Sprintf("%05d/M%d.xlsx", 29900+i/4, i%4+1) }
	// An earlier pass received the first 40 files.
	for i := range 40 {
		e.put(t, rel(i), body(i), old)
	}
	first, err := Run(context.Background(), e.led, manyConfig(e, now.AddDate(0, -1, 0), real.Add(-30*time.Minute), workers, quiet))
	if err != nil || len(first.New) != 40 {
		t.Fatalf("earlier pass: %v, %d new", err, len(first.New))
	}
	for i := range 300 {
		switch {
		case i < 40 && i%10 == 1: // touched: same bytes, new mtime
			e.put(t, rel(i), body(i), old.Add(time.Second))
		case i < 40 && i%10 == 2: // corrected: new bytes
			e.put(t, rel(i), append(body(i), " sửa"...), old.Add(time.Second))
		case i < 40:
			// unchanged
		case i%23 == 0: // still being written
			e.put(t, rel(i), body(i), real.Add(-time.Second))
		case i%17 == 0: // the same bytes as another file
			e.put(t, rel(i), body(i-3), old)
		default:
			e.put(t, rel(i), body(i), old)
		}
	}
	e.put(t, "M1 ban sao.xlsx", body(50), old) // a flat copy of a received file
	e.put(t, "~$M1.xlsx", []byte("owner"), old)
	vanish := filepath.Join(e.inbox, filepath.FromSlash(rel(101)))
	toDir := filepath.Join(e.inbox, filepath.FromSlash(rel(133)))
	grow := filepath.Join(e.inbox, filepath.FromSlash(rel(157)))
	before = func(abs string) {
		switch abs {
		case vanish:
			os.Remove(abs)
		case toDir:
			os.Remove(abs)
			os.Mkdir(abs, 0o755)
		}
	}
	after = func(abs string) {
		if abs == grow {
			f, err := os.OpenFile(abs, os.O_WRONLY|os.O_APPEND, 0)
			if err == nil {
				f.Write([]byte(" thêm"))
				f.Close()
			}
		}
	}
	return before, after, now, real
}

func manyConfig(e *env, now, real time.Time, workers int, log *slog.Logger) Config {
	return Config{Inbox: e.inbox, State: e.state, Clock: clock.Fixed(now), Real: clock.Fixed(real),
		Settle: time.Minute, Logger: log, Workers: workers}
}

// manyPass runs manyInbox's pass with a number of workers and returns
// everything it shows: the Result, the ledger, the hash cache, the
// archive's names and the log lines (without their time).
func manyPass(t *testing.T, workers int) string {
	t.Helper()
	e := newEnv(t)
	before, after, now, real := manyInbox(t, e, workers)
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedBuffer{&mu, &logs}, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
	reset := SetHooks(before, after)
	res, err := Run(context.Background(), e.led, manyConfig(e, now, real, workers, log))
	reset()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range res.All {
		rel, _ := filepath.Rel(e.state, s.ArchivePath)
		fmt.Fprintf(&b, "all %d %s %s %d %s %s hint=%q dup=%q\n", s.Seq, s.Path, s.ID, s.Size,
			s.ReceivedAt.Format(time.RFC3339Nano), filepath.ToSlash(rel), s.FolderHint, s.DuplicateOf)
	}
	for _, p := range res.New {
		fmt.Fprintf(&b, "new %s\n", p)
	}
	for _, p := range res.Pending {
		fmt.Fprintf(&b, "pending %s\n", p)
	}
	for _, p := range res.Ignored {
		fmt.Fprintf(&b, "ignored %s\n", p)
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(&b, "skipped %s %s\n", s.Path, s.Reason)
	}
	entries, err := e.led.Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		fmt.Fprintf(&b, "entry %d %s %s %d %s %s %s\n", en.Seq, en.Path, en.SHA256, en.Size,
			en.ReceivedAt.Format(time.RFC3339Nano), en.SeenReal.Format(time.RFC3339Nano), en.Archive)
	}
	cache, err := e.led.ReceivedFiles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for p := range cache {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		r := cache[p]
		fmt.Fprintf(&b, "cache %s %d %d %s %v\n", p, r.Size, r.MtimeNS, r.SHA256, r.Known)
	}
	for _, f := range archiveFiles(t, e.state) {
		fmt.Fprintf(&b, "archive %s\n", f)
	}
	b.WriteString(logs.String())
	return b.String()
}

type lockedBuffer struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestManyFilesAnyWorkers ingests a few hundred varied files with one
// worker and with several: the Result, the ledger (receipt order, seqs,
// times), the hash cache, the archive and the log lines are the same, and
// the same as testdata/many.golden, which the serial ingest (before files
// were archived several at once) wrote.
func TestManyFilesAnyWorkers(t *testing.T) {
	golden := filepath.Join("testdata", "many.golden")
	one := manyPass(t, 1)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(one), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 3, 8, 0} {
		got := one
		if workers != 1 {
			got = manyPass(t, workers)
		}
		if got != string(want) {
			t.Errorf("workers=%d: the pass differs from %s:\n%s", workers, golden, firstDiff(got, string(want)))
		}
	}
	for _, must := range []string{"pending ", "skipped ", "dup=\"2", "file changed while being archived", "msg=received"} {
		if !strings.Contains(one, must) {
			t.Errorf("the scenario lacks %q", must)
		}
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, x, y)
		}
	}
	return "(no difference)"
}

// TestCancelMidBatch cancels a pass of many new files while several are
// being archived: the pass returns promptly with the context's error, no
// temporary is left in the archive, the ledger holds whole batches only
// (a prefix of the scan order, each with its archive copy), and the next
// pass receives the rest, ending with the ledger of an uncancelled pass.
func TestCancelMidBatch(t *testing.T) {
	const files = 300
	write := func(e *env) {
		for i := range files {
			e.put(t, fmt.Sprintf("%05d/M%d.xlsx", 29900+i/4, i%4+1), fmt.Appendf(nil, "PK hộ %d\n", i), time.Now().Add(-time.Hour))
		}
	}
	now := time.Date(2022, 4, 20, 9, 0, 0, 0, ict)
	cfg := func(e *env) Config {
		return Config{Inbox: e.inbox, State: e.state, Clock: clock.Fixed(now), Settle: time.Minute, Logger: quiet, Workers: 4}
	}
	ledgerOf := func(e *env) []string {
		entries, err := e.led.Entries(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, en := range entries {
			b, err := os.ReadFile(filepath.Join(e.state, filepath.FromSlash(en.Archive)))
			if err != nil || hash(b) != en.SHA256 {
				t.Errorf("%s recorded, its archive copy missing or different (%v)", en.Path, err)
			}
			out = append(out, fmt.Sprintf("%d %s %s", en.Seq, en.Path, en.SHA256))
		}
		return out
	}
	whole := newEnv(t)
	write(whole)
	if _, err := Run(context.Background(), whole.led, cfg(whole)); err != nil {
		t.Fatal(err)
	}
	want := ledgerOf(whole)

	e := newEnv(t)
	write(e)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The workers run at most two batches ahead of the records: when the
	// 3×64+40th copy is done, the first batch is recorded and the fourth
	// is being archived.
	var copies atomic.Int32
	reset := SetHooks(nil, func(string) {
		if copies.Add(1) == 3*batchFiles+40 {
			cancel()
		}
	})
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, e.led, cfg(e))
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the cancelled pass did not return")
	}
	reset()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled pass: %v", err)
	}
	for _, f := range archiveFiles(t, e.state) {
		if strings.HasPrefix(path.Base(f), ".tmp-") {
			t.Errorf("temporary left in the archive: %s", f)
		}
	}
	got := ledgerOf(e)
	if len(got) == 0 || len(got) >= files || len(got)%batchFiles != 0 {
		t.Errorf("the cancelled pass recorded %d files, want whole batches of %d, not all %d", len(got), batchFiles, files)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("receipt %d of the cancelled pass: %s, want %s", i, got[i], want[i])
		}
	}
	res, err := Run(context.Background(), e.led, cfg(e))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != files-len(got) {
		t.Errorf("the next pass received %d, want %d", len(res.New), files-len(got))
	}
	if got := ledgerOf(e); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after the next pass the ledger differs from an uncancelled pass's:\n%s", firstDiff(strings.Join(got, "\n"), strings.Join(want, "\n")))
	}
}
