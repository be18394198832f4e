// Package storeerr recognises the failures that stop a run because a folder
// doithoai keeps cannot be written: a full disk, a read-only file system,
// missing write permission. It names the folder (state or outbox) so that
// the command can tell staff what to do, in their words.
package storeerr

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Kind of storage failure.
type Kind int

// Kinds of storage failure.
const (
	NoSpace  Kind = iota + 1 // the disk (or quota) is full
	ReadOnly                 // the file system is mounted or locked read-only
	Denied                   // the account running doithoai may not write there
)

func (k Kind) String() string {
	switch k {
	case NoSpace:
		return "no space left"
	case ReadOnly:
		return "read-only"
	case Denied:
		return "permission denied"
	}
	return "storage failure"
}

// Error is a run stopped because Dir could not be written.
type Error struct {
	Dir  string // the folder concerned, as configured (state or outbox)
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s: %v", e.Dir, e.Kind, e.Err) }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// sqliteCoder is the error of the SQLite driver (modernc.org/sqlite),
// matched by behaviour so this package does not import the driver.
type sqliteCoder interface{ Code() int }

// SQLite primary result codes.
const (
	sqliteReadOnly = 8
	sqliteFull     = 13
)

// KindOf classifies err; ok is false when it is no storage failure.
func KindOf(err error) (Kind, bool) {
	if err == nil {
		return 0, false
	}
	if k, ok := platformKind(err); ok {
		return k, true
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EFBIG):
		return NoSpace, true
	case errors.Is(err, syscall.EROFS):
		return ReadOnly, true
	}
	var sc sqliteCoder
	if errors.As(err, &sc) {
		switch sc.Code() & 0xff {
		case sqliteFull:
			return NoSpace, true
		case sqliteReadOnly:
			return ReadOnly, true
		}
	}
	// The driver sometimes reports only in words.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "database or disk is full"):
		return NoSpace, true
	case strings.Contains(msg, "attempt to write a readonly database"):
		return ReadOnly, true
	}
	if errors.Is(err, fs.ErrPermission) {
		return Denied, true
	}
	return 0, false
}

// pathOf is the file an error is about, when it says.
func pathOf(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.New
	}
	return ""
}

// under reports whether path is dir or inside it.
func under(path, dir string) bool {
	if dir == "" || path == "" {
		return false
	}
	a, err1 := filepath.Abs(path)
	b, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(b, a)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Wrap turns err into an *Error when it is a storage failure in one of
// dirs: the folder whose tree holds the failing path, or, when the error
// names no path (the ledger's SQLite errors), the first of dirs, the state
// folder. A permission error is only claimed when its path is in one of
// dirs (an unreadable inbox file is not a storage failure). err is
// returned unchanged otherwise, and so is an err already wrapped.
func Wrap(err error, dirs ...string) error {
	if err == nil || len(dirs) == 0 {
		return err
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	k, ok := KindOf(err)
	if !ok {
		return err
	}
	p := pathOf(err)
	for _, d := range dirs {
		if under(p, d) {
			return &Error{Dir: d, Kind: k, Err: err}
		}
	}
	if k == Denied || p != "" {
		return err
	}
	return &Error{Dir: dirs[0], Kind: k, Err: err}
}

// Staff tells staff, in Vietnamese, that a folder could not be written,
// which one, and what to do. Files already received are safe: a file whose
// copy failed was not recorded and is received by the next run.
func (se *Error) Staff() string {
	var what, todo string
	switch se.Kind {
	case NoSpace:
		what = "ổ đĩa chứa thư mục " + se.Dir + " đã đầy"
		todo = "Hãy giải phóng dung lượng trên ổ đĩa đó (xóa bớt tệp không cần, dọn thùng rác) hoặc chuyển thư mục sang ổ khác, rồi chạy lại «doithoai run»."
	case ReadOnly:
		what = "thư mục " + se.Dir + " đang ở chế độ chỉ đọc (ổ đĩa bị khóa ghi hoặc được gắn chỉ đọc)"
		todo = "Hãy cho phép ghi vào ổ đĩa hoặc thư mục đó (hoặc nhờ cán bộ tin học), rồi chạy lại «doithoai run»."
	default:
		what = "tài khoản chạy chương trình không có quyền ghi vào thư mục " + se.Dir
		todo = "Hãy cấp quyền ghi thư mục đó cho tài khoản chạy doithoai, rồi chạy lại «doithoai run»."
	}
	return "lần chạy đã dừng vì " + what + ". " +
		"Các tệp đã nhận trước đó vẫn an toàn; tệp chưa lưu được sẽ được nhận ở lần chạy sau. " + todo +
		" (chi tiết kỹ thuật: " + se.Error() + ")"
}
