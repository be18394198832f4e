package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"doithoai/pipeline/clock"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/stages/read/grid"
	"doithoai/stages/report/statuspage"
)

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	planFile := fs.String("plan", "", "plan file (YAML); default: the embedded 2022 plan")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	commune := fs.String("commune", "", "the commune folder the file would be dropped in (code or name); default: the file's own folder")
	maxRows := fs.Int("max-rows", grid.DefaultLimits.MaxRows, "rows a sheet may have, as for run (the cell and byte limits follow)")
	nowFlag := fs.String("now", "", "judge deadlines as if the file were received at this time (RFC 3339); default: now")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "doithoai check: cần đúng một tệp, ví dụ: doithoai check \"inbox/29956/M1.xlsx\"")
		return exitUsage
	}
	file := fs.Arg(0)
	if *maxRows <= 0 || *maxRows > grid.MaxSheetRows {
		fmt.Fprintf(stderr, "doithoai check: --max-rows phải từ 1 đến %d (số dòng tối đa của một trang Excel)\n", grid.MaxSheetRows)
		return exitUsage
	}
	p, err := plan.Load(*planFile)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai: không đọc được kế hoạch:", err)
		return exitFailed
	}
	received := time.Now()
	if *nowFlag != "" {
		if received, err = clock.Parse(*nowFlag, p.Location()); err != nil {
			fmt.Fprintf(stderr, "doithoai check: --now %q không đúng dạng RFC 3339 (ví dụ 2022-04-20T09:00:00+07:00)\n", *nowFlag)
			return exitUsage
		}
	}
	sub, err := checkSubmission(file, *commune, received)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai check:", err)
		return exitFailed
	}
	// The pipeline's own chain, through validation: no ledger, no
	// extracts, nothing written anywhere.
	ds, _, err := process.Process(ctx, process.Config{Plan: p, Limits: grid.DefaultLimits.ForRows(*maxRows), Workers: 1, Until: process.StageValidate,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}, nil, []record.Submission{sub}, received)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai check:", err)
		return exitFailed
	}
	var out record.SubmissionOutcome
	if len(ds.Submissions) > 0 {
		out = ds.Submissions[0]
	}
	if *asJSON {
		type jsonOut struct {
			File     string           `json:"file"`
			Status   record.Status    `json:"status"`
			Reason   string           `json:"reason,omitempty"`
			Form     record.Form      `json:"form,omitempty"`
			Commune  string           `json:"commune_code,omitempty"`
			Findings []record.Finding `json:"findings"`
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(jsonOut{File: file, Status: out.Status, Reason: out.Reason, Form: out.Form, Commune: out.CommuneCode, Findings: nonNil(ds.Findings)})
	} else {
		printCheck(stdout, p, file, out, ds.Findings)
	}
	if out.Status == record.StatusRejected {
		return exitRejected
	}
	return exitOK
}

func nonNil(f []record.Finding) []record.Finding {
	if f == nil {
		return []record.Finding{}
	}
	return f
}

// checkSubmission describes a file outside the inbox as a submission: the
// file is read in place (never changed), its folder is the commune hint.
func checkSubmission(file, commune string, received time.Time) (record.Submission, error) {
	f, err := os.Open(file)
	if err != nil {
		return record.Submission{}, fmt.Errorf("không mở được tệp %s: %w", file, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return record.Submission{}, fmt.Errorf("không đọc được tệp %s: %w", file, err)
	}
	hint := commune
	if hint == "" {
		if abs, err := filepath.Abs(file); err == nil {
			hint = filepath.Base(filepath.Dir(abs))
		}
	}
	rel := filepath.Base(file)
	if hint != "" {
		rel = hint + "/" + rel
	}
	return record.Submission{
		ID: hex.EncodeToString(h.Sum(nil)), Path: rel, Size: n, ReceivedAt: received,
		ArchivePath: file, FolderHint: hint, Seq: 1,
	}, nil
}

func printCheck(w io.Writer, p *plan.Plan, file string, out record.SubmissionOutcome, fs []record.Finding) {
	fmt.Fprintf(w, "Tệp: %s\n", file)
	switch out.Status {
	case record.StatusRejected:
		fmt.Fprintf(w, "Kết quả: BỊ TỪ CHỐI — %s (%s)\n", statuspage.ReasonText(out.Reason), out.Reason)
	default:
		fmt.Fprintln(w, "Kết quả: được chấp nhận")
	}
	if out.Form != "" {
		fmt.Fprintf(w, "Biểu mẫu: %s\n", out.Form)
	}
	if c := p.Commune(out.CommuneCode); c != nil {
		fmt.Fprintf(w, "Xã: %s (%s)\n", c.FullName(), c.Code)
	}
	errs, warns := 0, 0
	for _, f := range fs {
		if f.Severity == record.Error {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(w, "Lỗi: %d, cảnh báo: %d\n", errs, warns)
	for _, f := range fs {
		label := "Cảnh báo"
		if f.Severity == record.Error {
			label = "Lỗi"
		}
		// The message itself names file, sheet, row and column; the cell
		// reference in front helps the eye down a long list.
		where := ""
		if f.Ref != "" {
			where = f.Ref + ": "
		}
		fmt.Fprintf(w, "  - %s [%s] %s%s\n", label, f.Code, where, f.Message)
	}
}
