package measure

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits bound one child process.
type Limits struct {
	Timeout time.Duration // 0: none
	MemCap  int64         // bytes of resident memory of the process tree; 0: none
}

// Step is one measured child process.
type Step struct {
	Name      string        `json:"name"`
	Argv      []string      `json:"argv"`
	Wall      time.Duration `json:"wall_ns"`
	CPU       time.Duration `json:"cpu_ns"`        // user + system time of the child and its waited-for children
	MaxRSS    int64         `json:"max_rss_bytes"` // peak resident memory
	RSSSource string        `json:"rss_source"`    // "/usr/bin/time -v", "rusage" or "sampled"
	Exit      int           `json:"exit"`
	Killed    string        `json:"killed,omitempty"` // why the harness stopped it, "" when it ended itself
	// Log counts the messages of a stopped child's JSON log: how far it got.
	Log    string `json:"log,omitempty"`
	Stdout string `json:"-"`
	Stderr string `json:"-"`
}

// OK reports whether the child ended by itself with status 0.
func (s Step) OK() bool { return s.Exit == 0 && s.Killed == "" }

// timeBin is GNU time, used for the peak RSS when present.
const timeBin = "/usr/bin/time"

// runChild runs argv with extra environment, measuring wall time and peak
// RSS, and stops it (its whole process group) at the limits. The peak is
// read from /usr/bin/time -v when that exists, else from the child's
// rusage; a child killed at the memory cap reports the sampled peak if it
// is larger.
func runChild(ctx context.Context, name string, argv, env []string, lim Limits) Step {
	st := Step{Name: name, Argv: argv}
	run := argv
	var timeOut string
	if exists(timeBin) {
		f, err := os.CreateTemp("", "bench-time-")
		if err == nil {
			timeOut = f.Name()
			f.Close()
			defer os.Remove(timeOut)
			run = append([]string{timeBin, "-v", "-o", timeOut}, argv...)
		}
	}
	if lim.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lim.Timeout)
		defer cancel()
	}
	cmd := exec.Command(run[0], run[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ownGroup(cmd)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		st.Exit, st.Killed = -1, "could not start: "+err.Error()
		return st
	}
	var (
		mu      sync.Mutex
		sampled int64
		killed  string
	)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				mu.Lock()
				if killed == "" {
					killed = fmt.Sprintf("timeout after %v", time.Since(start).Round(time.Second))
				}
				mu.Unlock()
				killGroup(cmd)
				return
			case <-t.C:
				rss := treeRSS(cmd.Process.Pid)
				mu.Lock()
				sampled = max(sampled, rss)
				if lim.MemCap > 0 && rss > lim.MemCap && killed == "" {
					killed = fmt.Sprintf("memory cap: %s resident after %v", mib(rss), time.Since(start).Round(time.Second))
				}
				k := killed != ""
				mu.Unlock()
				if k {
					killGroup(cmd)
					return
				}
			}
		}
	}()
	err := cmd.Wait()
	st.Wall = time.Since(start)
	close(done)
	mu.Lock()
	st.Killed = killed
	mu.Unlock()
	st.Stdout, st.Stderr = stdout.String(), stderr.String()
	if st.Killed != "" {
		st.Log = logSummary(st.Stderr)
	}
	if ps := cmd.ProcessState; ps != nil {
		st.CPU = ps.UserTime() + ps.SystemTime()
	}
	st.Exit = 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		st.Exit = ee.ExitCode()
	} else if err != nil {
		st.Exit = -1
	}
	if timeOut != "" {
		if kb, code, ok := parseTime(timeOut); ok {
			st.MaxRSS, st.RSSSource = kb*1024, timeBin+" -v"
			if code >= 0 {
				st.Exit = code
			}
		}
	}
	if st.RSSSource == "" {
		if rss := maxRSS(cmd.ProcessState); rss > 0 {
			st.MaxRSS, st.RSSSource = rss, "rusage"
		}
	}
	// The sample also counts /usr/bin/time itself; it is the figure only
	// for a child stopped at the limits or where nothing else is known.
	if sampled > st.MaxRSS && (st.Killed != "" || st.MaxRSS == 0) {
		st.MaxRSS, st.RSSSource = sampled, "sampled"
	}
	return st
}

// parseTime reads GNU time's -v report: peak RSS (KiB) and the command's
// exit status (-1 when it was killed by a signal).
func parseTime(path string) (kb int64, code int, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, -1, false
	}
	defer f.Close()
	code = -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		k, v, found := strings.Cut(line, ": ")
		if !found {
			continue
		}
		switch k {
		case "Maximum resident set size (kbytes)":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				kb, ok = n, true
			}
		case "Exit status":
			if n, err := strconv.Atoi(v); err == nil {
				code = n
			}
		}
	}
	return kb, code, ok
}

// treeRSS is the resident memory of a process and its descendants, from
// /proc (0 where there is no /proc).
func treeRSS(pid int) int64 {
	var total int64
	seen := map[int]bool{}
	var walk func(pid int)
	walk = func(pid int) {
		if seen[pid] || len(seen) > 64 {
			return
		}
		seen[pid] = true
		total += procRSS(pid)
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					walk(c)
				}
			}
		}
	}
	walk(pid)
	return total
}

// procRSS is VmRSS of one process in bytes, 0 when unknown.
func procRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}

// mib formats bytes as MiB or GiB.
func mib(b int64) string {
	if b >= 10<<30 {
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}
