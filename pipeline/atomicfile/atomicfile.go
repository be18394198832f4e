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
	// The file os.CreateTemp opened is written, not opened again.
	f, tmp, err := createTemp(path, mode, "")
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // no-op after a successful rename
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return finish(tmp, path, mode)
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

// WriteFileWith writes path atomically through write, given the open
// temporary file (in path's folder, its name keeping path's extension):
// WriteWithMode for a writer that takes an *os.File, without closing the
// temporary file and opening it again. It is not synced (as WriteWith).
// write must not close the file.
func WriteFileWith(path string, mode os.FileMode, write func(f *os.File) error) error {
	f, tmp, err := createTemp(path, mode, filepath.Ext(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // no-op after a successful rename
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return finish(tmp, path, mode)
}

// createTemp creates path's folder when missing and an empty temporary
// file in it whose name ends in ext.
func createTemp(path string, mode os.FileMode, ext string) (*os.File, string, error) {
	dir := filepath.Dir(path)
	dirMode := os.FileMode(0o755)
	if mode&0o077 == 0 {
		dirMode = PrivateDir
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, "", fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".tmp-*"+ext)
	if err != nil {
		return nil, "", fmt.Errorf("temp file for %s: %w", path, err)
	}
	return f, f.Name(), nil
}

// finish gives the written temporary file its permission and renames it
// over path.
func finish(tmp, path string, mode os.FileMode) error {
	// os.CreateTemp makes the file private (0600); outputs are for people.
	if err := os.Chmod(tmp, mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return nil
}

// writeWith writes through a temporary file in path's folder whose name
// ends in ext, then renames it over path.
func writeWith(path string, mode os.FileMode, ext string, write func(tmp string) error) error {
	f, tmp, err := createTemp(path, mode, ext)
	if err != nil {
		return err
	}
	f.Close()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return finish(tmp, path, mode)
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
