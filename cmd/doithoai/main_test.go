package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"doithoai/pipeline/demo"
	"doithoai/pipeline/faultdoc"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/runlock"
)

// TestMain lets the test binary act as the doithoai command in a child
// process (the kill and signal tests need a real process to stop), and
// writes docs/faults/stop.md after a complete passing run.
func TestMain(m *testing.M) {
	if os.Getenv("DOITHOAI_AS_MAIN") == "1" {
		os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(faultdoc.Main(m, stopTable))
}

// workspace is a demo inbox written by the project's own generator.
func workspace(t *testing.T) (root string, files []string) {
	t.Helper()
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	root = t.TempDir()
	all, err := demo.Generate(p, root, demo.Options{Seed: 11, Year: p.Year})
	if err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(root, "inbox") + string(filepath.Separator)
	for _, f := range all {
		if !filepath.IsAbs(f) {
			f = filepath.Join(root, f)
		}
		if strings.HasPrefix(f, inbox) {
			files = append(files, f)
		}
	}
	return root, files
}

func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = runMain(args, &o, &e)
	return code, o.String(), e.String()
}

func dirs(root string) []string {
	return []string{"--inbox", filepath.Join(root, "inbox"), "--outbox", filepath.Join(root, "outbox"), "--state", filepath.Join(root, "state"), "--settle", "0s", "--quiet"}
}

