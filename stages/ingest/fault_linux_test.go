//go:build linux

package ingest_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/faultdoc"
	"doithoai/pipeline/storeerr"
)

// mountTmpfs mounts a tmpfs of the size on dir (made if needed) and
// unmounts it when the test ends; it skips the test when mounting is not
// allowed here (not root, a container without the capability).
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			exec.Command("umount", "-l", dir).Run()
			t.Logf("umount %s: %v %s", dir, err, out)
		}
	})
}

func remount(t *testing.T, dir, opt string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opt, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v %s", dir, opt, err, out)
	}
}

// fill writes a file into dir that leaves only about leave bytes free,
// and returns it.
func fill(t *testing.T, dir string, leave int64) string {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	n := int64(st.Bavail)*int64(st.Bsize) - leave
	p := filepath.Join(dir, "filler.bin")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for n > 0 {
		k := int64(len(buf))
		if k > n {
			k = n
		}
		if _, err := f.Write(buf[:k]); err != nil {
			break // full already: all the better
		}
		n -= k
	}
	return p
}

// reference is the outbox and the received files of an undisturbed run of
// the demo inbox, on an ordinary disk.
var reference struct {
	once     sync.Once
	outbox   map[string]string
	received []string
	err      error
}

func undisturbed(t *testing.T) (map[string]string, []string) {
	t.Helper()
	reference.once.Do(func() {
		f := newFolders(t)
		p, now, _ := demoInbox(t, f.inbox)
		if _, err := runOK(f.config(p, now, nil)); err != nil {
			reference.err = err
			return
		}
		reference.outbox = comparable(tree(t, f.outbox), f.outbox)
		reference.received, reference.err = ledgerSound(t, f.state)
	})
	if reference.err != nil {
		t.Fatalf("undisturbed run: %v", reference.err)
	}
	return reference.outbox, reference.received
}

// newMark and written are what the status page says about this run's own
// writes ("mới", "đã ghi N tệp"): the only words that may differ between
// a run that finished another's work and an undisturbed one.
var (
	newMark = regexp.MustCompile(`<span class="new">mới</span>`)
	written = regexp.MustCompile(`<p class="note">Lần cập nhật này đã ghi \d+ tệp[^<]*</p>`)
)

// comparable is a tree with the status page's per-run words taken out,
// and workbooks compared by their cells (the order of an .xlsx's shared
// strings may differ between two runs writing the same cells).
func comparable(files map[string]string, outbox string) map[string]string {
	out := map[string]string{}
	for rel, h := range files {
		if strings.HasSuffix(rel, ".xlsx") {
			h = cellsHash(filepath.Join(outbox, filepath.FromSlash(rel)))
		}
		if rel == "index.html" {
			b, _ := os.ReadFile(filepath.Join(outbox, rel))
			b = newMark.ReplaceAll(b, nil)
			b = written.ReplaceAll(b, nil)
			h = sha(b)
		}
		out[rel] = h
	}
	return out
}

// cellsHash is the sha256 of every sheet's name and cell texts.
func cellsHash(path string) string {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	defer f.Close()
	var b strings.Builder
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s)
		if err != nil {
			return "unreadable: " + err.Error()
		}
		fmt.Fprintf(&b, "[%s]\n", s)
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return sha([]byte(b.String()))
}

// diff lists the paths whose content differs between two trees.
func diff(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// storageCase is one full or read-only folder tried.
type storageCase struct {
	fault    string
	folder   string // "state" or "outbox"
	size     string // of the tmpfs
	leave    int64  // bytes left free by the filler (-1: no filler)
	readOnly bool
	kind     storeerr.Kind
}

// TestFullOrReadOnlyFolders fills the state or the outbox folder for real
// (a small tmpfs, a filler file) or makes it read-only (remount), runs the
// pipeline on the demo inbox, then frees the space and runs again.
func TestFullOrReadOnlyFolders(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	cases := []storageCase{
		{"state folder's disk full, no space left at all", "state", "4m", 0, false, storeerr.NoSpace},
		{"state folder's disk full, 128 KiB left", "state", "4m", 128 << 10, false, storeerr.NoSpace},
		{"state folder's disk full, 600 KiB left", "state", "4m", 600 << 10, false, storeerr.NoSpace},
		{"outbox's disk full, no space left at all", "outbox", "4m", 0, false, storeerr.NoSpace},
		{"outbox's disk full, 200 KiB left", "outbox", "4m", 200 << 10, false, storeerr.NoSpace},
		{"outbox's disk full, 960 KiB left", "outbox", "4m", 960 << 10, false, storeerr.NoSpace},
		{"state folder on a read-only file system (remount,ro)", "state", "8m", -1, true, storeerr.ReadOnly},
		{"outbox on a read-only file system (remount,ro)", "outbox", "8m", -1, true, storeerr.ReadOnly},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) { tryStorage(t, c) })
	}
}

