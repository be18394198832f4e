//go:build windows

package ingest

import (
	"io/fs"
	"os"
	"syscall"
)

// openInbox opens an inbox file for reading. Links and special files were
// refused by the scan; the file opened is checked again after opening.
func openInbox(name string) (*os.File, error) { return os.Open(name) }

// isLinkErr is for O_NOFOLLOW, which this platform does not have.
func isLinkErr(error) bool { return false }

// fileAttributeReparsePoint is FILE_ATTRIBUTE_REPARSE_POINT.
const fileAttributeReparsePoint = 0x400

// reparsePoint reports a Windows reparse point (junction, mount point,
// symbolic link, cloud placeholder) that the file mode did not already
// show: never followed nor opened.
func reparsePoint(d fs.DirEntry) bool {
	fi, err := d.Info()
	if err != nil {
		return false
	}
	if a, ok := fi.Sys().(*syscall.Win32FileAttributeData); ok {
		return a.FileAttributes&fileAttributeReparsePoint != 0
	}
	return false
}

// syncDir does nothing: folders cannot be synced here.
func syncDir(string) error { return nil }
