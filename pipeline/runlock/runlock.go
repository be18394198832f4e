// Package runlock makes sure only one run touches a state directory at a
// time, in one process or across processes. It uses an operating-system
// lock on a file (flock on Unix, LockFileEx on Windows), so a run that is
// killed releases the lock with its process and never leaves a stale one.
package runlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrBusy is returned when another run holds the lock.
var ErrBusy = errors.New("another run is in progress")

// Lock is a held run lock.
type Lock struct {
	f    *os.File
	path string
}

// Acquire takes the lock in dir without waiting. It returns an error
// wrapping ErrBusy (with the holder's pid and start time when known) when
// another run holds it.
func Acquire(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("run lock: %w", err)
	}
	path := filepath.Join(dir, "run.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("run lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if !isBusy(err) {
			// Not another run: this file system cannot lock (some network
			// shares). Saying "busy" would make every run skip forever.
			return nil, fmt.Errorf("run lock %s: cannot lock: %w", path, err)
		}
		holder, _ := os.ReadFile(path)
		return nil, fmt.Errorf("%w (%s)", ErrBusy, strings.TrimSpace(string(holder)))
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte("pid "+strconv.Itoa(os.Getpid())+" since "+time.Now().Format(time.RFC3339)+"\n"), 0)
	return &Lock{f: f, path: path}, nil
}

// Release frees the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
