package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"doithoai/pipeline"
	"doithoai/pipeline/storeerr"
)

// A run stopped by a full or read-only folder exits non-zero with a
// message for staff, in Vietnamese, naming the folder and what to do.
func TestStorageFailureMessage(t *testing.T) {
	state, outbox := filepath.Join("D:", "doithoai", "state"), filepath.Join("D:", "doithoai", "outbox")
	cfg := pipeline.Config{State: state, Outbox: outbox}
	tests := []struct {
		err  error
		want []string
	}{
		{&fs.PathError{Op: "write", Path: filepath.Join(state, "archive", "x"), Err: syscall.ENOSPC}, []string{"ổ đĩa chứa thư mục " + state + " đã đầy", "giải phóng dung lượng"}},
		{&fs.PathError{Op: "open", Path: filepath.Join(outbox, "index.html"), Err: syscall.EROFS}, []string{"thư mục " + outbox + " đang ở chế độ chỉ đọc", "cho phép ghi"}},
		{&fs.PathError{Op: "open", Path: filepath.Join(state, "run.lock"), Err: syscall.EACCES}, []string{"không có quyền ghi vào thư mục " + state, "cấp quyền ghi"}},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		err := fmt.Errorf("ingest: %w", tt.err)
		code := report(nil, storeerr.Wrap(err, state, outbox), cfg, &out, &errb)
		msg := errb.String()
		if code != exitFailed {
			t.Errorf("%v: exit %d, want %d", tt.err, code, exitFailed)
		}
		for _, w := range append(tt.want, "Các tệp đã nhận trước đó vẫn an toàn", "chạy lại «doithoai run»") {
			if !strings.Contains(msg, w) {
				t.Errorf("%v: message lacks %q:\n%s", tt.err, w, msg)
			}
		}
	}
}
