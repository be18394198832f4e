package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/faultdoc"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/stages/report/analytics/parquettest"
)

// stopTable is docs/faults/stop.md: what stopping a run does.
var stopTable = faultdoc.New("stop", "Stopping a run: signals, kills and slow files",
	"What happens when a `doithoai run` or `doithoai serve` is stopped by a signal or killed outright at a given "+
		"moment, and when a file takes too long to read. Each case runs the real command as a child process "+
		"(the test binary acting as `doithoai`); times are whole-process wall times seen from the parent. "+
		"\"Same content\" compares the next completed run's outbox with an uninterrupted run's: the analysts' "+
		"Parquet tables row by row, the feedback .txt files and the status page byte for byte (on the status page, "+
		"the run's own fields are ignored: the \"Cập nhật lúc\" run-clock line, how many files this run wrote and "+
		"the «mới» label on them), and every .xlsx cell by cell (the xlsx bytes carry their "+
		"write time, so they are not compared byte for byte).")

// ---- child processes -------------------------------------------------

// logLine is one JSON log record of a child.
type logLine map[string]any

func (l logLine) msg() string { s, _ := l["msg"].(string); return s }
func (l logLine) str(k string) string {
	s, _ := l[k].(string)
	return s
}

// child is a running `doithoai` child process whose JSON logs (standard
// error) are read line by line.
type child struct {
	cmd   *exec.Cmd
	lines chan logLine
	start time.Time

	mu     sync.Mutex
	stderr bytes.Buffer
	stdout bytes.Buffer
	done   chan struct{}
	exitAt time.Time
	code   int
}

// startChild starts the test binary as `doithoai args...`.
func startChild(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{lines: make(chan logLine, 4096), done: make(chan struct{})}
	c.cmd = exec.Command(self, args...)
	c.cmd.Env = append(append(os.Environ(), "DOITHOAI_AS_MAIN=1"), env...)
	c.cmd.Stdout = lockedWriter{&c.mu, &c.stdout}
	pipe, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.start = time.Now()
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			c.mu.Lock()
			c.stderr.Write(line)
			c.stderr.WriteByte('\n')
			c.mu.Unlock()
			var l logLine
			if json.Unmarshal(line, &l) == nil {
				select {
				case c.lines <- l:
				default: // nobody is watching for more events
				}
			}
		}
		close(c.lines)
		_ = c.cmd.Wait()
		c.exitAt = time.Now()
		c.code = c.cmd.ProcessState.ExitCode()
		close(c.done)
	}()
	return c
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

// waitEvent waits for the n-th log line that matches; false when the child
// ended first or the deadline (a hang guard, not a speed bound) ran out.
func (c *child) waitEvent(match func(logLine) bool, n int, guard time.Duration) bool {
	deadline := time.After(guard)
	seen := 0
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				return false
			}
			if match(l) {
				seen++
				if seen == n {
					return true
				}
			}
		case <-deadline:
			return false
		}
	}
}

// wait waits for the child to end (killing it after guard) and returns its
// exit code (-1 when killed by a signal) and when it ended.
func (c *child) wait(t *testing.T, guard time.Duration) (int, time.Time) {
	t.Helper()
	go func() { // drain, so the reader never blocks
		for range c.lines {
		}
	}()
	select {
	case <-c.done:
	case <-time.After(guard):
		_ = c.cmd.Process.Kill()
		<-c.done
		t.Errorf("child %v did not end within %s; killed", c.cmd.Args[1:], guard)
	}
	return c.code, c.exitAt
}

func (c *child) logs() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String() + c.stdout.String()
}

func msgIs(msg string) func(logLine) bool { return func(l logLine) bool { return l.msg() == msg } }
func stageDoneIs(stage string) func(logLine) bool {
	return func(l logLine) bool { return l.msg() == "stage done" && l.str("stage") == stage }
}

// ---- workspaces and outbox snapshots --------------------------------

// copyTree copies the files under src into dst (same bytes, so the same
// sha256 and the same outputs as a run on src).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The status page's fields that belong to the run rather than to the data:
// its run-clock line, how many files this run wrote and the «mới» label on
// each of them (a run after a killed one rewrites fewer files, since
// unchanged feedback is left alone).
var (
	updatedLine = regexp.MustCompile(`Cập nhật lúc \d\d/\d\d/\d{4} \d\d:\d\d`)
	writtenLine = regexp.MustCompile(`Lần cập nhật này đã ghi \d+ tệp`)
	newLabel    = regexp.MustCompile(`<span class="new">mới</span>`)
)

