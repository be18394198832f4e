package runlock

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The helper process: when RUNLOCK_HELPER_DIR is set, the test binary takes
// the lock in that folder, says "locked <pid>" on stdout and holds the lock
// until its stdin is closed (then releases it) or it is killed.
const helperEnv = "RUNLOCK_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		os.Exit(helperMain(dir))
	}
	os.Exit(m.Run())
}

func helperMain(dir string) int {
	l, err := Acquire(dir)
	if err != nil {
		fmt.Println("error", err)
		return 3
	}
	fmt.Println("locked", os.Getpid())
	_, _ = io.Copy(io.Discard, os.Stdin) // hold until stdin closes
	if err := l.Release(); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		return 4
	}
	return 0
}

// helper is a running helper process holding the lock in a folder.
type helper struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	pid   int
}

// startHelper starts a helper process and waits until it holds the lock.
func startHelper(t *testing.T, dir string) *helper {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		if h.cmd.ProcessState == nil {
			_ = h.cmd.Process.Kill()
			_ = h.cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("helper said nothing: %v", err)
	}
	f := strings.Fields(line)
	if len(f) != 2 || f[0] != "locked" {
		t.Fatalf("helper could not lock: %q", line)
	}
	if h.pid, err = strconv.Atoi(f[1]); err != nil {
		t.Fatal(err)
	}
	return h
}

// release asks the helper to release the lock and exit normally.
func (h *helper) release(t *testing.T) {
	t.Helper()
	h.stdin.Close()
	if err := h.cmd.Wait(); err != nil {
		t.Fatalf("helper exit: %v", err)
	}
}

// kill kills the helper without giving it a chance to release the lock.
func (h *helper) kill(t *testing.T) {
	t.Helper()
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = h.cmd.Wait() // "signal: killed"
}

func mustAcquire(t *testing.T, dir string) *Lock {
	t.Helper()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire(%s): %v", dir, err)
	}
	t.Cleanup(func() { _ = l.Release() })
	return l
}

func TestSameProcess(t *testing.T) {
	dir := t.TempDir()
	l := mustAcquire(t, dir)

	_, err := Acquire(dir)
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("second Acquire: err = %v, want ErrBusy", err)
	}
	// The message tells who holds the lock.
	if want := "pid " + strconv.Itoa(os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("busy error %q does not name the holder (%s)", err, want)
	}

	if err := l.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	l2 := mustAcquire(t, dir)
	if err := l2.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestReleaseIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	l := mustAcquire(t, dir)
	for i := 0; i < 3; i++ {
		if err := l.Release(); err != nil {
			t.Fatalf("Release #%d: %v", i+1, err)
		}
	}
	var nilLock *Lock
	if err := nilLock.Release(); err != nil {
		t.Errorf("Release on nil: %v", err)
	}
}

func TestDifferentFoldersDoNotConflict(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	mustAcquire(t, a)
	mustAcquire(t, b)
}

func TestCreatesFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "nested")
	mustAcquire(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "run.lock")); err != nil {
		t.Errorf("lock file: %v", err)
	}
}

func TestFolderIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Acquire(file)
	if err == nil {
		t.Fatal("Acquire under a file succeeded")
	}
	if errors.Is(err, ErrBusy) {
		t.Errorf("a folder that cannot be made is not a busy lock: %v", err)
	}
}

func TestOtherProcess(t *testing.T) {
	tests := []struct {
		name string
		end  func(*helper, *testing.T)
	}{
		{"released", (*helper).release},
		// A killed run leaves its lock file behind; the OS drops the lock
		// with the process, so the file does not block the next run.
		{"killed", (*helper).kill},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			h := startHelper(t, dir)

			_, err := Acquire(dir)
			if !errors.Is(err, ErrBusy) {
				t.Fatalf("Acquire while another process holds the lock: err = %v, want ErrBusy", err)
			}
			if want := "pid " + strconv.Itoa(h.pid); !strings.Contains(err.Error(), want) {
				t.Errorf("busy error %q does not name the holder (%s)", err, want)
			}

			tt.end(h, t)
			if _, err := os.Stat(filepath.Join(dir, "run.lock")); err != nil {
				t.Fatalf("lock file after the holder ended: %v", err)
			}
			l := mustAcquire(t, dir)
			if err := l.Release(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOtherProcessIsBlockedByUs(t *testing.T) {
	dir := t.TempDir()
	l := mustAcquire(t, dir)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("helper: err = %v, output %q; want exit 3 (busy)", err, out)
	}
	if !strings.Contains(string(out), ErrBusy.Error()) {
		t.Errorf("helper output %q does not report a busy lock", out)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	// Now the helper gets it.
	h := startHelper(t, dir)
	h.release(t)
}

func TestStaleLockFileContent(t *testing.T) {
	// A lock file left by a run that died long ago, with its pid written in
	// it, does not block: only a held OS lock does.
	dir := t.TempDir()
	stale := "pid 999999 since 2022-04-20T09:00:00+07:00\n"
	if err := os.WriteFile(filepath.Join(dir, "run.lock"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	l := mustAcquire(t, dir)
	b, err := os.ReadFile(filepath.Join(dir, "run.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "pid " + strconv.Itoa(os.Getpid()) + " since "; !strings.HasPrefix(string(b), want) || strings.Contains(string(b), "999999") {
		t.Errorf("lock file holds %q, want only our %q…", b, want)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}
