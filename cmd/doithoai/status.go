package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/aggregate"
)

func cmdStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	planFile := fs.String("plan", "", "plan file (YAML); default: the plan the state folder was made with")
	state := fs.String("state", "state", "ledger and archive of received files")
	runsN := fs.Int("runs", 10, "how many recent runs to show")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	p, err := (&common{plan: *planFile, state: *state}).loadPlan()
	if err != nil {
		fmt.Fprintln(stderr, "doithoai:", err)
		return exitFailed
	}
	if _, err := os.Stat(filepath.Join(*state, "ledger.sqlite")); err != nil {
		fmt.Fprintf(stderr, "doithoai: chưa có dữ liệu trong %s — hãy chạy \"doithoai run\" trước.\n", *state)
		return exitFailed
	}
	led, err := ledger.Open(ctx, *state)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai:", err)
		return exitFailed
	}
	defer led.Close()
	// Everything comes from the ledger: each run records its verdict on
	// every file, so the status never reads (or decodes) a file.
	received, err := led.EntryCount(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai:", err)
		return exitFailed
	}
	outs, err := led.Outcomes(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai:", err)
		return exitFailed
	}
	printStatus(stdout, p, statusOutcomes(outs))
	if n := received - len(outs); n > 0 {
		fmt.Fprintf(stdout, "(%d tệp đã nhận nhưng chưa được xử lý xong — sẽ có trong bảng sau lần chạy tới.)\n", n)
	}
	runs, err := led.Runs(ctx, *runsN)
	if err == nil && len(runs) > 0 {
		fmt.Fprintln(stdout, "\nCác lần chạy gần nhất:")
		tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "Lần\tLoại\tBắt đầu\tGiờ của lần chạy\tKết quả\tThời gian\tTệp mới\tTổng tệp\tTừ chối\tVấn đề")
		for _, r := range runs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", r.ID, r.Kind, r.Started.In(p.Location()).Format("02/01/2006 15:04"),
				r.ClockNow.In(p.Location()).Format("02/01/2006 15:04"), outcomeVI(r.Outcome), r.Duration.Round(time.Millisecond),
				r.FilesNew, r.FilesTotal, r.Rejected, r.Findings)
		}
		tw.Flush()
	}
	return exitOK
}

// statusOutcomes are the ledger's outcomes as the pipeline's verdicts.
func statusOutcomes(outs []ledger.Outcome) []record.SubmissionOutcome {
	out := make([]record.SubmissionOutcome, 0, len(outs))
	for _, o := range outs {
		out = append(out, record.SubmissionOutcome{
			Submission: record.Submission{ID: o.SHA256, Path: o.Path, ReceivedAt: o.ReceivedAt, Seq: o.Seq},
			Format:     o.Format, Form: record.Form(o.Form), CommuneCode: o.Commune,
			Status: record.Status(o.Status), Reason: o.Reason, SupersededBy: o.SupersededBy,
		})
	}
	return out
}

func outcomeVI(o string) string {
	switch o {
	case "ok":
		return "hoàn thành"
	case "failed":
		return "lỗi"
	case "aborted":
		return "bị dừng"
	case "running":
		return "đang chạy"
	case "interrupted":
		return "bị ngắt (máy tắt hoặc tiến trình bị dừng)"
	}
	return o
}

// printStatus prints, per commune and form, what was received (the newest
// accepted file) or that nothing usable has arrived.
func printStatus(w io.Writer, p *plan.Plan, subs []record.SubmissionOutcome) {
	type key struct {
		commune string
		form    record.Form
	}
	latest := map[key]record.SubmissionOutcome{}
	rejected := map[string]int{}
	for _, o := range subs {
		if o.Status == record.StatusRejected {
			rejected[o.CommuneCode]++
			continue
		}
		if o.Status != record.StatusAccepted || o.SupersededBy != "" {
			continue
		}
		latest[key{o.CommuneCode, o.Form}] = o
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprint(tw, "Cụm\tXã\t")
	for _, f := range record.Forms {
		fmt.Fprintf(tw, "%s\t", f)
	}
	fmt.Fprintln(tw, "Tệp bị từ chối")
	for _, c := range p.Communes() {
		fmt.Fprintf(tw, "%d\t%s\t", c.Cluster, c.Name)
		expected := aggregate.FormsOf(p, c)
		for _, f := range record.Forms {
			if o, ok := latest[key{c.Code, f}]; ok {
				fmt.Fprintf(tw, "%s\t", o.ReceivedAt.In(p.Location()).Format("02/01"))
			} else if !slices.Contains(expected, f) {
				fmt.Fprint(tw, "—\t") // M5 comes only from the cluster's host commune
			} else {
				fmt.Fprint(tw, "chưa có\t")
			}
		}
		fmt.Fprintf(tw, "%d\n", rejected[c.Code])
	}
	fmt.Fprintf(tw, "\t(không rõ xã)\t\t\t\t\t\t\t%d\n", rejected[""])
	tw.Flush()
	fmt.Fprintln(w, "(Ngày = ngày nhận tệp hiện hành; — : không phải nộp, mẫu M5 chỉ do xã chủ trì cụm nộp.)")
}