// snapshot reads every outbox file back as a reader would and returns its
// content in a comparable form: Parquet tables row by row, xlsx cell by
// cell, text byte for byte (the status page without its run-clock line).
// A file that does not parse fails the test: no output is half-written.
func snapshot(t *testing.T, outbox string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, rel := range outboxFiles(t, outbox) {
		p := filepath.Join(outbox, filepath.FromSlash(rel))
		if strings.Contains(filepath.Base(rel), ".tmp") {
			t.Errorf("temporary file left in the outbox: %s", rel)
			continue
		}
		switch filepath.Ext(rel) {
		case ".parquet":
			_, _, rows := parquettest.ReadBack(t, p)
			var b strings.Builder
			for _, r := range rows {
				j, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				b.Write(j)
				b.WriteByte('\n')
			}
			out[rel] = b.String()
		case ".xlsx":
			out[rel] = xlsxCells(t, p)
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(data) {
				t.Errorf("%s is not valid UTF-8", rel)
			}
			s := string(data)
			if rel == "index.html" {
				if !strings.Contains(s, "</html>") {
					t.Errorf("status page is not whole")
				}
				s = updatedLine.ReplaceAllString(s, "Cập nhật lúc …")
				s = writtenLine.ReplaceAllString(s, "Lần cập nhật này đã ghi … tệp")
				s = newLabel.ReplaceAllString(s, "")
			}
			if filepath.Ext(rel) == ".json" && !json.Valid(data) {
				t.Errorf("%s is not valid JSON", rel)
			}
			out[rel] = s
		}
	}
	return out
}

// xlsxCells is every sheet's cell values of a workbook.
func xlsxCells(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Errorf("%s does not open: %v", path, err)
		return ""
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Errorf("%s sheet %s: %v", path, sh, err)
		}
		fmt.Fprintf(&b, "## %s\n", sh)
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t"))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// diffSnapshots describes how got differs from want ("" when equal).
func diffSnapshots(got, want map[string]string) string {
	var diffs []string
	for rel := range want {
		if _, ok := got[rel]; !ok {
			diffs = append(diffs, "missing "+rel)
		}
	}
	for rel, g := range got {
		w, ok := want[rel]
		if !ok {
			diffs = append(diffs, "extra "+rel)
			continue
		}
		if g != w {
			gl, wl := strings.Split(g, "\n"), strings.Split(w, "\n")
			i := 0
			for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
				i++
			}
			at := func(l []string) string {
				if i < len(l) {
					return l[i]
				}
				return "(end)"
			}
			diffs = append(diffs, fmt.Sprintf("%s differs at line %d:\n   got  %.300s\n   want %.300s", rel, i+1, at(gl), at(wl)))
		}
	}
	slices.Sort(diffs)
	if len(diffs) > 5 {
		diffs = append(diffs[:5], fmt.Sprintf("… and %d more", len(diffs)-5))
	}
	return strings.Join(diffs, "\n")
}

// countKinds counts the snapshot's files by kind, for stable outcome text.
func countKinds(s map[string]string) string {
	var pq, hive, txt, xl int
	for rel := range s {
		switch {
		case strings.HasSuffix(rel, ".parquet") && strings.Count(rel, "/") > 1:
			hive++ // data/<table>/…/part-0.parquet
		case strings.HasSuffix(rel, ".parquet"):
			pq++
		case strings.HasSuffix(rel, ".txt"):
			txt++
		case strings.HasSuffix(rel, ".xlsx"):
			xl++
		}
	}
	return fmt.Sprintf("%d Parquet tables and %d Hive partition files, %d feedback .txt, the status page and %d .xlsx", pq, hive, txt, xl)
}

