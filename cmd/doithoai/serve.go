package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"doithoai/pipeline/schedule"
)

// cmdServe runs the schedule until SIGINT/SIGTERM (Ctrl+C, or the service
// manager's stop). A first signal lets a run in progress finish for up to
// --grace, then aborts it; a second one aborts it at once (outputs are
// atomic: nothing is left half-written); a third one exits at once. The
// exit status is 5 when a run had to be aborted, else 0.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	every := fs.Duration("every", schedule.DefaultEvery, "light pass interval (0 disables it)")
	nightly := fs.String("nightly", schedule.DefaultNightly, "cron expression of the nightly full run, in the plan's time zone")
	grace := fs.Duration("grace", 2*time.Minute, "on stop, how long a run in progress may take to finish")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if c.now != "" {
		fmt.Fprintln(stderr, "doithoai serve: --now chỉ dùng với lệnh run (serve luôn theo giờ thực).")
		return exitUsage
	}
	p, err := c.loadPlan()
	if err != nil {
		fmt.Fprintln(stderr, "doithoai:", err)
		return exitFailed
	}
	base, err := c.config(p, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai:", err)
		return exitUsage
	}
	// Our own signal handling: the first signal stops the schedule
	// gracefully, the second aborts the run in progress.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	sc, err := schedule.Start(ctx, schedule.Config{Base: base, Every: *every, Nightly: *nightly, GracePeriod: *grace})
	if err != nil {
		fmt.Fprintln(stderr, "doithoai serve:", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "doithoai đang chạy theo lịch: quét hộp thư mỗi %s, chạy đầy đủ theo lịch %q (giờ %s). Nhấn Ctrl+C để dừng.\n",
		*every, *nightly, p.Timezone)
	<-sigs
	fmt.Fprintf(stdout, "Đang dừng: chờ lần chạy hiện tại (nếu có) hoàn thành, tối đa %s… (nhấn Ctrl+C lần nữa để hủy ngay)\n", *grace)
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-sigs:
			fmt.Fprintln(stdout, "Đang hủy lần chạy hiện tại…")
			sc.Abort()
		case <-stopped:
			return
		}
		select {
		case <-sigs: // a third signal: the run does not stop, leave now
			fmt.Fprintln(stderr, "doithoai serve: thoát ngay theo yêu cầu; lần chạy sau sẽ làm lại phần việc dang dở.")
			os.Exit(exitAborted)
		case <-stopped:
		}
	}()
	if err := sc.Stop(); err != nil {
		fmt.Fprintln(stderr, "doithoai serve:", err)
		return exitFailed
	}
	if sc.Aborted() > 0 {
		fmt.Fprintln(stdout, "Đã dừng. Lần chạy đang dở đã bị hủy (ghi là \"bị dừng\" trong doithoai status); lần chạy sau sẽ làm lại phần việc còn dở.")
		return exitAborted
	}
	fmt.Fprintln(stdout, "Đã dừng.")
	return exitOK
}
