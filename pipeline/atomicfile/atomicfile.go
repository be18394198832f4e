// Package atomicfile writes outputs so that a reader never sees a half-written
// file: everything is written to a temporary name in the same folder, synced,
// and renamed over the final name.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Write creates path atomically with the bytes produced by fill.
func Write(path string, fill func(w io.Writer) error) error {
	return WriteMode(path, Mode, fill)
}

// WriteMode is Write with the final file's permission: Private for what
// holds personal data or the office's records.
func WriteMode(path string, mode os.FileMode, fill func(w io.Writer) error) error {
	// The caller never sees the temporary name, so it does not keep the
	// extension: a reader globbing the folder (DuckDB's "data/*.parquet")
	// must not pick up a file still being written.
	return writeWith(path, mode, "", func(tmp string) error {
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
		if err != nil {
			return err
		}
		if err := fill(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
}

// WriteBytes creates path atomically with b.
func WriteBytes(path string, b []byte) error { return WriteBytesMode(path, Mode, b) }

// WriteBytesMode creates path atomically with b and permission mode.
func WriteBytesMode(path string, mode os.FileMode, b []byte) error {
	return WriteMode(path, mode, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// Mode is the permission of the files written here by default: readable
// by the office staff who open the outbox, whatever the temporary file had.
const Mode os.FileMode = 0o644

// Private is the permission of files only the account running doithoai may
// read (the state folder, outbox/data with its unmasked personal data), and
// PrivateDir that of their folders. Windows ignores all but the read-only
// bit.
const (
	Private    os.FileMode = 0o600
	PrivateDir os.FileMode = 0o700
)

// WriteWith lets a library that insists on a file name (e.g. excelize's
// SaveAs) write to a temporary name, then renames it over path. The
// temporary name keeps the extension, since some writers check it. The
// final file has permission Mode.
func WriteWith(path string, write func(tmp string) error) error {
	return WriteWithMode(path, Mode, write)
}

// WriteWithMode is WriteWith with the final file's permission. A folder it
// has to create is owner-only when mode gives nothing to group and others.
func WriteWithMode(path string, mode os.FileMode, write func(tmp string) error) error {
	return writeWith(path, mode, filepath.Ext(path), write)
}

// writeWith writes through a temporary file in path's folder whose name
// ends in ext, then renames it over path.
func writeWith(path string, mode os.FileMode, ext string, write func(tmp string) error) error {
	dir := filepath.Dir(path)
	dirMode := os.FileMode(0o755)
	if mode&0o077 == 0 {
		dirMode = PrivateDir
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".tmp-*"+ext)
	if err != nil {
		return fmt.Errorf("temp file for %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// os.CreateTemp makes the file private (0600); outputs are for people.
	if err := os.Chmod(tmp, mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return nil
}

// IsTemp reports whether a file name is one of this package's temporaries
// (left behind only if the process was killed mid-write).
func IsTemp(name string) bool { return strings.HasPrefix(filepath.Base(name), ".tmp-") }

// CleanTemps removes temporaries left in dir (recursively) by a killed run.
func CleanTemps(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() && IsTemp(d.Name()) {
			return os.Remove(p)
		}
		return nil
	})
}
