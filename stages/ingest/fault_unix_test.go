//go:build unix

package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/faultdoc"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/record"
	"doithoai/stages/ingest"
	"doithoai/stages/report/statuspage"
)

// hostile is one entry an attacker (or an accident) puts in the inbox.
type hostile struct {
	fault  string
	rel    string
	make   func(abs string) error
	reason string
}

// TestHostileInboxEntries runs the whole pipeline on the demo inbox with
// links and special files added: none is followed or opened, each is
// reported (warning log naming the path, the run's summary, the status
// page in Vietnamese), and every real file is still received.
func TestHostileInboxEntries(t *testing.T) {
	f := newFolders(t)
	p, now, files := demoInbox(t, f.inbox)
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Skipf("no /etc/passwd to point at: %v", err)
	}
	commune := strings.SplitN(files[0], "/", 2)[0]
	entries := []hostile{
		{"symbolic link M1.xlsx in a commune folder pointing to /etc/passwd", commune + "/M1 danh sach.xlsx",
			func(abs string) error { return os.Symlink("/etc/passwd", abs) }, record.SkipLinkOutside},
		{"symbolic link to a real file inside the inbox", "ban sao.xlsx",
			func(abs string) error { return os.Symlink(files[0], abs) }, record.SkipLink},
		{"symbolic link to a folder outside the inbox (/etc)", "29999",
			func(abs string) error { return os.Symlink("/etc", abs) }, record.SkipLinkOutside},
		{"dangling symbolic link with markup in its name", commune + "/<img src=x onerror=alert(1)> mat.xlsx",
			func(abs string) error { return os.Symlink("/nonexistent/M2.xlsx", abs) }, record.SkipLinkOutside},
		{"FIFO named M2.xlsx with no writer", commune + "/M2.xlsx",
			func(abs string) error { return syscall.Mkfifo(abs, 0o644) }, record.SkipSpecial},
		{"Unix socket named M3.xlsx", "M3.xlsx", func(abs string) error {
			l, err := net.Listen("unix", abs)
			if err != nil {
				return err
			}
			t.Cleanup(func() { l.Close() })
			return nil
		}, record.SkipSpecial},
		{"character device (like /dev/zero) named M4.xlsx", "M4.xlsx",
			func(abs string) error { return syscall.Mknod(abs, syscall.S_IFCHR|0o644, int(1<<8|5)) }, record.SkipSpecial},
	}
	var made []hostile
	for _, h := range entries {
		abs := filepath.Join(f.inbox, filepath.FromSlash(h.rel))
		if err := h.make(abs); err != nil {
			t.Logf("%s: cannot be made here (%v); not tried", h.fault, err)
			continue
		}
		made = append(made, h)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sum, err, returned := runGuarded(t, f.config(p, now, log), 2*time.Minute)
	if !returned {
		t.Fatal("the run blocked on a hostile inbox entry")
	}
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	page, _ := os.ReadFile(filepath.Join(f.outbox, statuspage.FileName))
	received, err := ledgerSound(t, f.state)
	if err != nil {
		t.Fatal(err)
	}
	recv := map[string]bool{}
	for _, r := range received {
		recv[r] = true
	}
	var archived [][]byte
	_ = filepath.WalkDir(filepath.Join(f.state, "archive"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			archived = append(archived, b)
		}
		return nil
	})
	leaked := false
	for _, b := range archived {
		if bytes.Equal(b, passwd) || bytes.Contains(b, []byte("root:x:0:0")) {
			leaked = true
		}
	}
	skipped := map[string]string{}
	for _, s := range sum.Skipped {
		skipped[s.Path] = s.Reason
	}
	for _, h := range made {
		inSummary := skipped[h.rel] == h.reason
		warned := warnedAbout(logs.Bytes(), h.rel)
		onPage := bytes.Contains(page, []byte(html.EscapeString(h.rel))) && !bytes.Contains(page, []byte("<img")) &&
			bytes.Contains(page, []byte(html.EscapeString("Tệp không được xử lý: "+statuspage.SkipText(h.reason))))
		notReceived := !recv[h.rel]
		for r := range recv {
			if strings.HasPrefix(r, h.rel+"/") {
				notReceived = false
			}
		}
		faults.Record(t, faultdoc.Case{
			Fault:    h.fault,
			Expected: "never followed or opened; reported as " + h.reason + " (warning log, run summary, status page in Vietnamese); the other files received",
			Outcome: fmt.Sprintf("run returned; in summary as %q: %v; warning logged: %v; on status page: %v; not received or archived: %v",
				skipped[h.rel], inSummary, warned, onPage, notReceived && !leaked),
			Pass: inSummary && warned && onPage && notReceived && !leaked,
		})
	}
	want := 0
	for _, rel := range files {
		if !ingest.Ignored(rel) {
			want++
		}
	}
	if len(received) != want {
		t.Errorf("received %d of the %d demo files", len(received), want)
	}
}

