package measure

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Targets of issue 12 that the report compares today's figures with.
const (
	TargetSpeedup    = 5.0              // full rebuild at least 5× faster than the baseline
	TargetRowsPerSec = 100_000          // end to end
	TargetIdle       = time.Second      // a run with nothing new
	TargetIdleSubs   = 10_000           // … with this many archived submissions
	TargetPeakRSS    = int64(500 << 20) // at any size
)

// Check reports whether the figures are consistent: the baseline's data
// rows, the generator's and the full run's read rows agree, and the steps
// ended by themselves.
func (r *Report) Check() error {
	var errs []string
	for _, s := range r.Steps {
		if !s.OK() {
			errs = append(errs, fmt.Sprintf("%s: exit %d %s", s.Name, s.Exit, s.Killed))
		}
	}
	if r.Scan.DataRows != r.Manifest.DataRows {
		errs = append(errs, fmt.Sprintf("the baseline counted %d data rows, the generator wrote %d", r.Scan.DataRows, r.Manifest.DataRows))
	}
	if len(r.Steps) > 1 && r.Steps[1].OK() && r.ReadRows != r.Manifest.DataRows {
		errs = append(errs, fmt.Sprintf("the full run read %d data rows, the generator wrote %d", r.ReadRows, r.Manifest.DataRows))
	}
	if r.Scan.Files != len(r.Manifest.Files) {
		errs = append(errs, fmt.Sprintf("the baseline read %d files, the generator wrote %d", r.Scan.Files, len(r.Manifest.Files)))
	}
	if len(errs) > 0 {
		return fmt.Errorf("measure: %s", strings.Join(errs, "; "))
	}
	return nil
}

// step returns the step with a name prefix, or nil.
func (r *Report) step(prefix string) *Step {
	for i := range r.Steps {
		if strings.HasPrefix(r.Steps[i].Name, prefix) {
			return &r.Steps[i]
		}
	}
	return nil
}

