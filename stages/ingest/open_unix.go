//go:build unix

package ingest

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openInbox opens an inbox file for reading without ever blocking or
// following a link: O_NONBLOCK, so that a FIFO put in the file's place
// since the scan does not wait for a writer, and O_NOFOLLOW, so that a
// link put there is refused.
func openInbox(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
}

// isLinkErr reports the refusal of O_NOFOLLOW.
func isLinkErr(err error) bool { return errors.Is(err, syscall.ELOOP) }

// reparsePoint is for Windows; Unix file types say everything.
func reparsePoint(fs.DirEntry) bool { return false }

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) {
		return nil // a file system that cannot sync folders
	}
	return err
}