// runOutcomes returns the ledger's runs, newest first.
func runOutcomes(t *testing.T, state string) []ledger.Run {
	t.Helper()
	led, err := ledger.Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	defer led.Close()
	runs, err := led.Runs(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// ---- the kill test ---------------------------------------------------

// killPoint is a moment of a run, named by the log line after which the
// run is killed (the kill lands in the work that follows it), or by a
// fraction of an uninterrupted run's duration.
type killPoint struct {
	class string // ingest, read, validate…aggregate, report, finish, timed
	name  string // unique, for the subtest
	match func(logLine) bool
	nth   int     // 1-based; 0 = the last one of the uninterrupted run; -1 = the middle one
	frac  float64 // timed points: fraction of the uninterrupted run's wall time
}

// TestKilledRunThenNextCompletes kills a real `doithoai run` (SIGKILL) at
// 23 moments spread over the whole run — while files are being received,
// read, after each stage, between the Parquet tables, after the feedback,
// after the whole outbox, and at fractions of the run's measured duration
// — and after each, one completing run must give exactly the content of an
// uninterrupted run, and the ledger must show the killed run as
// interrupted, never "running".
func TestKilledRunThenNextCompletes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	src, files := workspace(t)
	now := "2022-05-20T09:00:00+07:00"
	args := func(root string) []string {
		return append([]string{"run", "--now", now, "--log-format", "json", "--log-level", "debug"}, dirs(root)...)
	}
	// The uninterrupted run, as a child: its log gives the events to kill
	// at, its wall time the timed points.
	ref := t.TempDir()
	copyTree(t, filepath.Join(src, "inbox"), filepath.Join(ref, "inbox"))
	rc := startChild(t, nil, args(ref)...)
	var events []logLine
	for l := range rc.lines {
		events = append(events, l)
	}
	code, end := rc.wait(t, 5*time.Minute)
	if code != exitOK {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, rc.logs())
	}
	refWall := end.Sub(rc.start)
	want := snapshot(t, filepath.Join(ref, "outbox"))
	count := func(m func(logLine) bool) int {
		n := 0
		for _, l := range events {
			if m(l) {
				n++
			}
		}
		return n
	}

	points := []killPoint{
		{class: "ingest", name: "first-received", match: msgIs("received"), nth: 1},
		{class: "ingest", name: "middle-received", match: msgIs("received"), nth: -1},
		{class: "ingest", name: "last-received", match: msgIs("received"), nth: 0},
		{class: "ingest", name: "ingest-done", match: stageDoneIs("ingest"), nth: 1},
		{class: "read", name: "first-reading", match: msgIs("reading"), nth: 1},
		{class: "read", name: "middle-read", match: msgIs("read"), nth: -1},
		{class: "read", name: "last-reading", match: msgIs("reading"), nth: 0},
		{class: "read", name: "read-done", match: stageDoneIs("read"), nth: 1},
		{class: "validate, dedupe, aggregate", name: "validate-done", match: stageDoneIs("validate"), nth: 1},
		{class: "validate, dedupe, aggregate", name: "dedupe-done", match: stageDoneIs("dedupe"), nth: 1},
		{class: "validate, dedupe, aggregate", name: "aggregate-done", match: stageDoneIs("aggregate"), nth: 1},
		{class: "report writing", name: "feedback-written", match: msgIs("feedback written"), nth: 1},
		{class: "report writing", name: "first-parquet", match: msgIs("parquet table written"), nth: 1},
		{class: "report writing", name: "middle-parquet", match: msgIs("parquet table written"), nth: -1},
		{class: "report writing", name: "last-parquet", match: msgIs("parquet table written"), nth: 0},
		{class: "report writing", name: "outbox-written", match: msgIs("outbox written"), nth: 1},
		{class: "finish", name: "report-done", match: stageDoneIs("report"), nth: 1},
	}
	for _, f := range []float64{0.1, 0.25, 0.4, 0.55, 0.7, 0.85} {
		points = append(points, killPoint{class: "timed", name: fmt.Sprintf("at-%02.0fpct", f*100), frac: f})
	}
	type result struct {
		interrupted, finished int
		failed                bool
	}
	byClass := map[string]*result{}
	var classes []string
	for _, kp := range points {
		if kp.match != nil {
			n := count(kp.match)
			if n == 0 {
				t.Fatalf("kill point %s: the uninterrupted run logged no such event", kp.name)
			}
			switch kp.nth {
			case 0:
				kp.nth = n
			case -1:
				kp.nth = (n + 1) / 2
			}
		}
		if byClass[kp.class] == nil {
			byClass[kp.class] = &result{}
			classes = append(classes, kp.class)
		}
		res := byClass[kp.class]
		t.Run(kp.name, func(t *testing.T) {
			defer func() {
				if t.Failed() {
					res.failed = true
				}
			}()
			root := t.TempDir()
			copyTree(t, filepath.Join(src, "inbox"), filepath.Join(root, "inbox"))
			c := startChild(t, nil, args(root)...)
			if kp.match != nil {
				if !c.waitEvent(kp.match, kp.nth, 2*time.Minute) {
					t.Logf("the run ended before event %d of %s", kp.nth, kp.name)
				}
			} else {
				time.Sleep(time.Duration(kp.frac * float64(refWall)))
			}
			_ = c.cmd.Process.Signal(syscall.SIGKILL)
			c.wait(t, time.Minute)

			code, stdout, stderr := runCmd(append([]string{"run", "--now", now}, dirs(root)...)...)
			if code != exitOK {
				t.Fatalf("run after the kill: exit %d\n%s\n%s", code, stdout, stderr)
			}
			if d := diffSnapshots(snapshot(t, filepath.Join(root, "outbox")), want); d != "" {
				t.Errorf("outbox after kill + run differs from an uninterrupted run:\n%s", d)
			}
			led, err := ledger.Open(context.Background(), filepath.Join(root, "state"))
			if err != nil {
				t.Fatal(err)
			}
			entries, err := led.Entries(context.Background())
			led.Close()
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != len(files) {
				t.Errorf("ledger holds %d files, the inbox %d", len(entries), len(files))
			}
			runs := runOutcomes(t, filepath.Join(root, "state"))
			if len(runs) == 0 || runs[0].Outcome != "ok" {
				t.Fatalf("the run after the kill is not recorded as ok: %+v", runs)
			}
			for _, r := range runs[1:] {
				switch r.Outcome {
				case "interrupted":
					res.interrupted++
				case "ok":
					res.finished++ // the kill came after the run had finished
				default:
					t.Errorf("killed run recorded as %q", r.Outcome)
				}
			}
			if len(runs) == 1 {
				res.interrupted++ // killed before its run was recorded at all
			}
		})
	}
	total := 0
	for _, cl := range classes {
		res := byClass[cl]
		n := res.interrupted + res.finished
		total += res.interrupted
		outcome := fmt.Sprintf("%s; every next run completed with the same content (%s); killed runs shown as interrupted, never running", plural(n, "kill"), countKinds(want))
		if res.finished > 0 {
			t.Logf("%s: %d kills landed after the run had finished (recorded as ok)", cl, res.finished)
		}
		if res.failed {
			outcome = "at least one kill point failed (see the test log)"
		}
		fault := "SIGKILL of `doithoai run` during " + cl
		if cl == "timed" {
			fault = "SIGKILL of `doithoai run` at 10 %, 25 %, 40 %, 55 %, 70 %, 85 % of an uninterrupted run's wall time"
		}
		stopTable.Record(t, faultdoc.Case{
			Fault:    fault,
			Expected: "the next run completes; its outbox has the same content as an uninterrupted run's; no temporary file left; ledger: killed run \"interrupted\", every file once",
			Outcome:  outcome,
			Pass:     !res.failed,
		})
	}
	if total < len(points)/2 {
		t.Errorf("only %d of %d kills hit a run in progress; the test proves little", total, len(points))
	}
}

