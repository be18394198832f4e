//go:build !windows

package runlock

import (
	"fmt"
	"syscall"
	"testing"
)

func TestIsBusy(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{syscall.EWOULDBLOCK, true},
		{syscall.EAGAIN, true},
		{fmt.Errorf("flock: %w", syscall.EWOULDBLOCK), true},
		{syscall.ENOLCK, false},     // NFS without a lock daemon
		{syscall.EOPNOTSUPP, false}, // file system without flock
		{syscall.EBADF, false},
		{syscall.EINTR, false},
	}
	for _, tt := range tests {
		if got := isBusy(tt.err); got != tt.want {
			t.Errorf("isBusy(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
