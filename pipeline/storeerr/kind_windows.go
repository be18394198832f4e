//go:build windows

package storeerr

import (
	"errors"
	"syscall"
)

// Windows error codes of a full disk and a write-protected medium.
const (
	errorWriteProtect   = syscall.Errno(19)
	errorHandleDiskFull = syscall.Errno(39)
	errorDiskFull       = syscall.Errno(112)
)

func platformKind(err error) (Kind, bool) {
	switch {
	case errors.Is(err, errorDiskFull), errors.Is(err, errorHandleDiskFull):
		return NoSpace, true
	case errors.Is(err, errorWriteProtect):
		return ReadOnly, true
	}
	return 0, false
}
