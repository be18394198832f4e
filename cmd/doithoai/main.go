// Command doithoai is the district labour office's pipeline for the
// poverty-reduction policy dialogues: it reads what the communes drop into
// the inbox, validates it, tells each commune what to fix, and writes the
// reports, attendance lists and agencies' question lists into the outbox.
//
//	doithoai run    [--plan FILE] [--inbox DIR] [--outbox DIR] [--state DIR] [--now TIME]
//	doithoai serve  [same flags] [--every 10m] [--nightly "0 2 * * *"] [--grace 2m]
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
	exitAborted  = 5 // stopped by a signal: the run was aborted (ledger: "aborted"); the next run redoes it
)

func main() {
	stopProfiles := startProfiles()
	code := runMain(os.Args[1:], os.Stdout, os.Stderr)
	stopProfiles()
	os.Exit(code)
}

func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	if cmd == "serve" {
		// serve handles its signals itself: a first one lets a run in
		// progress finish (up to --grace), a second one aborts it.
		return cmdServe(context.Background(), rest, stdout, stderr)
	}
	ctx, stop := signalContext(stderr)
	defer stop()
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
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
                  [--file-timeout 60s] (thời gian tối đa để đọc một tệp)
                  [--max-rows 200000] (số dòng tối đa của một trang; tăng lên
                  thì các giới hạn ô và dung lượng tăng theo, ví dụ 1048576
                  cho danh sách cả tỉnh trong một tệp, kèm --file-timeout 10m)
                  [--memory-limit 420MiB] (mức bộ nhớ chương trình cố giữ dưới;
                  0 là không giới hạn)
                  [--held-rows 250000] (số dòng danh sách hộ M1 giữ trong bộ
                  nhớ; nhiều hơn thì đọc lại từ state/extracts khi cần)
                  [--rebuild] (ghi lại toàn bộ outbox dù không có gì mới; bình
                  thường khi không có gì thay đổi thì giữ nguyên các tệp kết quả)
                  Ctrl+C: dừng lần chạy (mã thoát 5); nhấn lần nữa để thoát ngay.
  doithoai serve  [như trên] [--every 10m] [--nightly "0 2 * * *"] [--grace 2m]
                  Chạy theo lịch cho đến khi dừng (Ctrl+C: chờ lần chạy đang dở
                  tối đa --grace rồi hủy nó; nhấn lần nữa để hủy ngay).
  doithoai check  [--plan TỆP] [--max-rows N] [--json] TỆP
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

// signalContext returns a context that the first SIGINT/SIGTERM (Ctrl+C,
// a service manager's stop; on Windows also closing the console, logging
// off and shutting down) cancels: the run stops within a few seconds,
// records itself as aborted and leaves only whole outputs. A second signal
// ends the process at once (exit status 5); the ledger then shows the run
// as interrupted, and the next run redoes its work.
func signalContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "doithoai: đang dừng lần chạy… (nhấn Ctrl+C lần nữa để thoát ngay)")
			cancel()
		case <-done:
			return
		}
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "doithoai: thoát ngay theo yêu cầu; lần chạy sau sẽ làm lại phần việc dang dở.")
			os.Exit(exitAborted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
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
