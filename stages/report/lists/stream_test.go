package lists_test

import (
	"bytes"
	"context"
	"doithoai/bench/gen/gentest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/lists"
	"doithoai/stages/report/quarterly/xl"
	"doithoai/stages/report/quarterly/xl/fixture"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

// genNow is the clock of the generated inboxes: no dialogue day has
// passed.
var genNow = time.Date(2024, 4, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// generated makes a bench/gen inbox and passes it through the pipeline's
// chain, as a full run does.
func generated(tb testing.TB, communes, households int) (*plan.Plan, *record.Dataset) {
	tb.Helper()
	return gentest.Dataset(tb, communes, households, 1)
}

// odd gives the texts of a dataset odd forms: spaces around, line breaks,
// XML's special characters, control characters, a formula, an escaped
// character, very long texts, empty ones.
func odd(ds *record.Dataset) {
	forms := []func(string) string{
		func(s string) string { return " " + s + " " },
		func(s string) string { return s + "\nDòng hai\r\nDòng ba" },
		func(s string) string { return `<b>"` + s + `" & 'x'</b>` },
		func(s string) string { return s + "\x01\x1f\t" },
		func(string) string { return "=SUM(A1:A3)" },
		func(s string) string { return s + " _x0041_ ho_xa" },
		func(s string) string { return strings.Repeat(s+" rất dài ", 60) },
		func(string) string { return "" },
		func(s string) string { return strings.ToUpper(s) + " 😀" },
	}
	for i := range ds.Delegates {
		d := &ds.Delegates[i]
		f := forms[i%len(forms)]
		d.Name, d.Position = f(d.Name), forms[(i+3)%len(forms)](d.Position)
	}
	for i := range ds.Registrations {
		g := &ds.Registrations[i]
		f := forms[i%len(forms)]
		g.RepName, g.HeadName, g.Note = f(g.RepName), forms[(i+1)%len(forms)](g.HeadName), forms[(i+2)%len(forms)](g.Note)
	}
	for i := range ds.Opinions {
		o := &ds.Opinions[i]
		o.Content, o.ReporterName = forms[i%len(forms)](o.Content), forms[(i+5)%len(forms)](o.ReporterName)
	}
}

// TestStreamedSameAsDirect: the lists written with streamed sheets are
// the workbooks written cell by cell, as users see them (xldiff: every
// cell's value, kind and style, merges, widths, row heights, panes, print
// setup, names, properties), over the fixture at several clocks, odd
// texts and a generated national-like plan. (Their bytes differ: a
// direct sheet's texts are shared strings, a streamed sheet's inline.)
// The streamed lists are also the same bytes with and without xl's
// shortcuts (xl.SetShortcuts: frames written by xl or by excelize).
func TestStreamedSameAsDirect(t *testing.T) {
	type dataset struct {
		name string
		p    *plan.Plan
		ds   *record.Dataset
		now  time.Time
	}
	var sets []dataset
	for _, at := range []string{"2022-04-01 08:00", "2022-05-20 10:00", "2022-07-30 17:00"} {
		p := fixture.Plan()
		sets = append(sets, dataset{"fixture " + at, p, fixture.Dataset(p, fixture.At(at)), fixture.At(at)})
	}
	p := fixture.Plan()
	ds := fixture.Dataset(p, fixture.At("2022-05-20 10:00"))
	odd(ds)
	sets = append(sets, dataset{"odd texts", p, ds, fixture.At("2022-05-20 10:00")})
	p = fixture.Plan()
	sets = append(sets, dataset{"empty", p, &record.Dataset{}, fixture.At("2022-05-20 10:00")})
	gp, gds := generated(t, 9, 12)
	sets = append(sets, dataset{"generated", gp, gds, genNow})
	gp2, gds2 := generated(t, 6, 8)
	odd(gds2)
	sets = append(sets, dataset{"generated, odd texts", gp2, gds2, genNow})
	defer lists.SetStreamed(lists.SetStreamed(true))
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			write := func(on bool) (string, []string) {
				lists.SetStreamed(on)
				out := t.TempDir()
				paths, err := lists.Write(context.Background(), lists.Config{Outbox: out, AttendanceDir: "a", QuestionsDir: "q", Plan: set.p, Now: set.now}, set.ds)
				if err != nil {
					t.Fatal(err)
				}
				return out, paths
			}
			da, pa := write(false)
			db, pb := write(true)
			// Streamed with xl's shortcuts (frames and comments written by
			// xl) and without (excelize's StreamWriter): the same bytes.
			func() {
				defer xl.SetShortcuts(xl.SetShortcuts(false))
				_, pc := write(true)
				for i := range pc {
					a, errA := os.ReadFile(pb[i])
					c, errC := os.ReadFile(pc[i])
					if errA != nil || errC != nil || !bytes.Equal(a, c) {
						t.Errorf("%s: streamed with xl's shortcuts %d bytes, without %d: they differ (%v %v)", filepath.Base(pb[i]), len(a), len(c), errA, errC)
					}
				}
			}()
			if len(pa) != len(pb) || len(pa) == 0 {
				t.Fatalf("%d files direct, %d streamed", len(pa), len(pb))
			}
			total := 0
			for i := range pa {
				ra, _ := filepath.Rel(da, pa[i])
				rb, _ := filepath.Rel(db, pb[i])
				if ra != rb {
					t.Fatalf("file %d: %s direct, %s streamed", i, ra, rb)
				}
				cells, diffs, err := xldiff.Files(pa[i], pb[i])
				if err != nil {
					t.Fatal(err)
				}
				total += cells
				for _, d := range diffs {
					t.Errorf("%s: %s", ra, d)
				}
			}
			if total == 0 {
				t.Error("no cell compared")
			}
		})
	}
}

// BenchmarkListsWrite writes the attendance and question lists of 600
// communes in 200 clusters, 6 households each, with sheets written cell
// by cell ("direct", as before) and streamed.
func BenchmarkListsWrite(b *testing.B) {
	p, ds := generated(b, 600, 6)
	defer lists.SetStreamed(lists.SetStreamed(true))
	for _, mode := range []struct {
		name     string
		streamed bool
	}{{"direct", false}, {"streamed", true}} {
		b.Run(mode.name, func(b *testing.B) {
			lists.SetStreamed(mode.streamed)
			b.ReportAllocs()
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				out := b.TempDir()
				b.StartTimer()
				c0 := cpuTime()
				if _, err := lists.Write(context.Background(), lists.Config{Outbox: out, AttendanceDir: "a", QuestionsDir: "q", Plan: p, Now: genNow}, ds); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - c0
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user and system CPU time (on a shared machine
// steadier than wall time).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
