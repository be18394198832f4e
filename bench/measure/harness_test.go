package measure_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"doithoai/bench/gen"
	"doithoai/bench/measure"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read"
)

// scanEnv makes the test binary the baseline program (a child of Run).
const scanEnv = "DOITHOAI_BENCH_AS_SCAN=1"

func TestMain(m *testing.M) {
	if os.Getenv("DOITHOAI_BENCH_AS_SCAN") == "1" {
		os.Exit(measure.ScanMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	if os.Getenv("DOITHOAI_BENCH_AS_HOG") == "1" {
		// A child that takes 400 MiB of resident memory, then waits: what
		// the harness's limits must stop.
		b := make([]byte, 400<<20)
		for i := range b {
			b[i] = byte(i)
		}
		time.Sleep(20 * time.Second)
		os.Exit(int(b[len(b)-1]) - int(b[len(b)-1]))
	}
	os.Exit(m.Run())
}

// TestHarness runs the generator and the whole measurement at a tiny
// scale (3 communes × 50 households): the files are read by the project's
// reader as the forms and communes they were written for, with every row,
// and the figures agree (the baseline's data rows = the rows written =
// the rows the full run read), so the harness keeps working.
func TestHarness(t *testing.T) {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		t.Skip("no Go toolchain to build doithoai:", err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	m, err := gen.Generate(ctx, dir, gen.Options{Communes: 3, Households: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 12 || m.Rows["M1"] != 150 {
		t.Fatalf("generated %d files, %d M1 rows; want 12 files, 150 M1 rows", len(m.Files), m.Rows["M1"])
	}
	p, err := plan.Load(m.Plan)
	if err != nil {
		t.Fatalf("the generated plan does not load: %v", err)
	}
	if len(p.Communes()) != 3 {
		t.Fatalf("plan has %d communes, want 3", len(p.Communes()))
	}

	r := &read.Reader{Plan: p}
	for _, f := range m.Files {
		t.Run(f.Path, func(t *testing.T) {
			wb, err := r.Read(ctx, record.Submission{ID: f.Path, Path: f.Path, ArchivePath: filepath.Join(m.Inbox, filepath.FromSlash(f.Path)),
				FolderHint: strings.Split(f.Path, "/")[0]})
			if err != nil {
				t.Fatal(err)
			}
			rows := 0
			for _, tb := range wb.Tables {
				rows += len(tb.Rows)
			}
			if wb.Status != record.StatusAccepted || wb.Form != f.Form || wb.CommuneCode != f.Commune || rows != f.Rows {
				t.Fatalf("read as %s %s %s (%s) with %d rows; want accepted %s %s with %d rows",
					wb.Status, wb.Form, wb.CommuneCode, wb.Reason, rows, f.Form, f.Commune, f.Rows)
			}
			for _, fd := range wb.Findings {
				if fd.Severity == record.Error {
					t.Errorf("finding %s at %s: %s", fd.Code, fd.Ref, fd.Message)
				}
			}
		})
	}

	bin := filepath.Join(t.TempDir(), "doithoai")
	if out, err := exec.Command(goBin, "build", "-o", bin, "doithoai/cmd/doithoai").CombinedOutput(); err != nil {
		t.Fatalf("go build doithoai: %v\n%s", err, out)
	}
	rep, err := measure.Run(ctx, measure.Config{
		Dir: dir, Doithoai: []string{bin}, Scan: []string{os.Args[0]}, ScanEnv: []string{scanEnv},
		Limits: measure.Limits{Timeout: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Check(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range rep.Steps {
		names = append(names, s.Name)
		if !s.OK() || s.Wall <= 0 || s.MaxRSS <= 0 {
			t.Errorf("%s: exit %d %q, wall %v, peak RSS %d", s.Name, s.Exit, s.Killed, s.Wall, s.MaxRSS)
		}
	}
	if len(names) != 4 {
		t.Fatalf("steps %q, want baseline, full run, idle run, status", names)
	}
	if rep.Scan.DataRows != m.DataRows || rep.ReadRows != m.DataRows || rep.Scan.Files != 12 {
		t.Errorf("baseline %d data rows in %d files, run read %d; generator wrote %d", rep.Scan.DataRows, rep.Scan.Files, rep.ReadRows, m.DataRows)
	}
	// The idle run finds the outbox up to date and stops after ingest.
	for _, c := range []struct {
		st   []measure.StageTime
		want []string
	}{
		{rep.Stages, []string{"ingest", "templates", "read", "validate", "dedupe", "aggregate", "report"}},
		{rep.IdleStages, []string{"ingest", "uptodate"}},
	} {
		var got []string
		for _, s := range c.st {
			got = append(got, s.Name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("stages %q, want %q", got, c.want)
		}
	}
	if !strings.Contains(rep.Steps[2].Stdout, "mới: 0;") {
		t.Errorf("the idle run found new files:\n%s", rep.Steps[2].Stdout)
	}
	if !strings.Contains(rep.Steps[3].Stdout, p.Communes()[0].Name) {
		t.Errorf("status does not show the communes:\n%s", rep.Steps[3].Stdout)
	}
	md := rep.Markdown()
	for _, s := range []string{"| doithoai run (full, fresh state) |", fmt.Sprintf("| read | %d |", m.DataRows), "Consistency: the baseline's data rows"} {
		if !strings.Contains(md, s) {
			t.Errorf("report lacks %q:\n%s", s, md)
		}
	}
}
