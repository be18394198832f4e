package faultdoc

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestMarkdownIsSortedAndEscaped(t *testing.T) {
	tb := New("x", "Title", "Intro.")
	tb.Add(Case{Fault: "b | pipe", Expected: "e", Outcome: "o", Pass: true})
	tb.Add(Case{Fault: "a", Expected: "e", Outcome: "o", Pass: false})
	md := string(tb.Markdown())
	if strings.Index(md, "| a |") > strings.Index(md, `| b \| pipe |`) {
		t.Errorf("cases not sorted:\n%s", md)
	}
	if !strings.Contains(md, "**FAILED**") || !strings.Contains(md, "# Title") {
		t.Errorf("missing verdict or title:\n%s", md)
	}
}

func TestMain(m *testing.M) { os.Exit(Main(m, New("faultdoc-self-test", "", ""))) }

func TestRunChildMeasures(t *testing.T) {
	if ChildFor("TestRunChildMeasures") {
		buf := make([]byte, 64<<20)
		for i := range buf {
			buf[i] = byte(i)
		}
		os.Stdout.WriteString("child done\n")
		return
	}
	// The parent holds far more than the child: the child's figure must
	// be its own, not the parent's carried over the start of the child.
	ballast := make([]byte, 512<<20)
	for i := range ballast {
		ballast[i] = 1
	}
	defer runtime.KeepAlive(ballast)
	m := RunChild(t, "TestRunChildMeasures", time.Minute)
	if m.ExitCode != 0 || !strings.Contains(m.Stdout, "child done") {
		t.Fatalf("child failed: %+v", m)
	}
	if m.PeakRSS != 0 && (m.PeakRSS < 64*MiB || m.PeakRSS > 400*MiB) {
		t.Errorf("peak RSS %d MiB, want the child's own (at least the 64 MiB it touched, far below the parent's 512 MiB)", m.PeakRSS/MiB)
	}
}
