package faultdoc

import (
	"os"
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

func TestRunChildMeasures(t *testing.T) {
	if ChildFor("TestRunChildMeasures") {
		buf := make([]byte, 64<<20)
		for i := range buf {
			buf[i] = byte(i)
		}
		os.Stdout.WriteString("child done\n")
		return
	}
	m := RunChild(t, "TestRunChildMeasures", time.Minute)
	if m.ExitCode != 0 || !strings.Contains(m.Stdout, "child done") {
		t.Fatalf("child failed: %+v", m)
	}
	if m.PeakRSS != 0 && m.PeakRSS < 64*MiB {
		t.Errorf("peak RSS %d, want at least the 64 MiB the child touched", m.PeakRSS)
	}
}