// ---- slow files: signals ---------------------------------------------

// slowSet is an inbox whose files take long to read, its uninterrupted
// run's outbox and wall time; made once for the signal tests.
type slowSet struct {
	inbox   string
	files   int
	wall    time.Duration
	want    map[string]string
	verdict map[string]string // path → status/reason
	err     error
}

var (
	slowOnce sync.Once
	slow     slowSet
)

// slowChildEnv runs the children on one core: the big files are then read
// one after the other, so the read takes seconds on any machine.
var slowChildEnv = []string{"GOMAXPROCS=1"}

const slowNow = "2022-05-20T09:00:00+07:00"

// slowInbox writes, once, two large but legitimate M1 rosters of one
// commune (190,000 rows each, the project's bench roster writer), and
// slowCopies copies of each, into the folder of another commune, so that each is decoded in full (seconds)
// and then rejected as a conflict, which keeps the rest of the run short,
// and runs it once undisturbed.
func slowInbox(t *testing.T) slowSet {
	t.Helper()
	slowOnce.Do(func() {
		p, err := plan.Load("")
		if err != nil {
			slow.err = err
			return
		}
		dir, err := os.MkdirTemp("", "doithoai-slow-")
		if err != nil {
			slow.err = err
			return
		}
		slow.inbox = filepath.Join(dir, "inbox")
		other := filepath.Join(slow.inbox, p.Communes()[1].Name)
		if err := os.MkdirAll(other, 0o755); err != nil {
			slow.err = err
			return
		}
		for i, rows := range []int{190_000, 189_999} {
			if err := writeBenchRoster(filepath.Join(other, fmt.Sprintf("DS ho ngheo %d.xlsx", i+1)), p, rows); err != nil {
				slow.err = err
				return
			}
			slow.files++
		}
		// The reader takes a second or two per roster: copies (the same
		// sheets, another zip comment, so another file) keep the run
		// reading well past the stop bound.
		for k := 1; k <= slowCopies; k++ {
			for i := 1; i <= 2; i++ {
				src := filepath.Join(other, fmt.Sprintf("DS ho ngheo %d.xlsx", i))
				dst := filepath.Join(other, fmt.Sprintf("DS ho ngheo %d (%d).xlsx", i, k))
				if err := copyZip(src, dst, fmt.Sprintf("copy %d", k)); err != nil {
					slow.err = err
					return
				}
				slow.files++
			}
		}
	})
	if slow.err != nil {
		t.Fatal(slow.err)
	}
	if slow.want == nil {
		root := t.TempDir()
		copyTree(t, slow.inbox, filepath.Join(root, "inbox"))
		c := startChild(t, slowChildEnv, append([]string{"run", "--now", slowNow, "--log-format", "json"}, dirs(root)...)...)
		code, end := c.wait(t, 10*time.Minute)
		if code != exitOK {
			t.Fatalf("undisturbed run of the slow inbox: exit %d\n%s", code, c.logs())
		}
		slow.wall = end.Sub(c.start)
		slow.want = snapshot(t, filepath.Join(root, "outbox"))
		slow.verdict = verdicts(t, filepath.Join(root, "outbox"))
	}
	return slow
}