// warnedAbout reports whether a JSON log holds the warning that the inbox
// entry rel was skipped.
func warnedAbout(logs []byte, rel string) bool {
	for _, line := range bytes.Split(logs, []byte("\n")) {
		var rec struct{ Level, Msg, Path string }
		if json.Unmarshal(line, &rec) == nil && rec.Level == "WARN" && rec.Msg == "inbox entry skipped" && rec.Path == rel {
			return true
		}
	}
	return false
}

// ingestEnv is an inbox, a state folder and its ledger for ingest.Run.
type ingestEnv struct {
	inbox, state string
	led          *ledger.Ledger
}

func newIngestEnv(t *testing.T) *ingestEnv {
	t.Helper()
	root := t.TempDir()
	e := &ingestEnv{inbox: filepath.Join(root, "inbox"), state: filepath.Join(root, "state")}
	for _, d := range []string{e.inbox, e.state} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	led, err := ledger.Open(context.Background(), e.state)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { led.Close() })
	e.led = led
	return e
}

func (e *ingestEnv) put(t *testing.T, rel string, b []byte) string {
	t.Helper()
	p := filepath.Join(e.inbox, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	return p
}

// pass runs one ingest pass, failing the test when it blocks.
func (e *ingestEnv) pass(t *testing.T) *ingest.Result {
	t.Helper()
	done := make(chan *ingest.Result, 1)
	go func() {
		res, err := ingest.Run(context.Background(), e.led, ingest.Config{Inbox: e.inbox, State: e.state,
			Clock: clock.Fixed(time.Date(2022, 5, 20, 9, 0, 0, 0, time.UTC)), Settle: time.Minute,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Errorf("ingest: %v", err)
		}
		done <- res
	}()
	select {
	case res := <-done:
		if res == nil {
			t.FailNow()
		}
		return res
	case <-time.After(time.Minute):
		t.Fatal("the ingest pass blocked")
		return nil
	}
}

// archiveFiles lists State/archive, temporaries included.
func (e *ingestEnv) archiveFiles() []string {
	var out []string
	_ = filepath.WalkDir(filepath.Join(e.state, "archive"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, d.Name())
		}
		return nil
	})
	return out
}

