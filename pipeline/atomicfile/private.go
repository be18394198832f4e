package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// MakePrivate makes dir and everything under it owner-only: folders
// PrivateDir, files keep their owner bits and lose group's and others'
// (a read-only archive copy stays read-only). It tightens a folder made
// by an older version that was readable by everyone. Symbolic links are
// neither followed nor changed. A missing dir is no error. On Windows,
// where permissions are ACLs, it does nothing.
func MakePrivate(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile
			}
			return err
		}
		want := fi.Mode().Perm() &^ 0o077
		if d.IsDir() {
			want = PrivateDir
		} else if !fi.Mode().IsRegular() {
			return nil
		}
		if fi.Mode().Perm() == want {
			return nil
		}
		if err := os.Chmod(p, want); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("make %s owner-only: %w", dir, err)
	}
	return nil
}