// slowCopies is how many copies of each roster the slow inbox holds.
const slowCopies = 4

// copyZip copies the zip file src to dst entry by entry, without
// recompressing, with another archive comment.
func copyZip(src, dst, comment string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer zr.Close()
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		if err := zw.Copy(e); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.SetComment(comment); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// verdicts is each submission's status and reason, by path.
func verdicts(t *testing.T, outbox string) map[string]string {
	t.Helper()
	_, _, rows := parquettest.ReadBack(t, filepath.Join(outbox, "data", "submissions.parquet"))
	out := map[string]string{}
	for _, r := range rows {
		out[fmt.Sprint(r["path"])] = fmt.Sprintf("%v/%v", r["status"], r["reason"])
	}
	return out
}

// stopBound is how soon after the signal a stopped process must have
// exited (whole-process wall time seen from the parent).
const stopBound = 5 * time.Second

// readStarted is the debug line logged when a file's read begins.
var readStarted = msgIs("reading")

// TestSignalStopsRead sends SIGTERM to a `doithoai run` that is reading a
// large file: it must exit within a few seconds with exit status 5, the
// ledger must show the run as aborted, the outbox must hold no temporary
// or broken file, and the next run must give the same outputs as an
// undisturbed run.
func TestSignalStopsRead(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	set := slowInbox(t)
	root := t.TempDir()
	copyTree(t, set.inbox, filepath.Join(root, "inbox"))
	c := startChild(t, slowChildEnv, append([]string{"run", "--now", slowNow, "--log-format", "json", "--log-level", "debug"}, dirs(root)...)...)
	if !c.waitEvent(readStarted, 1, 2*time.Minute) {
		t.Fatalf("the read never started\n%s", c.logs())
	}
	time.Sleep(500 * time.Millisecond) // well inside the decoding of the first file
	sent := time.Now()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	code, end := c.wait(t, 2*time.Minute)
	took := end.Sub(sent)
	logs := c.logs()
	runs := runOutcomes(t, filepath.Join(root, "state"))
	snap := snapshot(t, filepath.Join(root, "outbox")) // every file parses, no temporaries
	_ = snap
	ok := code == exitAborted && took < stopBound && len(runs) == 1 && runs[0].Outcome == "aborted" &&
		strings.Contains(logs, "read stopped: the run is stopping")
	if set.wall < took+stopBound {
		t.Errorf("the undisturbed run took %s, too short to show that the read was interrupted", set.wall)
		ok = false
	}
	outcome := fmt.Sprintf("exit status %d within %s of the signal (an undisturbed run takes longer than that); ledger %q; read stopped mid-file; outbox whole",
		code, stopBound, outcomeOf(runs))
	if !ok {
		outcome = fmt.Sprintf("exit %d after %s; ledger %q\n%s", code, took, outcomeOf(runs), lastLines(logs, 15))
	}
	stopTable.Record(t, faultdoc.Case{
		Fault:    "SIGTERM to `doithoai run` while it decodes a 190,000-row roster",
		Expected: fmt.Sprintf("exit status 5 within %s of the signal; ledger \"aborted\"; no temporary or unreadable file in the outbox", stopBound),
		Outcome:  outcome,
		Pass:     ok,
	})
	next(t, root, set, true, "after SIGTERM to `doithoai run`")
}

// TestServeGraceThenAbort sends one SIGTERM to `doithoai serve --grace 1s`
// while its start-up run reads a large file: the grace runs out, the run
// is cancelled and recorded as aborted, the process exits with status 5
// within a few seconds of the grace ending, and the next run completes.
func TestServeGraceThenAbort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	set := slowInbox(t)
	root := t.TempDir()
	copyTree(t, set.inbox, filepath.Join(root, "inbox"))
	grace := time.Second
	c := startChild(t, slowChildEnv, append([]string{"serve", "--every", "0", "--grace", grace.String(), "--log-format", "json", "--log-level", "debug"}, dirs(root)...)...)
	if !c.waitEvent(readStarted, 1, 2*time.Minute) {
		t.Fatalf("serve's start-up run never started reading\n%s", c.logs())
	}
	time.Sleep(500 * time.Millisecond)
	sent := time.Now()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	code, end := c.wait(t, 3*time.Minute)
	took := end.Sub(sent)
	logs := c.logs()
	runs := runOutcomes(t, filepath.Join(root, "state"))
	_ = snapshot(t, filepath.Join(root, "outbox"))
	ok := code == exitAborted && took < grace+stopBound && len(runs) == 1 && runs[0].Outcome == "aborted" &&
		strings.Contains(logs, "after the grace period; aborting it")
	if set.wall < took+stopBound {
		t.Errorf("the undisturbed run took %s, too short to show that the read was interrupted", set.wall)
		ok = false
	}
	outcome := fmt.Sprintf("grace ran out, run cancelled; exit status %d within %s of the signal; ledger %q; outbox whole",
		code, grace+stopBound, outcomeOf(runs))
	if !ok {
		outcome = fmt.Sprintf("exit %d after %s; ledger %q\n%s", code, took, outcomeOf(runs), lastLines(logs, 15))
	}
	stopTable.Record(t, faultdoc.Case{
		Fault:    "one SIGTERM to `doithoai serve --grace 1s` while its run decodes a 190,000-row roster",
		Expected: fmt.Sprintf("the run is aborted when the grace runs out; exit status 5 within %s of the signal; ledger \"aborted\"", grace+stopBound),
		Outcome:  outcome,
		Pass:     ok,
	})
	// serve runs on the real clock: its run received the files "now", so
	// the next run is compared by verdicts, not by content.
	next(t, root, set, false, "after `doithoai serve` was stopped")
}