// outboxFiles lists the outbox, '/'-separated, relative to it.
func outboxFiles(t *testing.T, outbox string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(outbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(outbox, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestRunCommand(t *testing.T) {
	root, files := workspace(t)
	args := append([]string{"run", "--now", "2022-05-20T09:00:00+07:00"}, dirs(root)...)
	code, stdout, stderr := runCmd(args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Đã xử lý") {
		t.Errorf("summary missing:\n%s", stdout)
	}
	got := outboxFiles(t, filepath.Join(root, "outbox"))
	for _, want := range []string{"index.html", "bao-cao/bao-cao-quy-2022Q2-du-thao.xlsx", "data/submissions.parquet", "data/figures.parquet"} {
		if !slices.Contains(got, want) {
			t.Errorf("outbox lacks %s (has %v)", want, got)
		}
	}
	for _, f := range got {
		if strings.Contains(f, ".tmp-") {
			t.Errorf("temporary file left: %s", f)
		}
	}
	// The inbox is never altered.
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("inbox file gone: %v", err)
		}
	}
	// status lists the communes and the run.
	code, stdout, stderr = runCmd("status", "--state", filepath.Join(root, "state"))
	if code != exitOK || !strings.Contains(stdout, "Thường Phước 1") {
		t.Errorf("status exit %d:\n%s\n%s", code, stdout, stderr)
	}
	// A bad --now is a usage error with a Vietnamese message.
	code, _, stderr = runCmd(append([]string{"run", "--now", "hôm qua"}, dirs(root)...)...)
	if code != exitUsage || !strings.Contains(stderr, "RFC 3339") {
		t.Errorf("bad --now: exit %d, %q", code, stderr)
	}
}

// TestSecondRunIsRefused: while one run holds the state folder, another
// exits at once with a clear message and exit status 4.
func TestSecondRunIsRefused(t *testing.T) {
	root, _ := workspace(t)
	state := filepath.Join(root, "state")
	if err := os.MkdirAll(state, 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := runlock.Acquire(state)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(append([]string{"run"}, dirs(root)...)...)
	lock.Release()
	if code != exitBusy || !strings.Contains(stderr, "đang có một lần chạy khác") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runCmd(append([]string{"run"}, dirs(root)...)...); code != exitOK {
		t.Fatalf("after the lock is released: exit %d %s", code, stderr)
	}
}

func TestCheckCommand(t *testing.T) {
	_, files := workspace(t)
	var xlsx string
	for _, f := range files {
		if strings.HasSuffix(f, ".xlsx") {
			xlsx = f
			break
		}
	}
	if xlsx == "" {
		t.Fatal("the demo wrote no .xlsx")
	}
	code, stdout, stderr := runCmd("check", xlsx)
	if code != exitOK || !strings.Contains(stdout, filepath.Base(xlsx)) {
		t.Errorf("check %s: exit %d\n%s\n%s", xlsx, code, stdout, stderr)
	}
	code, stdout, _ = runCmd("check", "--json", xlsx)
	var out struct {
		Status   string            `json:"status"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Status != "accepted" || code != exitOK {
		t.Errorf("check --json: exit %d, %v, %q", code, err, stdout)
	}
	// A file that is not a spreadsheet would be rejected: exit 3.
	bad := filepath.Join(t.TempDir(), "ghi chu.txt")
	if err := os.WriteFile(bad, []byte("không phải bảng tính"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := runCmd("check", "--commune", "29956", bad); code != exitRejected || !strings.Contains(stdout, "ghi chu.txt") {
		t.Errorf("check a text file: exit %d\n%s", code, stdout)
	}
}

func TestDemoCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := runCmd("demo", dir)
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "outbox", "index.html")); err != nil {
		t.Errorf("demo wrote no status page: %v", err)
	}
	if !strings.Contains(stdout, "index.html") {
		t.Errorf("demo does not say where the reports are:\n%s", stdout)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"help"}, exitOK},
		{[]string{"nhầm"}, exitUsage},
		{[]string{"check"}, exitUsage},
	} {
		if code, _, _ := runCmd(tc.args...); code != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.args, code, tc.code)
		}
	}
}

// TestMaxRowsFlag: --max-rows reaches the reader of run and check: under
// a cap below the demo rosters' size they are rejected as too large, with
// the cap named; a cap out of range is a usage error.
func TestMaxRowsFlag(t *testing.T) {
	root, files := workspace(t)
	rejected := func(stdout string) int {
		t.Helper()
		_, after, ok := strings.Cut(stdout, "bị từ chối: ")
		n, err := strconv.Atoi(strings.TrimRightFunc(after[:strings.IndexByte(after, ';')], func(r rune) bool { return r == ' ' }))
		if !ok || err != nil {
			t.Fatalf("no rejected count in %q", stdout)
		}
		return n
	}
	var roster string
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "M1") {
			roster = f
			break
		}
	}
	for _, tc := range []struct {
		name     string
		maxRows  string
		code     int
		stricter bool // more files rejected than by default
	}{
		{"default", "200000", exitOK, false},
		{"below the rosters", "20", exitOK, true},
		{"raised", "1048576", exitOK, false},
		{"zero", "0", exitUsage, false},
		{"above Excel", "1048577", exitUsage, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := t.TempDir()
			args := []string{"run", "--now", "2022-05-20T09:00:00+07:00", "--max-rows", tc.maxRows, "--inbox", filepath.Join(root, "inbox"),
				"--outbox", filepath.Join(sub, "outbox"), "--state", filepath.Join(sub, "state"), "--settle", "0s", "--quiet"}
			code, stdout, stderr := runCmd(args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, stdout, stderr)
			}
			if code == exitUsage {
				if !strings.Contains(stderr, "--max-rows phải từ 1 đến 1048576") {
					t.Errorf("usage message: %q", stderr)
				}
				return
			}
			_, def, _ := runCmd("run", "--now", "2022-05-20T09:00:00+07:00", "--inbox", filepath.Join(root, "inbox"),
				"--outbox", filepath.Join(sub, "outbox-default"), "--state", filepath.Join(sub, "state-default"), "--settle", "0s", "--quiet")
			if got, base := rejected(stdout), rejected(def); tc.stricter != (got > base) {
				t.Errorf("--max-rows %s: %d files rejected, %d by default", tc.maxRows, got, base)
			}
			// The same state under the default limits: the files refused
			// under the other limits are read again.
			_, again, _ := runCmd(append(args[:3:3], args[5:]...)...)
			if got, base := rejected(again), rejected(def); got != base {
				t.Errorf("after --max-rows %s, the default limits reject %d files, a new state %d", tc.maxRows, got, base)
			}
			code, stdout, _ = runCmd("check", "--json", "--max-rows", tc.maxRows, "--now", "2022-05-20T09:00:00+07:00", roster)
			if tooLarge := strings.Contains(stdout, `"reason": "too_large"`); code == exitUsage || tooLarge != tc.stricter {
				t.Errorf("check --max-rows %s: exit %d, too_large %v:\n%s", tc.maxRows, code, tooLarge, stdout)
			}
			if tc.stricter && !strings.Contains(stdout, "20 dòng mỗi trang") {
				t.Errorf("the message does not name the cap:\n%s", stdout)
			}
		})
	}
}