// TestSwappedOrChangedDuringIngest changes a file at the worst moments:
// between the scan and the open, and between the copy and the check.
func TestSwappedOrChangedDuringIngest(t *testing.T) {
	content := bytes.Repeat([]byte("PK\x03\x04 danh sách hộ "), 4000)
	tests := []struct {
		fault      string
		beforeOpen func(t *testing.T, abs string)
		afterCopy  func(t *testing.T, abs string)
		expected   string
		check      func(res *ingest.Result) bool
	}{
		{
			fault: "regular file replaced by a FIFO between the scan and the open",
			beforeOpen: func(t *testing.T, abs string) {
				os.Remove(abs)
				if err := syscall.Mkfifo(abs, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			expected: "open does not block (O_NONBLOCK); refused as special after fstat; nothing archived",
			check: func(res *ingest.Result) bool {
				return len(res.Skipped) == 1 && res.Skipped[0].Reason == record.SkipSpecial && len(res.New) == 0
			},
		},
		{
			fault: "regular file replaced by a link to /etc/passwd between the scan and the open",
			beforeOpen: func(t *testing.T, abs string) {
				os.Remove(abs)
				if err := os.Symlink("/etc/passwd", abs); err != nil {
					t.Fatal(err)
				}
			},
			expected: "the link is not followed (O_NOFOLLOW); nothing archived; the next scan reports the link",
			check:    func(res *ingest.Result) bool { return len(res.New) == 0 && len(res.Pending) == 1 },
		},
		{
			fault: "file appended to while it was being archived",
			afterCopy: func(t *testing.T, abs string) {
				fh, err := os.OpenFile(abs, os.O_WRONLY|os.O_APPEND, 0)
				if err != nil {
					t.Fatal(err)
				}
				fh.Write([]byte(" more rows"))
				fh.Close()
			},
			expected: "the copy is dropped (temporary removed), the file stays pending, the next pass receives the whole file",
			check:    func(res *ingest.Result) bool { return len(res.New) == 0 && len(res.Pending) == 1 },
		},
		{
			fault: "file replaced by another one of the same size and mtime while it was being archived",
			afterCopy: func(t *testing.T, abs string) {
				fi, _ := os.Stat(abs)
				other := bytes.ToUpper(content)
				tmp := abs + ".new"
				if err := os.WriteFile(tmp, other, 0o644); err != nil {
					t.Fatal(err)
				}
				os.Chtimes(tmp, fi.ModTime(), fi.ModTime())
				if err := os.Rename(tmp, abs); err != nil {
					t.Fatal(err)
				}
			},
			expected: "recognised as another file (not the one opened); the copy is dropped, the file stays pending",
			check:    func(res *ingest.Result) bool { return len(res.New) == 0 && len(res.Pending) == 1 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			e := newIngestEnv(t)
			abs := e.put(t, "29956/M1.xlsx", content)
			var before, after func(string)
			if tt.beforeOpen != nil {
				before = func(a string) { tt.beforeOpen(t, a) }
			}
			if tt.afterCopy != nil {
				after = func(a string) { tt.afterCopy(t, a) }
			}
			reset := ingest.SetHooks(before, after)
			res := e.pass(t)
			reset()
			left := e.archiveFiles()
			ok := tt.check(res) && len(left) == 0
			outcome := fmt.Sprintf("pass returned; new %d, pending %d, skipped %d; archive files left %d", len(res.New), len(res.Pending), len(res.Skipped), len(left))
			// Once the file stops changing, the next pass takes what is there.
			if tt.afterCopy != nil {
				b, _ := os.ReadFile(abs)
				old := time.Now().Add(-time.Hour)
				os.Chtimes(abs, old, old)
				res2 := e.pass(t)
				entries, _ := e.led.Entries(context.Background())
				whole := len(res2.New) == 1 && len(entries) == 1 && entries[0].SHA256 == sha(b)
				ok = ok && whole
				outcome += fmt.Sprintf("; next pass received the file as it now is: %v", whole)
			} else {
				res2 := e.pass(t)
				ok = ok && len(res2.New) == 0 && len(res2.Skipped) == 1
				outcome += fmt.Sprintf("; next pass: skipped as %s", firstReason(res2))
			}
			faults.Record(t, faultdoc.Case{Fault: tt.fault, Expected: tt.expected, Outcome: outcome, Pass: ok})
		})
	}
}

func firstReason(res *ingest.Result) string {
	if len(res.Skipped) == 0 {
		return "nothing"
	}
	return res.Skipped[0].Reason
}

// unreadableResult is what the child that scans as another user prints.
type unreadableResult struct {
	New     []string
	Skipped []record.Skip
	Err     string
}

const unreadableMarker = "UNREADABLE-RESULT "

// TestUnreadableEntries makes a file and a folder of the inbox unreadable.
// Root reads everything, so as root the pass runs in a child process that
// has dropped to the unprivileged uid 65534.
func TestUnreadableEntries(t *testing.T) {
	const name = "TestUnreadableEntries"
	if faultdoc.ChildFor(name) {
		led, err := ledger.Open(context.Background(), os.Getenv("UNREADABLE_STATE"))
		res := &ingest.Result{}
		if err == nil {
			res, err = ingest.Run(context.Background(), led, ingest.Config{Inbox: os.Getenv("UNREADABLE_INBOX"),
				State: os.Getenv("UNREADABLE_STATE"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		}
		out := unreadableResult{}
		if err != nil {
			out.Err = err.Error()
		} else {
			out.New, out.Skipped = res.New, res.Skipped
		}
		b, _ := json.Marshal(out)
		fmt.Println(unreadableMarker + string(b))
		return
	}
	base, err := os.MkdirTemp("", "doithoai-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	inbox, state := filepath.Join(base, "inbox"), filepath.Join(base, "state")
	write := func(rel string, mode os.FileMode) {
		p := filepath.Join(inbox, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("PK "+rel), 0o644); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Hour)
		os.Chtimes(p, old, old)
		os.Chmod(p, mode)
	}
	write("29956/M1.xlsx", 0o644)
	write("29956/M2.xlsx", 0o000)
	write("29977/M1.xlsx", 0o644)
	write("khoa/M3.xlsx", 0o644)
	if err := os.Chmod(filepath.Join(inbox, "khoa"), 0o000); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{base, inbox, filepath.Join(inbox, "29956"), filepath.Join(inbox, "29977")} {
		os.Chmod(d, 0o755)
	}
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	var got unreadableResult
	how := "the pass as this unprivileged user"
	if os.Geteuid() == 0 {
		how = "the pass in a child process dropped to uid 65534"
		if err := os.Chown(state, 65534, 65534); err != nil {
			t.Skipf("cannot hand the state folder to uid 65534: %v", err)
		}
		got = runAsNobody(t, base, name, "UNREADABLE_INBOX="+inbox, "UNREADABLE_STATE="+state)
	} else {
		led, err := ledger.Open(context.Background(), state)
		if err != nil {
			t.Fatal(err)
		}
		defer led.Close()
		res, err := ingest.Run(context.Background(), led, ingest.Config{Inbox: inbox, State: state,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		got.New, got.Skipped = res.New, res.Skipped
	}
	os.Chmod(filepath.Join(inbox, "khoa"), 0o755)
	reasons := map[string]string{}
	for _, s := range got.Skipped {
		reasons[s.Path] = s.Reason
	}
	news := strings.Join(got.New, ",")
	for _, c := range []struct{ fault, rel, reason string }{
		{"inbox file without read permission (chmod 000)", "29956/M2.xlsx", record.SkipUnreadable},
		{"inbox folder without read permission (chmod 000)", "khoa", record.SkipUnreadableDir},
	} {
		ok := got.Err == "" && reasons[c.rel] == c.reason && news == "29956/M1.xlsx,29977/M1.xlsx"
		faults.Record(t, faultdoc.Case{
			Fault:    c.fault,
			Expected: "reported as " + c.reason + "; the other files are received; the run goes on",
			Outcome:  fmt.Sprintf("%s: reported as %q; received %s; error %q", how, reasons[c.rel], news, got.Err),
			Pass:     ok,
		})
	}
}

// runAsNobody runs this test binary as uid/gid 65534 for the test name
// and returns what it printed after the marker. The binary is copied
// where that user may execute it.
func runAsNobody(t *testing.T, base, name string, env ...string) unreadableResult {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "test.bin")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^"+name+"$", "-test.count=1")
	cmd.Dir = base
	cmd.Env = append([]string{"FAULTDOC_CHILD=" + name, "PATH=/usr/bin:/bin", "HOME=" + base, "TMPDIR=" + base}, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, unreadableMarker); ok {
			var r unreadableResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	t.Skipf("cannot run a child as uid 65534 here (%v): %s", err, out)
	return unreadableResult{}
}

// TestPrivacyAtRest checks the permissions of the state folder and of
// outbox/data after a run, and that a run tightens the folders an older
// version left readable by everyone.
func TestPrivacyAtRest(t *testing.T) {
	f := newFolders(t)
	p, now, _ := demoInbox(t, f.inbox)
	cfg := f.config(p, now, nil)
	check := func() (int, []string) {
		var bad []string
		n := 0
		for _, root := range []string{f.state, filepath.Join(f.outbox, "data")} {
			filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					bad = append(bad, err.Error())
					return nil
				}
				fi, _ := d.Info()
				rel, _ := filepath.Rel(filepath.Dir(root), path)
				n++
				perm := fi.Mode().Perm()
				switch {
				case d.IsDir() && perm != atomicfile.PrivateDir:
					bad = append(bad, fmt.Sprintf("%s %v", rel, perm))
				case !d.IsDir() && perm&0o077 != 0:
					bad = append(bad, fmt.Sprintf("%s %v", rel, perm))
				case strings.Contains(rel, "archive") && !d.IsDir() && perm != 0o400:
					bad = append(bad, fmt.Sprintf("%s %v (archive copy not read-only)", rel, perm))
				}
				return nil
			})
		}
		return n, bad
	}
	if _, err := runOK(cfg); err != nil {
		t.Fatal(err)
	}
	n, bad := check()
	faults.Record(t, faultdoc.Case{
		Fault:    "personal data at rest after a run: state/ (ledger, archive, plan copy) and outbox/data/",
		Expected: "folders 0700, files 0600 (archive copies 0400), on Unix",
		Outcome:  fmt.Sprintf("%d entries checked, %d with other permissions %v", n, len(bad), bad),
		Pass:     len(bad) == 0 && n > 20,
	})
	// An older version made everything readable by all.
	for _, root := range []string{f.state, filepath.Join(f.outbox, "data")} {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil {
				if d.IsDir() {
					os.Chmod(path, 0o755)
				} else if fi, _ := d.Info(); fi.Mode().Perm()&0o200 != 0 {
					os.Chmod(path, 0o644)
				} else {
					os.Chmod(path, 0o444)
				}
			}
			return nil
		})
	}
	if _, err := runOK(cfg); err != nil {
		t.Fatal(err)
	}
	n, bad = check()
	faults.Record(t, faultdoc.Case{
		Fault:    "state/ and outbox/data/ left readable by everyone (0755/0644) by an older version",
		Expected: "tightened at the start of the next run: folders 0700, files 0600, archive copies 0400",
		Outcome:  fmt.Sprintf("%d entries checked, %d with other permissions %v", n, len(bad), bad),
		Pass:     len(bad) == 0 && n > 20,
	})
}
