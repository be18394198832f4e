package ingest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/demo"
	"doithoai/pipeline/faultdoc"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/stages/read/csvtext"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/ods"
	"doithoai/stages/read/xls"
	"doithoai/stages/read/xlsx"
)

// faults is the table of docs/faults/inbox.md.
var faults = faultdoc.New("inbox", "Faults tried on the inbox, the state folder and the outbox",
	"The inbox is the communes' shared folder and is not trusted: links are never followed, special files never opened, "+
		"unreadable entries reported. The state folder and outbox/data are the owner's only; logs carry no citizen ID or "+
		"phone number. A full or read-only state or outbox folder stops the run with a message naming the folder, the "+
		"ledger intact, and the next run after the fault is fixed gives the outputs of an undisturbed run. "+
		"Written by the tests of stages/ingest.")

func TestMain(m *testing.M) {
	code := faultdoc.Main(m, faults)
	if demoSet.dir != "" {
		os.RemoveAll(demoSet.dir)
	}
	os.Exit(code)
}

// demoSet is the demo inbox, generated once for the package's tests.
var demoSet struct {
	once  sync.Once
	dir   string // holds inbox/
	plan  *plan.Plan
	now   time.Time
	files []string // inbox-relative, '/'-separated
	err   error
}

// demoInbox copies the demo inbox (the project's generator, with its
// planted mistakes) into dst and returns the plan, the demo's moment and
// the inbox files.
func demoInbox(t *testing.T, dst string) (*plan.Plan, time.Time, []string) {
	t.Helper()
	demoSet.once.Do(func() {
		p, err := plan.Load("")
		if err != nil {
			demoSet.err = err
			return
		}
		dir, err := os.MkdirTemp("", "doithoai-demo-")
		if err != nil {
			demoSet.err = err
			return
		}
		files, err := demo.Generate(p, dir, demo.Options{Seed: 11, Year: p.Year})
		if err != nil {
			demoSet.err = err
			return
		}
		inbox := filepath.Join(dir, "inbox")
		for _, f := range files {
			rel, _ := filepath.Rel(inbox, f)
			demoSet.files = append(demoSet.files, filepath.ToSlash(rel))
		}
		demoSet.dir, demoSet.plan, demoSet.now = dir, p, demo.Moment(p)
	})
	if demoSet.err != nil {
		t.Fatalf("demo inbox: %v", demoSet.err)
	}
	old := time.Now().Add(-time.Hour)
	for _, rel := range demoSet.files {
		b, err := os.ReadFile(filepath.Join(demoSet.dir, "inbox", filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	return demoSet.plan, demoSet.now, demoSet.files
}

// folders of one pipeline workspace.
type folders struct{ inbox, outbox, state string }

func newFolders(t *testing.T) folders {
	t.Helper()
	root := t.TempDir()
	f := folders{inbox: filepath.Join(root, "inbox"), outbox: filepath.Join(root, "outbox"), state: filepath.Join(root, "state")}
	if err := os.MkdirAll(f.inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f folders) config(p *plan.Plan, now time.Time, log *slog.Logger) pipeline.Config {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return pipeline.Config{Plan: p, Inbox: f.inbox, Outbox: f.outbox, State: f.state, Clock: clock.Fixed(now),
		Workers: 2, Logger: log}
}

// runGuarded runs the pipeline and fails the test if it has not returned
// within bound: a blocked open must show as a failure, not a hung test.
func runGuarded(t *testing.T, cfg pipeline.Config, bound time.Duration) (*pipeline.Summary, error, bool) {
	t.Helper()
	type result struct {
		sum *pipeline.Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := pipeline.Run(context.Background(), cfg)
		done <- result{sum, err}
	}()
	select {
	case r := <-done:
		return r.sum, r.err, true
	case <-time.After(bound):
		return nil, nil, false
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// tree is every file under dir with the sha256 of its bytes.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = sha(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ledgerSound opens the ledger of state, runs SQLite's integrity check
// and checks that every file recorded as received has its archive copy
// with the recorded bytes. It returns the received paths.
func ledgerSound(t *testing.T, state string) ([]string, error) {
	t.Helper()
	led, err := ledger.Open(context.Background(), state)
	if err != nil {
		return nil, err
	}
	defer led.Close()
	if err := led.Check(context.Background()); err != nil {
		return nil, err
	}
	entries, err := led.Entries(context.Background())
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(state, filepath.FromSlash(e.Archive)))
		if err != nil {
			return nil, fmt.Errorf("%s recorded but its archive copy is missing: %w", e.Path, err)
		}
		if sha(b) != e.SHA256 || int64(len(b)) != e.Size {
			return nil, fmt.Errorf("%s recorded but its archive copy differs", e.Path)
		}
		paths = append(paths, e.Path)
	}
	return paths, nil
}

// personalNumbers are the citizen IDs and phone numbers written in the
// inbox files: every run of 9 to 12 digits in a cell (spaces and dots
// between digits allowed), read with the project's own decoders.
func personalNumbers(t *testing.T, inbox string, files []string) map[string]bool {
	t.Helper()
	tok := regexp.MustCompile(`[0-9][0-9 .]*[0-9]`)
	out := map[string]bool{}
	for _, rel := range files {
		p := filepath.Join(inbox, filepath.FromSlash(rel))
		var dec func(context.Context, string, grid.Limits) (*grid.Workbook, error)
		switch strings.ToLower(filepath.Ext(rel)) {
		case ".xlsx", ".xlsm":
			dec = xlsx.Decode
		case ".xls":
			dec = xls.Decode
		case ".ods":
			dec = ods.Decode
		case ".csv":
			dec = csvtext.Decode
		default:
			continue
		}
		wb, err := dec(context.Background(), p, grid.DefaultLimits)
		if err != nil {
			continue // a deliberately broken demo file
		}
		for _, s := range wb.Sheets {
			for _, r := range s.Rows {
				for _, c := range r.Cells {
					for _, m := range tok.FindAllString(c.Text, -1) {
						d := strings.NewReplacer(" ", "", ".", "").Replace(m)
						if len(d) >= 9 && len(d) <= 12 {
							out[d] = true
						}
					}
				}
			}
		}
	}
	return out
}

// TestNoPersonalNumbersInLogs runs the whole pipeline on the demo inbox
// with every log at debug level, as JSON, into a buffer — the run's
// logger and the default one — and looks for every citizen ID and phone
// number of the inputs in it.
func TestNoPersonalNumbersInLogs(t *testing.T) {
	f := newFolders(t)
	p, now, files := demoInbox(t, f.inbox)
	var buf bytes.Buffer
	var mu sync.Mutex
	h := slog.NewJSONHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug})
	prev := slog.Default()
	slog.SetDefault(slog.New(h))
	defer slog.SetDefault(prev)
	cfg := f.config(p, now, slog.New(h))
	if _, err := pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	// A second, light run over the same state logs other lines.
	cfg.Kind = pipeline.KindLight
	if _, err := pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	logs := buf.String()
	nums := personalNumbers(t, f.inbox, files)
	var leaked []string
	for n := range nums {
		if strings.Contains(logs, n) {
			leaked = append(leaked, n[len(n)-4:])
		}
	}
	sort.Strings(leaked)
	lines := strings.Count(logs, "\n")
	faults.Record(t, faultdoc.Case{
		Fault:    "whole pipeline on the demo inbox (with its planted mistakes), full then light run, logs as JSON at debug level",
		Expected: "no citizen ID or phone number of the inputs in any log line",
		Outcome: fmt.Sprintf("%d personal numbers in the inputs, %d found in the logs (over %s of log lines)",
			len(nums), len(leaked), map[bool]string{true: "hundreds", false: "a few"}[lines >= 100]),
		Pass: len(leaked) == 0 && len(nums) >= 100 && strings.Contains(logs, `"msg":"received"`),
	})
	t.Logf("%d personal numbers, %d log lines, %d leaked", len(nums), lines, len(leaked))
	if len(leaked) > 0 {
		t.Logf("leaked (last 4 digits): %v", leaked)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// errorsAs is errors.As for a pointer target, as a value.
func errorsAs[T error](err error) (T, bool) {
	var target T
	ok := errors.As(err, &target)
	return target, ok
}

// runOK is one pipeline run.
func runOK(cfg pipeline.Config) (*pipeline.Summary, error) {
	return pipeline.Run(context.Background(), cfg)
}