// next runs `doithoai run` once more on root and checks it completes with
// the undisturbed run's outputs (content, or verdicts only).
func next(t *testing.T, root string, set slowSet, content bool, after string) {
	t.Helper()
	args := append([]string{"run", "--now", slowNow}, dirs(root)...)
	code, stdout, stderr := runCmd(args...)
	runs := runOutcomes(t, filepath.Join(root, "state"))
	ok := code == exitOK && len(runs) == 2 && runs[0].Outcome == "ok" && runs[1].Outcome == "aborted"
	got := snapshot(t, filepath.Join(root, "outbox"))
	what := "the same content as an undisturbed run (" + countKinds(set.want) + ")"
	d := ""
	if content {
		d = diffSnapshots(got, set.want)
	} else {
		what = "the same files and the same verdict for every file as an undisturbed run"
		gv := verdicts(t, filepath.Join(root, "outbox"))
		if fmt.Sprint(gv) != fmt.Sprint(set.verdict) {
			d = fmt.Sprintf("verdicts %v, want %v", gv, set.verdict)
		}
		var gf, wf []string
		for rel := range got {
			gf = append(gf, rel)
		}
		for rel := range set.want {
			wf = append(wf, rel)
		}
		slices.Sort(gf)
		slices.Sort(wf)
		if !slices.Equal(gf, wf) {
			d += fmt.Sprintf("\nfiles %v, want %v", gf, wf)
		}
	}
	outcome := "completed; " + what + "; ledger: aborted, then ok"
	if !ok || d != "" {
		outcome = fmt.Sprintf("exit %d, runs %q, %s\n%s\n%s", code, outcomesOf(runs), d, stdout, stderr)
	}
	stopTable.Record(t, faultdoc.Case{
		Fault:    "the next `doithoai run` " + after,
		Expected: "completes (exit 0) with " + what,
		Outcome:  outcome,
		Pass:     ok && d == "",
	})
}

