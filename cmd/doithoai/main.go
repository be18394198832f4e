// Command doithoai is the district labour office's pipeline for the
// poverty-reduction policy dialogues: it reads what the communes drop into
// the inbox, validates it, tells each commune what to fix, and writes the
// reports, attendance lists and agencies' question lists into the outbox.
//
//	doithoai run    [--plan FILE] [--inbox DIR] [--outbox DIR] [--state DIR] [--now TIME]
//	doithoai serve  [same flags] [--every 10m] [--nightly "0 2 * * *"]
//	doithoai check  [--plan FILE] [--json] FILE
//	doithoai status [--plan FILE] [--inbox DIR] [--state DIR]
//	doithoai templates [--plan FILE] [--commune CODE] [--out DIR]
//	doithoai demo   [DIR]
//	doithoai bench  [--records N]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exit codes
const (
	exitOK       = 0
	exitFailed   = 1 // the run could not complete
	exitUsage    = 2
	exitRejected = 3 // `check`: the file would be rejected
	exitBusy     = 4 // another run holds the lock
)

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "check":
		return cmdCheck(ctx, rest, stdout, stderr)
	case "status":
		return cmdStatus(ctx, rest, stdout, stderr)
	case "templates":
		return cmdTemplates(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "bench":
		return cmdBench(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "doithoai: lệnh không hợp lệ %q\n\n", cmd)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `doithoai — tổng hợp hồ sơ đối thoại chính sách giảm nghèo

Cách dùng:
  doithoai run    [--plan TỆP] [--inbox THƯ_MỤC] [--outbox THƯ_MỤC] [--state THƯ_MỤC] [--now THỜI_ĐIỂM]
                  Xử lý một lần mọi tệp mới trong inbox và ghi lại outbox.
  doithoai serve  [như trên] [--every 10m] [--nightly "0 2 * * *"]
                  Chạy theo lịch cho đến khi dừng (Ctrl+C).
  doithoai check  [--plan TỆP] [--json] TỆP
                  Kiểm tra một tệp và in các lỗi tìm thấy.
  doithoai status [--plan TỆP] [--inbox THƯ_MỤC] [--state THƯ_MỤC]
                  Bảng các tệp đã nhận của từng xã và các lần chạy gần nhất.
  doithoai templates [--plan TỆP] [--commune MÃ_XÃ] [--out THƯ_MỤC]
                  Ghi biểu mẫu trống M1–M5 cho từng xã theo kế hoạch
                  (mặc định vào outbox/templates/<mã-tên xã>/).
  doithoai demo   [THƯ_MỤC]
                  Tạo hộp thư mẫu của 10 xã và chạy thử toàn bộ quy trình.
  doithoai bench  [--records N]
                  Đo tốc độ và bộ nhớ (so với mức chuẩn chạy cùng lúc).

THỜI_ĐIỂM theo RFC 3339, ví dụ 2022-04-20T09:00:00+07:00.
`)
}

// exitFor maps a run error to an exit status and prints it for staff.
func exitFor(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var busy interface{ Busy() bool }
	if errors.As(err, &busy) && busy.Busy() {
		return exitBusy
	}
	return exitFailed
}
