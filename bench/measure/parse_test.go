package measure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStages(t *testing.T) {
	for _, tc := range []struct {
		name, log string
		want      int // stages found
		read      int // rows of the read stage
	}{
		{"json log", `{"level":"INFO","msg":"outbox written","files":3}
{"level":"INFO","msg":"run timings","duration_ns":5,"stages":[{"name":"ingest","rows":2,"duration_ns":1},{"name":"read","rows":40,"duration_ns":3}]}
`, 2, 40},
		{"text log", `time=… level=INFO msg="run timings"`, 0, 0},
		{"no timings", `{"msg":"received"}`, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := stages(tc.log)
			if len(got) != tc.want {
				t.Fatalf("%d stages, want %d", len(got), tc.want)
			}
			if tc.want > 1 && (got[1].Name != "read" || got[1].Rows != tc.read || got[1].Duration != 3*time.Nanosecond) {
				t.Errorf("read stage %+v", got[1])
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		kb         int64
		code       int
		ok         bool
	}{
		{"ended", "\tCommand being timed: \"doithoai run\"\n\tMaximum resident set size (kbytes): 301234\n\tExit status: 0\n", 301234, 0, true},
		{"failed", "\tMaximum resident set size (kbytes): 12\n\tExit status: 3\n", 12, 3, true},
		{"signalled", "Command terminated by signal 9\n\tMaximum resident set size (kbytes): 99\n", 99, -1, true},
		{"empty", "", 0, -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "time.txt")
			if err := os.WriteFile(p, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			kb, code, ok := parseTime(p)
			if kb != tc.kb || code != tc.code || ok != tc.ok {
				t.Errorf("got %d KiB, exit %d, %v; want %d, %d, %v", kb, code, ok, tc.kb, tc.code, tc.ok)
			}
		})
	}
}

// TestLimits: a child past the memory cap or the timeout is stopped and
// recorded as stopped, with its peak memory (a national run that does not
// fit must end with a figure, not hang the harness).
func TestLimits(t *testing.T) {
	if procRSS(os.Getpid()) == 0 {
		t.Skip("no /proc: the memory cap cannot be watched here")
	}
	for _, tc := range []struct {
		name   string
		lim    Limits
		killed string
		minRSS int64
	}{
		{"memory cap", Limits{MemCap: 100 << 20, Timeout: 15 * time.Second}, "memory cap", 100 << 20},
		{"timeout", Limits{Timeout: 300 * time.Millisecond}, "timeout", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := runChild(t.Context(), tc.name, []string{os.Args[0]}, []string{"DOITHOAI_BENCH_AS_HOG=1"}, tc.lim)
			if st.OK() || !strings.HasPrefix(st.Killed, tc.killed) || st.MaxRSS < tc.minRSS || st.Wall > 10*time.Second {
				t.Errorf("got exit %d, stopped %q, peak %d B after %v; want stopped for %s above %d B", st.Exit, st.Killed, st.MaxRSS, st.Wall, tc.killed, tc.minRSS)
			}
		})
	}
}