func tryStorage(t *testing.T, c storageCase) {
	wantOut, wantRecv := undisturbed(t)
	f := newFolders(t)
	p, now, _ := demoInbox(t, f.inbox)
	dir := f.state
	if c.folder == "outbox" {
		dir = f.outbox
	}
	mountTmpfs(t, dir, c.size)
	filler := ""
	if c.leave >= 0 {
		filler = fill(t, dir, c.leave)
	}
	if c.readOnly {
		remount(t, dir, "ro")
	}
	cfg := f.config(p, now, nil)
	_, err, returned := runGuarded(t, cfg, 3*time.Minute)
	if !returned {
		t.Fatal("the run did not return")
	}
	var se *storeerr.Error
	named := errors.As(err, &se) && se.Kind == c.kind && se.Dir == dir
	staff := ""
	if se != nil {
		staff = se.Staff()
	}
	clear := named && strings.Contains(staff, dir) && strings.Contains(staff, "chạy lại")

	// Free the space (or allow writing) and look at what the fault left.
	if c.readOnly {
		remount(t, dir, "rw")
	}
	if filler != "" {
		os.Remove(filler)
	}
	recvBefore := -1
	ledgerOK := true
	if _, serr := os.Stat(filepath.Join(f.state, "ledger.sqlite")); serr == nil {
		got, lerr := ledgerSound(t, f.state)
		ledgerOK = lerr == nil
		recvBefore = len(got)
		if lerr != nil {
			t.Logf("ledger after the fault: %v", lerr)
		}
	}
	_, err2 := runOK(cfg)
	gotRecv, lerr := ledgerSound(t, f.state)
	differs := diff(comparable(tree(t, f.outbox), f.outbox), wantOut)
	same := err2 == nil && lerr == nil && strings.Join(gotRecv, "\n") == strings.Join(wantRecv, "\n") && len(differs) == 0

	how := map[bool]string{true: "read-only", false: "no space"}[c.readOnly]
	outcome := fmt.Sprintf("run stopped %s with a %s error naming %s/: %v; staff message names the folder and says what to do: %v; "+
		"ledger intact, every recorded file archived: %v (%s); next run completes with the outputs of an undisturbed run: %v",
		stage(err), how, c.folder, named, clear, ledgerOK, amount(recvBefore, len(wantRecv)), same)
	if !same {
		if len(differs) > 3 {
			differs = append(differs[:3], fmt.Sprintf("and %d more", len(differs)-3))
		}
		t.Logf("next run: %v; ledger %v; differing outputs %v", err2, lerr, differs)
	}
	t.Logf("error of the faulty run: %v", err)
	faults.Record(t, faultdoc.Case{
		Fault:    c.fault,
		Expected: "a clear error naming the folder (exit non-zero), ledger intact, nothing received lost; the next run after the fix completes with the same outputs as an undisturbed run",
		Outcome:  outcome,
		Pass:     named && clear && ledgerOK && same,
	})
}

// amount says how many of all in words that do not change between runs.
func amount(n, all int) string {
	switch {
	case n < 0:
		return "no ledger yet when it stopped"
	case n == 0:
		return "no file recorded before the stop"
	case n == all:
		return "every file recorded before the stop"
	}
	return "some files recorded before the stop"
}

// stage says where a run stopped, from its error.
func stage(err error) string {
	if err == nil {
		return "nowhere (it did not stop)"
	}
	msg := err.Error()
	for _, s := range []struct{ word, where string }{
		{"run lock", "taking the run lock"},
		{"plan.yaml", "writing the plan copy"},
		{"archive copy", "copying a file into the archive"},
		{"ledger", "at a ledger commit"},
		{"feedback", "writing the feedback files"},
		{"analysts' data", "writing outbox/data"},
		{"quarterly", "writing the quarterly report"},
		{"status page", "writing the status page"},
	} {
		if strings.Contains(msg, s.word) {
			return s.where
		}
	}
	return "elsewhere"
}
