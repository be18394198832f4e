package uptodate

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"doithoai/pipeline/atomicfile"
)

// Unchanged reports, without reading any folder but the outbox itself,
// whether the outbox still holds exactly the files of m (those Diff
// would compare): every folder recorded still has its stamp, so holds
// the same names (an entry added, removed or renamed moves its folder's
// change time, which only the system sets); every file recorded still
// has its size, modification time and mode; and the outbox itself holds
// the same names. False means "not known": the caller lists the outbox
// (List) and compares (Diff). Where the system gives folders no change
// time (see changeNS), it is false for any outbox with folders.
//
// A stamp is as fine as the file system's clock: an entry changed in the
// same tick as the folder's last change, after the listing that recorded
// it, goes unseen, as a file rewritten with the same size in the same
// tick does.
func (m *Manifest) Unchanged(outbox string) bool {
	top, err := os.ReadDir(outbox)
	if err != nil {
		return false
	}
	names := map[string]bool{}
	for _, d := range top {
		if d.IsDir() || !atomicfile.IsTemp(d.Name()) {
			names[d.Name()] = d.IsDir()
		}
	}
	recorded := 0
	for _, d := range m.Dirs {
		if strings.Contains(d.Path, "/") {
			continue
		}
		if isDir, ok := names[d.Path]; !ok || !isDir || d.ChangeNS == 0 {
			return false
		}
		recorded++
	}
	for _, f := range m.Files {
		if strings.Contains(f.Path, "/") {
			continue
		}
		if isDir, ok := names[f.Path]; !ok || isDir {
			return false
		}
		recorded++
	}
	if recorded != len(names) {
		return false
	}
	// Every folder and file is looked at once, the list cut in one part
	// per core; the first difference stops all.
	n := len(m.Dirs) + len(m.Files)
	workers := min(runtime.GOMAXPROCS(0), max(1, n/1024))
	var changed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * n / workers; i < (w+1)*n/workers && !changed.Load(); i++ {
				if !m.same(outbox, i) {
					changed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return !changed.Load()
}

// same reports whether the i-th of m's folders, then files, is as
// recorded.
func (m *Manifest) same(outbox string, i int) bool {
	if i < len(m.Dirs) {
		d := m.Dirs[i]
		fi, err := os.Lstat(filepath.Join(outbox, filepath.FromSlash(d.Path)))
		return err == nil && fi.IsDir() && d.ChangeNS != 0 && dirOf(d.Path, fi) == d
	}
	f := m.Files[i-len(m.Dirs)]
	fi, err := os.Lstat(filepath.Join(outbox, filepath.FromSlash(f.Path)))
	return err == nil && !fi.IsDir() && Stat(f.Path, fi) == f
}