// Markdown renders the report.
func (r *Report) Markdown() string {
	var b strings.Builder
	m := r.Manifest
	mc := r.Machine
	fmt.Fprintf(&b, "Machine: %d CPUs (%s), %s memory, %s, %s; load average at the start %s.\n\n", mc.CPUs, mc.Model, mc.Memory, mc.Go, mc.OS, mc.Load)
	fmt.Fprintf(&b, "Workspace: %d communes (%d clusters) × %d households: %d files, %s data rows (M1 %s, M2 %s, M3 %s, M4 %s), %.1f MiB; "+
		"generated in %v with %d workers (%s rows/s).\n\n",
		m.Communes, m.Clusters, m.Households, len(m.Files), num(m.DataRows), num(m.Rows["M1"]), num(m.Rows["M2"]), num(m.Rows["M3"]), num(m.Rows["M4"]),
		float64(m.Bytes)/(1<<20), m.Elapsed.Round(time.Millisecond), m.Workers, num(perSec(m.DataRows, m.Elapsed)))

	base := r.step("baseline")
	fmt.Fprintln(&b, "| Step | Wall time | CPU time | Peak RSS | Data rows/s | Time ÷ baseline | CPU ÷ baseline | Peak RSS ÷ baseline | Ended |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for i, s := range r.Steps {
		tr, cr, mr := "1.00", "1.00", "1.00"
		if base != nil && i > 0 {
			tr = ratio(s.Wall.Seconds(), base.Wall.Seconds())
			cr = ratio(s.CPU.Seconds(), base.CPU.Seconds())
			mr = ratio(float64(s.MaxRSS), float64(base.MaxRSS))
		}
		ended := fmt.Sprintf("exit %d", s.Exit)
		cpu, rss, rps := dur(s.CPU), mib(s.MaxRSS), num(perSec(m.DataRows, s.Wall))
		if s.Killed != "" {
			// A stopped child's CPU time is lost with it (it was never
			// waited for under /usr/bin/time) and it did not do the work.
			ended = "stopped: " + s.Killed
			cpu, rss, rps, tr, cr = "—", "≥ "+rss, "—", "≥ "+tr, "—"
			mr = "≥ " + mr
			if s.Log != "" {
				ended += "; its log: " + s.Log
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.Name, dur(s.Wall), cpu, rss, rps, tr, cr, mr, ended)
	}
	if base != nil {
		fmt.Fprintf(&b, "\nThe baseline read %d files, %d sheets, %s rows, %s cells (%s data rows) with %d workers; "+
			"the scan itself took %v of its wall time. Peak RSS from %s.\n",
			r.Scan.Files, r.Scan.Sheets, num(r.Scan.Rows), num(r.Scan.Cells), num(r.Scan.DataRows), r.Scan.Workers,
			dur(r.Scan.Elapsed), base.RSSSource)
	}
	writeStages := func(title string, st []StageTime, total time.Duration) {
		if len(st) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (from the run's `run timings` log line; rows/s = data rows read ÷ the stage's time):\n\n", title)
		fmt.Fprintln(&b, "| Stage | Items | Time | Share of the run | Data rows/s |")
		fmt.Fprintln(&b, "|---|---:|---:|---:|---:|")
		for _, s := range st {
			share := "—"
			if total > 0 {
				share = fmt.Sprintf("%.0f %%", 100*s.Duration.Seconds()/total.Seconds())
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", s.Name, num(s.Rows), dur(s.Duration), share, num(perSec(r.ReadRows, s.Duration)))
		}
	}
	if s := r.step("doithoai run (full"); s != nil {
		writeStages("Stages of the full run", r.Stages, s.Wall)
	}
	if s := r.step("doithoai run (idle"); s != nil {
		writeStages("Stages of the idle run", r.IdleStages, s.Wall)
	}

	fmt.Fprintln(&b, "\nAgainst the targets of issue 12:")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "| Target | Today | Met |")
	fmt.Fprintln(&b, "|---|---:|---|")
	full, idle := r.step("doithoai run (full"), r.step("doithoai run (idle")
	if full != nil && full.OK() && base != nil {
		speed := base.Wall.Seconds() / full.Wall.Seconds()
		fmt.Fprintf(&b, "| full rebuild ≥ %.0f× faster than the baseline (baseline ÷ run) | %.2f× | %s |\n", TargetSpeedup, speed, yes(speed >= TargetSpeedup))
		rps := perSec(m.DataRows, full.Wall)
		fmt.Fprintf(&b, "| full rebuild ≥ %s rows/s end to end | %s rows/s | %s |\n", num(TargetRowsPerSec), num(rps), yes(rps >= TargetRowsPerSec))
	} else if full != nil {
		fmt.Fprintf(&b, "| full rebuild ≥ %.0f× faster than the baseline, ≥ %s rows/s | did not finish | no |\n", TargetSpeedup, num(TargetRowsPerSec))
	}
	if idle != nil {
		met := yes(idle.OK() && idle.Wall < TargetIdle)
		if len(m.Files) < TargetIdleSubs {
			met += fmt.Sprintf(" (at %s submissions only)", num(len(m.Files)))
		}
		fmt.Fprintf(&b, "| idle run < %v with %s archived submissions (this workspace: %s) | %s | %s |\n", TargetIdle, num(TargetIdleSubs),
			num(len(m.Files)), dur(idle.Wall), met)
	}
	peak := int64(0)
	for _, s := range r.Steps[min(1, len(r.Steps)):] {
		peak = max(peak, s.MaxRSS)
	}
	fmt.Fprintf(&b, "| peak memory < %s (doithoai's steps) | %s | %s |\n", mib(TargetPeakRSS), mib(peak), yes(peak > 0 && peak < TargetPeakRSS))

	if err := r.Check(); err != nil {
		fmt.Fprintf(&b, "\nConsistency: NOT consistent: %v\n", err)
	} else {
		fmt.Fprintf(&b, "\nConsistency: the baseline's data rows, the generator's and the full run's read rows agree (%s).\n", num(m.DataRows))
	}
	return b.String()
}

// logSummary counts a JSON log's messages in order of first appearance
// ("10,000 × received, 1 × waiting …"): how far a stopped run got.
func logSummary(log string) string {
	var order []string
	count := map[string]int{}
	for _, line := range strings.Split(log, "\n") {
		var l struct {
			Msg string `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &l) != nil || l.Msg == "" {
			continue
		}
		if count[l.Msg] == 0 {
			order = append(order, l.Msg)
		}
		count[l.Msg]++
	}
	var parts []string
	for _, msg := range order {
		parts = append(parts, fmt.Sprintf("%s × %q", num(count[msg]), msg))
	}
	return strings.Join(parts, ", ")
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func perSec(n int, d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(float64(n) / d.Seconds())
}

func ratio(a, b float64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// dur rounds a duration for reading.
func dur(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// num writes an integer with thin thousands separators (1,234,567).
func num(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
