package uptodate

import (
	"io/fs"
	"syscall"
)

// changeNS is the inode change time of fi (Unix nanoseconds), which
// nothing but the system sets; 0 when it is not known.
func changeNS(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Nano()
	}
	return 0
}
