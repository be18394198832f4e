package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"doithoai/pipeline"
	"doithoai/pipeline/runlock"
	"doithoai/pipeline/storeerr"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	rebuild := fs.Bool("rebuild", false, "read and write every output again even when nothing changed since the last run")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	p, err := c.loadPlan()
	if err != nil {
		fmt.Fprintln(stderr, "doithoai:", err)
		return exitFailed
	}
	cfg, err := c.config(p, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai:", err)
		return exitUsage
	}
	cfg.Rebuild = *rebuild
	if f, ok := stderr.(*os.File); ok && !c.quiet && isTerminal(f) {
		cfg.Progress = progress(f)
	}
	sum, err := pipeline.Run(ctx, cfg)
	return report(sum, err, cfg, stdout, stderr)
}

// report prints a run's summary for staff and maps errors to exit codes.
func report(sum *pipeline.Summary, err error, cfg pipeline.Config, stdout, stderr io.Writer) int {
	if errors.Is(err, runlock.ErrBusy) {
		fmt.Fprintf(stderr, "doithoai: đang có một lần chạy khác sử dụng thư mục %s; hãy chờ lần đó xong rồi chạy lại. (%v)\n", cfg.State, err)
		return exitBusy
	}
	if errors.Is(err, pipeline.ErrPlanMismatch) {
		fmt.Fprintf(stderr, "doithoai: kế hoạch đưa vào (--plan) là của huyện hoặc năm khác với kế hoạch đã dùng cho thư mục %s. "+
			"Bỏ --plan để dùng kế hoạch đã lưu, hoặc dùng một thư mục --state (và --outbox) mới cho mùa đối thoại mới. (%v)\n", cfg.State, err)
		return exitFailed
	}
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		fmt.Fprintf(stderr, "doithoai: lần chạy đã dừng theo yêu cầu trước khi xong (ghi là \"bị dừng\" trong doithoai status). "+
			"Mọi tệp trong %s đều nguyên vẹn (không có tệp ghi dở); lần chạy sau sẽ làm lại phần việc còn dở.\n", cfg.Outbox)
		return exitAborted
	}
	var se *storeerr.Error
	if errors.As(err, &se) {
		fmt.Fprintln(stderr, "doithoai: "+se.Staff())
		return exitFailed
	}
	if err != nil {
		fmt.Fprintf(stderr, "doithoai: lần chạy không hoàn thành: %v\n", err)
		return exitFailed
	}
	if len(sum.Skipped) > 0 {
		fmt.Fprintf(stdout, "Có %d mục trong hộp thư không được xử lý (liên kết, tệp đặc biệt hoặc không đọc được); xem trang index.html trong %s.\n", len(sum.Skipped), cfg.Outbox)
	}
	fmt.Fprintf(stdout, "Đã xử lý %d tệp (mới: %d; chấp nhận: %d; bị từ chối: %d; trùng nội dung: %d; đang chờ sao chép xong: %d).\n",
		sum.Submissions, len(sum.New), sum.Accepted, sum.Rejected, sum.Duplicates, len(sum.Pending))
	fmt.Fprintf(stdout, "Số vấn đề ghi nhận: %d. Kết quả trong thư mục: %s\n", sum.Findings, cfg.Outbox)
	feedback := 0
	for _, o := range sum.Outputs {
		if strings.HasPrefix(o, "phan-hoi/") {
			feedback++ // one line for all of them: there is one per file received
			continue
		}
		fmt.Fprintln(stdout, "  ", o)
	}
	if feedback > 0 {
		fmt.Fprintf(stdout, "   phan-hoi/… (%d tệp phản hồi mới hoặc cập nhật cho các xã)\n", feedback)
	}
	if sum.UpToDate {
		fmt.Fprintln(stdout, "Không có gì thay đổi từ lần chạy trước: các tệp kết quả vẫn đúng, giữ nguyên (--rebuild để ghi lại toàn bộ).")
	}
	return exitOK
}

// progress draws a one-line progress display on a terminal (never in logs).
func progress(f *os.File) func(stage string, done, total int) {
	return func(stage string, done, total int) {
		fmt.Fprintf(f, "\r  đang đọc tệp %d/%d", done, total)
		if done == total {
			fmt.Fprint(f, "\r\033[K")
		}
	}
}