func outcomeOf(runs []ledger.Run) string {
	if len(runs) == 0 {
		return "(no run)"
	}
	return runs[0].Outcome
}

func outcomesOf(runs []ledger.Run) []string {
	var out []string
	for _, r := range runs {
		out = append(out, r.Outcome)
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// ---- slow files: the time budget and its memory ----------------------

// TestFileTimeoutIsRemembered: a legitimate roster that cannot be read
// within --file-timeout is rejected as too_slow with a Vietnamese finding
// that names the limit; the next run rejects it from the ledger without
// reading it again; a larger budget reads it again, and it is accepted.
func TestFileTimeoutIsRemembered(t *testing.T) {
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	c := p.Communes()[0]
	dir := filepath.Join(root, "inbox", c.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeBenchRoster(filepath.Join(dir, "DS ho ngheo.xlsx"), p, 30_000); err != nil {
		t.Fatal(err)
	}
	run := func(budget string, extra ...string) (int, string, map[string]string) {
		args := append([]string{"run", "--now", slowNow, "--file-timeout", budget, "--log-level", "debug"}, extra...)
		code, stdout, stderr := runCmd(append(args, dirs(root)...)...)
		return code, stdout + stderr, verdicts(t, filepath.Join(root, "outbox"))
	}
	const file = "DS ho ngheo.xlsx"
	feedbackTxt := func() string {
		var txt string
		_ = filepath.WalkDir(filepath.Join(root, "outbox", "phan-hoi"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".txt") && strings.Contains(p, "DS ho ngheo") {
				b, _ := os.ReadFile(p)
				txt = string(b)
			}
			return nil
		})
		return txt
	}
	path := c.Name + "/" + file

	// 1. A budget far too small for a 30,000-row roster (it reads in
	// about 0.2 s on a quiet machine).
	code, logs, v := run("20ms")
	fb := feedbackTxt()
	ok := code == exitOK && v[path] == "rejected/too_slow" && strings.Contains(fb, "0,02 giây")
	stopTable.Record(t, faultdoc.Case{
		Fault:    "a 30,000-row roster read with --file-timeout 20ms",
		Expected: "the run completes; the file is rejected as too_slow; its feedback names the limit (\"0,02 giây\")",
		Outcome:  pick(ok, "rejected as too_slow; the feedback says the file needs longer than 0,02 giây to read", fmt.Sprintf("exit %d, verdict %q, feedback %q\n%s", code, v[path], fb, lastLines(logs, 10))),
		Pass:     ok,
	})

	// 2. The same budget again: rejected from the ledger, not read
	// (--rebuild: nothing changed, and the run would otherwise keep the
	// outbox without looking at any file).
	code, logs, v = run("20ms", "--rebuild")
	ok = code == exitOK && v[path] == "rejected/too_slow" && strings.Contains(logs, "not read again") && !strings.Contains(logs, `msg=reading path="`+path)
	stopTable.Record(t, faultdoc.Case{
		Fault:    "the next run, same file and --file-timeout 20ms",
		Expected: "rejected as too_slow straight from the ledger, without reading the file again",
		Outcome:  pick(ok, "rejected as too_slow from the ledger; the file was not read", fmt.Sprintf("exit %d, verdict %q\n%s", code, v[path], lastLines(logs, 10))),
		Pass:     ok,
	})

	// 3. The budget is raised: the file is read again and accepted.
	code, logs, v = run("10m")
	ok = code == exitOK && v[path] == "accepted/<nil>" && strings.Contains(logs, `msg=reading path="`+path)
	stopTable.Record(t, faultdoc.Case{
		Fault:    "a later run with the budget raised to --file-timeout 10m",
		Expected: "the file is read again and accepted",
		Outcome:  pick(ok, "read again and accepted", fmt.Sprintf("exit %d, verdict %q\n%s", code, v[path], lastLines(logs, 10))),
		Pass:     ok,
	})
}

func pick(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}
