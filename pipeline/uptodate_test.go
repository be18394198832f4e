package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/demo"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/uptodate"
)

// world is a demo inbox with a state and outbox in which the last run
// had nothing new (the outbox is up to date).
type world struct {
	p     *plan.Plan
	inbox string
	root  string // state/ and outbox/ after the runs
	now   time.Time
	kind  string
	sum   *pipeline.Summary // the last run's
	fresh string            // state/ and outbox/ right after the first run, which received every file
}

// datedPlan is the 2022 plan with every cluster's dialogue date set, so
// that the M4 deadlines and the dialogues fall around the demo's moment.
func datedPlan(t testing.TB) *plan.Plan {
	t.Helper()
	src := string(plan.DefaultYAML())
	for _, d := range []string{"2022-05-28", "2022-06-10", "2022-06-20", "2022-05-10"} {
		i := strings.Index(src, "dialogue_date: null")
		if i < 0 {
			t.Fatal("the 2022 plan has fewer clusters than expected")
		}
		end := i + strings.IndexByte(src[i:], '\n')
		src = src[:i] + "dialogue_date: " + d + src[end:]
	}
	p, err := plan.Parse([]byte(src), "dated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newWorld makes the demo inbox of the dated plan and runs the pipeline on
// it until the outbox is up to date for the kind.
func newWorld(t testing.TB, kind string) *world {
	t.Helper()
	p := datedPlan(t)
	dir := t.TempDir()
	if _, err := demo.Generate(p, dir, demo.Options{Seed: 2022}); err != nil {
		t.Fatal(err)
	}
	// Forms that stay missing, so that the clock's facts show: one of
	// cluster 1's communes' opinions (M4) and another's plan (KH); its
	// results (M5) are not in the demo before its dialogue.
	for _, f := range []string{"Xã Thường Phước 1/M4 y kien kien nghi TP1.xlsx",
		"Thuong Phuoc 2/KH doi thoai giam ngheo TP2 2022.docx"} {
		if err := os.Remove(filepath.Join(dir, "inbox", filepath.FromSlash(f))); err != nil {
			t.Fatalf("the demo inbox changed: %v", err)
		}
	}
	w := &world{p: p, inbox: filepath.Join(dir, "inbox"), root: t.TempDir(), now: demo.Moment(p), kind: kind}
	first := w.run(t, w.root, w.now, nil)
	if len(first.New) == 0 || first.UpToDate {
		t.Fatalf("first run: %d new, up to date %v", len(first.New), first.UpToDate)
	}
	w.fresh = t.TempDir()
	copyKeeping(t, w.root, w.fresh)
	// A run with nothing new that writes everything again: its outbox is
	// what every later run with nothing new writes without the shortcut
	// (the first run labels all it wrote «mới», feedback included; the
	// next rewrites only the reports).
	if s := w.run(t, w.root, w.now.Add(time.Minute), func(cfg *pipeline.Config) { cfg.Rebuild = true }); s.UpToDate {
		t.Fatal("a run with Rebuild found the outbox up to date")
	}
	w.now = w.now.Add(2 * time.Minute)
	if w.sum = w.run(t, w.root, w.now, nil); !w.sum.UpToDate {
		t.Fatal("the run after it did not find the outbox up to date")
	}
	return w
}

func (w *world) config(root string, now time.Time) pipeline.Config {
	return pipeline.Config{
		Plan: w.p, Inbox: w.inbox, Outbox: filepath.Join(root, "outbox"), State: filepath.Join(root, "state"),
		Clock: clock.Fixed(now), Kind: w.kind, Logger: slog.New(slog.DiscardHandler),
	}
}

// run runs the pipeline on root at now, cfg changed by edit.
func (w *world) run(t testing.TB, root string, now time.Time, edit func(*pipeline.Config)) *pipeline.Summary {
	t.Helper()
	cfg := w.config(root, now)
	if edit != nil {
		edit(&cfg)
	}
	sum, err := pipeline.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("run at %s: %v", now.Format(time.RFC3339), err)
	}
	return sum
}

// clone copies the world's state and outbox (file modes and modification
// times kept) into a new folder.
func (w *world) clone(t testing.TB) string {
	t.Helper()
	dst := t.TempDir()
	copyKeeping(t, w.root, dst)
	return dst
}

var (
	newLabel = regexp.MustCompile(`<span class="new">mới</span>`)
	noteLine = regexp.MustCompile(`<p class="note">Lần cập nhật này đã ghi [0-9]+ tệp[^<]*</p>`)
)

// withoutNewLabels is files with the status page's count of files written
// and its «mới» labels left out.
func withoutNewLabels(files map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for k, v := range files {
		if k == "index.html" {
			v = noteLine.ReplaceAll(newLabel.ReplaceAll(v, nil), nil)
		}
		out[k] = v
	}
	return out
}

// copyKeeping copies the tree src into dst, keeping modes and times.
func copyKeeping(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(to, b, 0o600); err != nil {
			return err
		}
		if err := os.Chmod(to, fi.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(to, fi.ModTime(), fi.ModTime())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// outboxFiles are the contents of every file of an outbox.
func outboxFiles(t testing.TB, outbox string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(outbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(outbox, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var stampLine = regexp.MustCompile(`<p class="updated">[^<]*</p>`)

// withoutStamp is files with the status page's "Cập nhật lúc" minute
// blanked.
func withoutStamp(files map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for k, v := range files {
		if k == "index.html" {
			v = stampLine.ReplaceAll(v, []byte(`<p class="updated"></p>`))
		}
		out[k] = v
	}
	return out
}

// diffFiles names the files that differ between a and b ("" when none).
func diffFiles(a, b map[string][]byte) string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			d = append(d, k+" (only in the first)")
		} else if !bytes.Equal(v, w) {
			d = append(d, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k+" (only in the second)")
		}
	}
	slices.Sort(d)
	if len(d) > 5 {
		d = append(d[:5], fmt.Sprintf("… %d in all", len(d)))
	}
	return strings.Join(d, ", ")
}

// statOf is every outbox file's information.
func statOf(t testing.TB, outbox string) map[string]fs.FileInfo {
	t.Helper()
	out := map[string]fs.FileInfo{}
	err := filepath.WalkDir(outbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := os.Lstat(p)
		rel, _ := filepath.Rel(outbox, p)
		out[filepath.ToSlash(rel)] = fi
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUpToDateRun: a run with nothing new over an up-to-date outbox skips
// read → report (the summary says so, nothing decoded or loaded, no
// output rewritten but the status page's stamp), and leaves the very
// outbox a run without the shortcut writes; each change of what the
// outputs depend on takes the normal path.
func TestUpToDateRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline some forty times")
	}
	full := newWorld(t, pipeline.KindFull)
	light := newWorld(t, pipeline.KindLight)
	day := func(w *world, d int) time.Time { return w.now.AddDate(0, 0, d) }
	// The first M4 deadline (cluster 1: dialogue 28 May, 5 days before)
	// passes at the end of 23 May; the quarter ends on 1 July.
	m4Late := time.Date(2022, 5, 24, 9, 0, 0, 0, full.p.Location())
	quarterEnd := time.Date(2022, 7, 1, 0, 30, 0, 0, full.p.Location())

	type change struct {
		name   string
		light  bool                                                           // on the light pass's world, not the full run's
		at     func(w *world) time.Time                                       // the run's clock (nil: an hour later the same day)
		before func(t *testing.T, w *world, root string)                      // changes the inbox, the state or the outbox
		edit   func(cfg *pipeline.Config)                                     // changes the run's configuration
		fast   bool                                                           // the fast path is expected
		fresh  bool                                                           // right after the run that received every file, not after a run with nothing new
		again  bool                                                           // also check that the run after is up to date again
		check  func(t *testing.T, w *world, root string, s *pipeline.Summary) // more to assert
	}
	laterToday := func(w *world) time.Time { return w.now.Add(time.Hour) }
	cases := []change{
		{name: "nothing changed, an hour later", fast: true},
		{name: "nothing changed, the same minute", at: func(w *world) time.Time { return w.now }, fast: true,
			check: func(t *testing.T, w *world, root string, s *pipeline.Summary) {
				// Not even the status page is written.
				before := statOf(t, filepath.Join(w.root, "outbox"))["index.html"]
				after := statOf(t, filepath.Join(root, "outbox"))["index.html"]
				if !after.ModTime().Equal(before.ModTime()) {
					t.Error("the status page was rewritten though its stamp is the same")
				}
			}},
		{name: "nothing changed, light pass", light: true, fast: true},
		{name: "right after the run that received the files", fresh: true, fast: true},
		{name: "light pass the next day, no deadline crossed", light: true, at: func(w *world) time.Time { return day(w, 1) }, fast: true},
		{name: "inbox file touched, same bytes", fast: true, before: func(t *testing.T, w *world, root string) {
			f := firstInboxFile(t, w.inbox)
			later := time.Now().Add(-time.Hour)
			if err := os.Chtimes(f, later, later); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "inbox file removed (the ledger keeps every file received)", fast: true, before: func(t *testing.T, w *world, root string) {
			if err := os.Remove(firstInboxFile(t, w.inbox)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "new inbox file", again: true, before: func(t *testing.T, w *world, root string) {
			b, err := os.ReadFile(firstInboxFile(t, w.inbox))
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(filepath.Dir(firstInboxFile(t, w.inbox)), "ban sao gui lai.xlsx")
			writeOld(t, f, b)
		}},
		{name: "inbox file replaced by other bytes", before: func(t *testing.T, w *world, root string) {
			f := firstInboxFile(t, w.inbox)
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			writeOld(t, f, append(b, 0))
		}},
		{name: "plan changed", again: true, edit: func(cfg *pipeline.Config) {
			p, err := plan.Parse(append(cfg.Plan.Source(), "\n# refined\n"...), "refined.yaml")
			if err != nil {
				panic(err)
			}
			cfg.Plan = p
		}},
		{name: "reader limits changed", edit: func(cfg *pipeline.Config) {
			cfg.Limits.MaxRows = 150_000
		}},
		{name: "file time budget changed", edit: func(cfg *pipeline.Config) { cfg.FileTimeout = 90 * time.Second }},
		{name: "kind changed: light after full", again: true, edit: func(cfg *pipeline.Config) { cfg.Kind = pipeline.KindLight }},
		{name: "kind changed: full after light", light: true, edit: func(cfg *pipeline.Config) { cfg.Kind = pipeline.KindFull }},
		{name: "rebuild asked", edit: func(cfg *pipeline.Config) { cfg.Rebuild = true }},
		{name: "feedback file deleted", again: true, before: func(t *testing.T, w *world, root string) {
			removeOne(t, filepath.Join(root, "outbox", "phan-hoi"), ".xlsx")
		}},
		{name: "quarterly draft altered", before: func(t *testing.T, w *world, root string) {
			alter(t, filepath.Join(root, "outbox", "bao-cao", "bao-cao-quy-2022Q2-du-thao.xlsx"))
		}},
		{name: "status page's stamp altered, same size and time", before: func(t *testing.T, w *world, root string) {
			f := filepath.Join(root, "outbox", "index.html")
			fi, _ := os.Stat(f)
			b, _ := os.ReadFile(f)
			b = bytes.Replace(b, []byte("Cập nhật lúc"), []byte("Cập nhật LÚC"), 1)
			os.WriteFile(f, b, 0o644)
			os.Chtimes(f, fi.ModTime(), fi.ModTime())
		}},
		{name: "Hive partition deleted", before: func(t *testing.T, w *world, root string) {
			removeOne(t, filepath.Join(root, "outbox", "data", "households"), ".parquet")
		}},
		{name: "stray file in the outbox", before: func(t *testing.T, w *world, root string) {
			os.WriteFile(filepath.Join(root, "outbox", "data", "extra.parquet"), []byte("x"), 0o644)
		}},
		{name: "outbox folder touched, same files", fast: true, again: true, before: func(t *testing.T, w *world, root string) {
			later := time.Now().Add(time.Minute)
			if err := os.Chtimes(filepath.Join(root, "outbox", "phan-hoi"), later, later); err != nil {
				t.Fatal(err)
			}
		}, check: func(t *testing.T, w *world, root string, s *pipeline.Summary) {
			// The manifest took the folder's new stamp: the next run need
			// not list the outbox.
			m, ok, err := uptodate.Load(filepath.Join(root, "state"))
			if err != nil || !ok {
				t.Fatalf("manifest: %v %v", ok, err)
			}
			if !m.Unchanged(filepath.Join(root, "outbox")) && runtime.GOOS == "linux" {
				t.Error("the manifest still holds the folder's old stamp")
			}
		}},
		{name: "manifest deleted", before: func(t *testing.T, w *world, root string) {
			os.Remove(filepath.Join(root, "state", uptodate.ManifestFile))
		}},
		{name: "manifest damaged", before: func(t *testing.T, w *world, root string) {
			f := filepath.Join(root, "state", uptodate.ManifestFile)
			b, _ := os.ReadFile(f)
			os.WriteFile(f, b[:len(b)/2], 0o600)
		}},
		{name: "full run the next day (the reports' date)", at: func(w *world) time.Time { return day(w, 1) }},
		{name: "an M4 deadline passed", light: true, at: func(*world) time.Time { return m4Late }},
		{name: "a dialogue day passed", light: true, at: func(*world) time.Time { return time.Date(2022, 5, 29, 9, 0, 0, 0, full.p.Location()) }},
		{name: "the quarter ended", again: true, at: func(*world) time.Time { return quarterEnd }},
		{name: "the quarter ended, light pass", light: true, at: func(*world) time.Time { return quarterEnd }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := full
			if tc.light {
				w = light
			}
			// The inbox is shared: a case that changes it works on a copy.
			ww := *w
			if tc.before != nil {
				ww.inbox = filepath.Join(t.TempDir(), "inbox")
				copyKeeping(t, w.inbox, ww.inbox)
			}
			if tc.fresh {
				ww.root = w.fresh
			}
			root, plain := ww.clone(t), ww.clone(t)
			if tc.before != nil {
				tc.before(t, &ww, root)
				tc.before(t, &ww, plain)
			}
			at := laterToday(w)
			if tc.at != nil {
				at = tc.at(w)
			}
			before := statOf(t, filepath.Join(root, "outbox"))
			var log logged
			s := ww.run(t, root, at, func(cfg *pipeline.Config) {
				if tc.edit != nil {
					tc.edit(cfg)
				}
				cfg.Logger = log.logger()
			})
			if s.UpToDate != tc.fast {
				t.Fatalf("fast path taken: %v, want %v", s.UpToDate, tc.fast)
			}
			if n := strings.Count(log.String(), `"msg":"outputs are up to date`); n != map[bool]int{true: 1}[tc.fast] {
				t.Errorf("%d \"outputs are up to date\" log lines", n)
			}
			if tc.fast {
				if s.Decoded != 0 || s.Loaded != 0 || s.Dataset != nil {
					t.Errorf("fast path: %d decoded, %d loaded, dataset %v", s.Decoded, s.Loaded, s.Dataset != nil)
				}
				if s.Submissions != w.sum.Submissions || s.Accepted != w.sum.Accepted || s.Rejected != w.sum.Rejected ||
					s.Duplicates != w.sum.Duplicates || s.Findings != w.sum.Findings || (!tc.fresh && !slices.Equal(s.Outputs, w.sum.Outputs)) {
					t.Errorf("fast path's counts %d/%d/%d/%d/%d, %d outputs; the last run's %d/%d/%d/%d/%d, %d outputs",
						s.Submissions, s.Accepted, s.Rejected, s.Duplicates, s.Findings, len(s.Outputs),
						w.sum.Submissions, w.sum.Accepted, w.sum.Rejected, w.sum.Duplicates, w.sum.Findings, len(w.sum.Outputs))
				}
				after := statOf(t, filepath.Join(root, "outbox"))
				for k, fi := range after {
					old, ok := before[k]
					if k == "index.html" {
						continue // restamped
					}
					if !ok || !os.SameFile(old, fi) || !old.ModTime().Equal(fi.ModTime()) {
						t.Errorf("%s was written by the fast path", k)
					}
				}
				if len(after) != len(before) {
					t.Errorf("%d outbox files after the fast path, %d before", len(after), len(before))
				}
			} else if s.Decoded+s.Loaded == 0 {
				t.Error("the normal path read nothing")
			}
			// The outbox a run without the shortcut writes.
			ps := ww.run(t, plain, at, func(cfg *pipeline.Config) {
				if tc.edit != nil {
					tc.edit(cfg)
				}
				cfg.Rebuild = true
			})
			if ps.UpToDate {
				t.Fatal("a run with Rebuild took the fast path")
			}
			got, want := outboxFiles(t, filepath.Join(root, "outbox")), outboxFiles(t, filepath.Join(plain, "outbox"))
			sameWorkbooks(t, filepath.Join(root, "outbox"), filepath.Join(plain, "outbox"), got, want)
			if tc.fresh {
				// The page keeps the first run's count of files written and
				// its «mới» labels; a run without the shortcut labels only
				// the reports it rewrote. Nothing else differs.
				if d := diffFiles(got, want); d != "index.html" {
					t.Errorf("right after new files, the outbox differs from a run without the shortcut in %q, want the status page only", d)
				}
				got, want = withoutNewLabels(got), withoutNewLabels(want)
			}
			if d := diffFiles(got, want); d != "" {
				t.Errorf("the outbox differs from a run without the shortcut: %s", d)
			}
			if tc.check != nil {
				tc.check(t, &ww, root, s)
			}
			// After the change, the next run with nothing new finds the
			// outbox up to date.
			if tc.again {
				if s := ww.run(t, root, at.Add(time.Minute), tc.edit); !s.UpToDate {
					t.Error("the outbox is not up to date in the run after the change")
				}
			}
		})
	}
}

// firstInboxFile is the first spreadsheet of the inbox, by path.
func firstInboxFile(t testing.TB, inbox string) string {
	t.Helper()
	var files []string
	filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xlsx") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatal("no .xlsx in the inbox")
	}
	slices.Sort(files)
	return files[0]
}

// writeOld writes a file with a modification time in the past, so that
// it counts as complete at once.
func writeOld(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

// removeOne removes the first file under dir whose name ends in suffix.
func removeOne(t testing.TB, dir, suffix string) {
	t.Helper()
	var found string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, suffix) && found == "" {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no %s file under %s", suffix, dir)
	}
	if err := os.Remove(found); err != nil {
		t.Fatal(err)
	}
}

// alter appends a byte to a file.
func alter(t testing.TB, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, 0), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestClockFactsCoverOutputs: from the same state, runs without the
// shortcut at two moments write the same outbox (the status page's
// minute aside) exactly when uptodate.Clock gives both the same facts. An
// output that starts to depend on the clock in another way fails here
// until Clock covers it.
func TestClockFactsCoverOutputs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline a dozen times")
	}
	for _, kind := range []string{pipeline.KindFull, pipeline.KindLight} {
		t.Run(kind, func(t *testing.T) {
			w := newWorld(t, kind)
			loc := w.p.Location()
			at := func(m time.Month, d, h int) time.Time { return time.Date(2022, m, d, h, 0, 0, 0, loc) }
			base := w.now.Add(time.Hour)
			render := func(now time.Time) map[string][]byte {
				root := w.clone(t)
				w.run(t, root, now, func(cfg *pipeline.Config) { cfg.Rebuild = true })
				return withoutStamp(outboxFiles(t, filepath.Join(root, "outbox")))
			}
			want := render(base)
			for _, now := range []time.Time{
				w.now.Add(5 * time.Hour), // later the same day
				at(5, 21, 9),             // the next day
				at(5, 23, 23),            // the last on-time day of cluster 1's opinions
				at(5, 24, 8),             // cluster 1's opinions overdue
				at(5, 28, 20),            // cluster 1's dialogue day
				at(5, 29, 8),             // cluster 1's dialogue over
				at(6, 30, 23),            // the quarter's last day
				at(7, 1, 0),              // the quarter over
				at(3, 20, 9),             // clock set back before the communes' plan deadline
			} {
				same := reflect.DeepEqual(uptodate.Clock(w.p, base, kind == pipeline.KindFull), uptodate.Clock(w.p, now, kind == pipeline.KindFull))
				d := diffFiles(want, render(now))
				switch {
				case same && d != "":
					t.Errorf("at %s the clock's facts are those of %s, but the outputs differ: %s", now.Format(time.RFC3339), base.Format(time.RFC3339), d)
				case !same && d == "":
					t.Errorf("at %s the clock's facts differ from those of %s, but no output does", now.Format(time.RFC3339), base.Format(time.RFC3339))
				}
			}
		})
	}
}
