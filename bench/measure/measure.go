package measure

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"doithoai/bench/gen"
)

// Config of a measurement.
type Config struct {
	// Dir is the workspace made by gen.Generate (plan.yaml, inbox,
	// manifest.json); the runs use Dir/state and Dir/outbox, made afresh.
	Dir string
	// Doithoai is the argv prefix of the doithoai program (its binary).
	Doithoai []string
	// Scan is the argv prefix of the baseline program (ScanMain), ScanEnv
	// its extra environment.
	Scan    []string
	ScanEnv []string
	// Workers of the baseline scan; 0 means one per core, like the
	// pipeline's reading.
	Workers int
	// Limits bound each child.
	Limits Limits
	// RunArgs are extra flags of every `doithoai run` (e.g. --held-rows 1).
	RunArgs []string
}

// StageTime is one stage of the full run, from its "run timings" log line.
type StageTime struct {
	Name     string        `json:"name"`
	Rows     int           `json:"rows"`
	Duration time.Duration `json:"duration_ns"`
}

// Report is the outcome of a measurement.
type Report struct {
	Manifest *gen.Manifest `json:"manifest"`
	Machine  Machine       `json:"machine"`
	Scan     ScanResult    `json:"scan"`
	Steps    []Step        `json:"steps"` // baseline, full run, idle run, status (those reached)
	// Stages of the full run and of the idle run, as the runs logged them.
	Stages     []StageTime `json:"stages"`
	IdleStages []StageTime `json:"idle_stages"`
	// ReadRows is the data rows the full run read (its read stage).
	ReadRows int `json:"read_rows"`
}

// Machine describes where the figures were measured.
type Machine struct {
	CPUs   int    `json:"cpus"`
	Model  string `json:"cpu_model"`
	Memory string `json:"memory"`
	Go     string `json:"go"`
	OS     string `json:"os"`
	// Load is /proc/loadavg when the measurement started: the machine may
	// be shared, and wall times with it.
	Load string `json:"load"`
}

// Run measures: the baseline scan, a full run on a fresh state and outbox,
// a second run with nothing new (idle) and status, each as a child. A
// child that fails or is stopped at the limits is recorded, and the steps
// after it that depend on it are skipped. The error is for the harness
// itself failing, not for a measured program failing.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	m, err := gen.LoadManifest(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if len(cfg.Doithoai) == 0 || len(cfg.Scan) == 0 {
		return nil, errors.New("measure: the doithoai and scan programs are required")
	}
	rep := &Report{Manifest: m, Machine: machine()}
	state, outbox := filepath.Join(cfg.Dir, "state"), filepath.Join(cfg.Dir, "outbox")
	for _, d := range []string{state, outbox} {
		if err := os.RemoveAll(d); err != nil {
			return nil, fmt.Errorf("measure: fresh %s: %w", d, err)
		}
	}

	scan := runChild(ctx, "baseline: excelize f.Rows + rows.Columns",
		append(append([]string(nil), cfg.Scan...), "-inbox", m.Inbox, "-workers", fmt.Sprint(cfg.Workers)), cfg.ScanEnv, cfg.Limits)
	rep.Steps = append(rep.Steps, scan)
	if !scan.OK() {
		return rep, nil
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(scan.Stdout)), &rep.Scan); err != nil {
		return nil, fmt.Errorf("measure: the baseline's output: %w", err)
	}

	runArgs := func() []string {
		return append(append(append([]string(nil), cfg.Doithoai...), "run", "--plan", m.Plan, "--inbox", m.Inbox,
			"--outbox", outbox, "--state", state, "--now", gen.Now.Format(time.RFC3339),
			"--settle", "0s", "--log-format", "json", "--quiet"), cfg.RunArgs...)
	}
	full := runChild(ctx, "doithoai run (full, fresh state)", runArgs(), nil, cfg.Limits)
	rep.Steps = append(rep.Steps, full)
	rep.Stages = stages(full.Stderr)
	for _, s := range rep.Stages {
		if s.Name == "read" {
			rep.ReadRows = s.Rows
		}
	}
	if !full.OK() {
		return rep, nil
	}
	idle := runChild(ctx, "doithoai run (idle, nothing new)", runArgs(), nil, cfg.Limits)
	rep.Steps = append(rep.Steps, idle)
	rep.IdleStages = stages(idle.Stderr)
	status := runChild(ctx, "doithoai status",
		append(append([]string(nil), cfg.Doithoai...), "status", "--plan", m.Plan, "--state", state), nil, cfg.Limits)
	rep.Steps = append(rep.Steps, status)
	return rep, nil
}

// stages finds the "run timings" line of a run's JSON log.
func stages(log string) []StageTime {
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var out []StageTime
	for sc.Scan() {
		var line struct {
			Msg    string      `json:"msg"`
			Stages []StageTime `json:"stages"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "run timings" {
			out = line.Stages
		}
	}
	return out
}

// machine describes this machine.
func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.Load = strings.Join(f[:3], " ")
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb int64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
				m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return m
}
