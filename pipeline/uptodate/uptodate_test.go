package uptodate

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
)

// TestManifestRoundTrip: a saved manifest loads back the same, paths
// with spaces, quotes and non-ASCII letters included; a truncated,
// damaged or missing one is not used.
func TestManifestRoundTrip(t *testing.T) {
	state := t.TempDir()
	m := &Manifest{Fingerprint: "abc", RunID: 7, Now: time.Date(2022, 5, 20, 9, 0, 0, 0, time.UTC), Findings: 3,
		Outputs: []string{"index.html"},
		Files: []File{{Path: "index.html", Size: 10, ModNS: 1, Mode: 0o644},
			{Path: `phan-hoi/xã "A"/tệp 1.xlsx`, Size: 2, ModNS: 3, Mode: 0o600}},
		Dirs: []Dir{{Path: "phan-hoi", ModNS: -5, ChangeNS: 6, Mode: fs.ModeDir | 0o755}, {Path: `phan-hoi/xã "A"`, ModNS: 7, ChangeNS: 8, Mode: fs.ModeDir | 0o700}}}
	if err := m.Save(state); err != nil {
		t.Fatal(err)
	}
	got, ok, err := Load(state)
	if err != nil || !ok {
		t.Fatalf("load: %v, %v", ok, err)
	}
	if !got.Now.Equal(m.Now) {
		t.Errorf("now %v, want %v", got.Now, m.Now)
	}
	got.Now = m.Now
	if !reflect.DeepEqual(got, m) {
		t.Errorf("loaded %+v, saved %+v", got, m)
	}
	// A later run restamps the status page: a small file amends the
	// manifest; a stamp of another manifest's run is not used.
	later := m.Now.Add(time.Hour)
	restamped := File{Path: "index.html", Size: 10, ModNS: 99, Mode: 0o644}
	if err := got.Restamp(state, later, restamped); err != nil {
		t.Fatal(err)
	}
	if again, _, _ := Load(state); !again.Now.Equal(later) || again.Files[0] != restamped || again.Files[1] != m.Files[1] {
		t.Errorf("after the restamp: now %v, files %+v", again.Now, again.Files)
	}
	m.RunID = 8
	if err := m.Save(state); err != nil {
		t.Fatal(err)
	}
	if again, _, _ := Load(state); !again.Now.Equal(m.Now) || again.Files[0] != m.Files[0] {
		t.Errorf("a stamp of run 7 amended the manifest of run 8: now %v, files %+v", again.Now, again.Files)
	}

	path := filepath.Join(state, ManifestFile)
	b, _ := os.ReadFile(path)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"truncated", b[:len(b)-3]},
		{"garbage", []byte("not a manifest")},
		{"empty", nil},
	} {
		os.WriteFile(path, tc.b, 0o600)
		if _, ok, err := Load(state); ok || err != nil {
			t.Errorf("%s manifest: used %v, err %v", tc.name, ok, err)
		}
	}
	if err := Remove(state); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := Load(state); ok || err != nil {
		t.Errorf("removed manifest: used %v, err %v", ok, err)
	}
}

// TestDiff names the first difference between two listings.
func TestDiff(t *testing.T) {
	a := File{Path: "a", Size: 1, ModNS: 1}
	b := File{Path: "b", Size: 1, ModNS: 1}
	bTouched := File{Path: "b", Size: 1, ModNS: 2}
	for _, tc := range []struct {
		name            string
		recorded, found []File
		want            string
	}{
		{"same", []File{a, b}, []File{a, b}, ""},
		{"removed", []File{a, b}, []File{a}, "b: removed"},
		{"added", []File{a}, []File{a, b}, "b: added"},
		{"changed", []File{a, b}, []File{a, bTouched}, "b: changed"},
		{"first removed", []File{a, b}, []File{b}, "a: removed"},
		{"both empty", nil, nil, ""},
	} {
		if got := Diff(tc.recorded, tc.found); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestScan lists files only, sorted, temporaries of an unfinished write
// left out; a missing outbox is empty.
func TestScan(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b/x.txt", "a.txt", "b/.tmp-123-y.txt"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
	got, err := Scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range got {
		paths = append(paths, f.Path)
	}
	if want := []string{"a.txt", "b/x.txt"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("scan: %q, want %q", paths, want)
	}
	if got, err := Scan(filepath.Join(dir, "none")); err != nil || len(got) != 0 {
		t.Errorf("missing outbox: %v, %v", got, err)
	}
}

// TestFingerprint: each input changes it; the state folder's archive
// path does not (it changes nothing shown), nor a clock that keeps the
// same facts.
func TestFingerprint(t *testing.T) {
	p := plan.Default()
	loc := p.Location()
	base := Input{Full: true, Plan: p, ExtractKey: "k", FileTimeout: time.Minute,
		Submissions: []record.Submission{{ID: "aa", Path: "x/M1.xlsx", Seq: 1, ArchivePath: "/s/archive/aa",
			ReceivedAt: time.Date(2022, 5, 1, 9, 0, 0, 0, loc), FolderHint: "x"}},
		Now: time.Date(2022, 5, 20, 9, 0, 0, 0, loc)}
	fp := func(in Input) string {
		s, err := Fingerprint(in)
		if err != nil || s == "" {
			t.Fatalf("fingerprint: %q, %v", s, err)
		}
		return s
	}
	want := fp(base)
	refined, _ := plan.Parse(append(p.Source(), "\n# x\n"...), "x.yaml")
	for _, tc := range []struct {
		name string
		edit func(in *Input)
		same bool
	}{
		{"nothing", func(*Input) {}, true},
		{"archive path", func(in *Input) { in.Submissions[0].ArchivePath = "/elsewhere/aa" }, true},
		{"later the same day", func(in *Input) { in.Now = in.Now.Add(8 * time.Hour) }, true},
		{"the next day", func(in *Input) { in.Now = in.Now.AddDate(0, 0, 1) }, false},
		{"light", func(in *Input) { in.Full = false }, false},
		{"extract key", func(in *Input) { in.ExtractKey = "other" }, false},
		{"time budget", func(in *Input) { in.FileTimeout = 2 * time.Minute }, false},
		{"plan", func(in *Input) { in.Plan = refined }, false},
		{"hash", func(in *Input) { in.Submissions[0].ID = "bb" }, false},
		{"path", func(in *Input) { in.Submissions[0].Path = "y/M1.xlsx" }, false},
		{"seq", func(in *Input) { in.Submissions[0].Seq = 2 }, false},
		{"received", func(in *Input) { in.Submissions[0].ReceivedAt = in.Submissions[0].ReceivedAt.Add(time.Second) }, false},
		{"folder", func(in *Input) { in.Submissions[0].FolderHint = "" }, false},
		{"duplicate of", func(in *Input) { in.Submissions[0].DuplicateOf = "z/M1.xlsx" }, false},
		{"a submission more", func(in *Input) { in.Submissions = append(in.Submissions, in.Submissions[0]) }, false},
		{"skipped entry", func(in *Input) { in.Skipped = []record.Skip{{Path: "l", Reason: record.SkipLink}} }, false},
	} {
		in := base
		in.Submissions = append([]record.Submission(nil), base.Submissions...)
		tc.edit(&in)
		if got := fp(in); (got == want) != tc.same {
			t.Errorf("%s: same fingerprint %v, want %v", tc.name, got == want, tc.same)
		}
	}
}

// TestClock: the facts of the 2022 plan around its deadlines.
func TestClock(t *testing.T) {
	p := plan.Default()
	loc := p.Location()
	at := func(m time.Month, d, h int) time.Time { return time.Date(2022, m, d, h, 0, 0, 0, loc) }
	for _, tc := range []struct {
		now            time.Time
		full           bool
		day            string
		kHLate, qEnded bool
	}{
		{at(3, 25, 23), true, "2022-03-25", false, false},
		{at(3, 26, 0), true, "2022-03-26", true, false},
		{at(3, 26, 0), false, "", true, false},
		{at(6, 30, 23), false, "", true, false},
		{at(7, 1, 0), false, "", true, true},
		{at(7, 1, 0).UTC(), true, "2022-07-01", true, true}, // the plan's zone, whatever now's
	} {
		f := Clock(p, tc.now, tc.full)
		if f.Day != tc.day || f.CommunePlanLate != tc.kHLate || f.QuarterEnded != tc.qEnded || len(f.Clusters) != len(p.Clusters) {
			t.Errorf("%s full=%v: %+v", tc.now, tc.full, f)
		}
	}
}

// TestUnchanged: the outbox is told unchanged from its folders' stamps
// exactly when it holds the files listed (as Diff compares them); any
// change of a name or a file is seen, and a folder whose stamp moved
// makes it "not known" (the caller lists the outbox).
func TestUnchanged(t *testing.T) {
	if !hasChangeTimes(t) {
		t.Skip("the system gives folders no change time here: Unchanged always lists")
	}
	setup := func(t *testing.T) (string, *Manifest) {
		dir := t.TempDir()
		old := time.Now().Add(-time.Hour)
		for _, f := range []string{"index.html", "a/x.txt", "a/b/y.txt", "a/b/z.txt", "c/w.txt"} {
			p := filepath.Join(dir, filepath.FromSlash(f))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(f), 0o644)
			os.Chtimes(p, old, old)
		}
		os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
		l, err := List(dir)
		if err != nil {
			t.Fatal(err)
		}
		return dir, &Manifest{Files: l.Files, Dirs: l.Dirs}
	}
	for _, tc := range []struct {
		name   string
		change func(dir string)
		want   bool
	}{
		{"nothing", func(string) {}, true},
		{"a temporary at the top", func(d string) { os.WriteFile(filepath.Join(d, ".tmp-1-index.html"), nil, 0o644) }, true},
		{"file touched", func(d string) { os.Chtimes(filepath.Join(d, "a/b/y.txt"), time.Now(), time.Now()) }, false},
		{"file rewritten, same size and time", func(d string) {
			p := filepath.Join(d, "a/b/y.txt")
			fi, _ := os.Stat(p)
			os.WriteFile(p, []byte("A/B/Y.TXT"), 0o644)
			os.Chtimes(p, fi.ModTime(), fi.ModTime())
		}, true}, // as Diff: size and time are what is compared
		{"file grown", func(d string) { os.WriteFile(filepath.Join(d, "c/w.txt"), []byte("longer"), 0o644) }, false},
		{"file mode", func(d string) { os.Chmod(filepath.Join(d, "c/w.txt"), 0o600) }, false},
		{"file removed", func(d string) { os.Remove(filepath.Join(d, "a/x.txt")) }, false},
		{"file added deep", func(d string) { os.WriteFile(filepath.Join(d, "a/b/new.txt"), nil, 0o644) }, false},
		{"file added at the top", func(d string) { os.WriteFile(filepath.Join(d, "new.txt"), nil, 0o644) }, false},
		{"top file removed", func(d string) { os.Remove(filepath.Join(d, "index.html")) }, false},
		{"folder added", func(d string) { os.Mkdir(filepath.Join(d, "a/new"), 0o755) }, false},
		{"empty folder removed", func(d string) { os.Remove(filepath.Join(d, "empty")) }, false},
		{"file renamed", func(d string) { os.Rename(filepath.Join(d, "a/b/y.txt"), filepath.Join(d, "a/b/y2.txt")) }, false},
		{"file replaced by a folder", func(d string) {
			os.Remove(filepath.Join(d, "c/w.txt"))
			os.Mkdir(filepath.Join(d, "c/w.txt"), 0o755)
		}, false},
		{"folder replaced by a link", func(d string) {
			os.Rename(filepath.Join(d, "c"), filepath.Join(d, "c2"))
			os.Symlink("c2", filepath.Join(d, "c"))
		}, false},
		{"folder touched", func(d string) { os.Chtimes(filepath.Join(d, "a/b"), time.Now(), time.Now()) }, false},
		{"outbox gone", func(d string) { os.RemoveAll(d) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, m := setup(t)
			tc.change(dir)
			if got := m.Unchanged(dir); got != tc.want {
				t.Errorf("unchanged %v, want %v", got, tc.want)
			}
			// Whenever it says unchanged, a listing agrees.
			if m.Unchanged(dir) {
				l, err := List(dir)
				if err != nil || Diff(m.Files, l.Files) != "" {
					t.Errorf("unchanged, but the listing differs: %v %q", err, Diff(m.Files, l.Files))
				}
			}
		})
	}
}

// hasChangeTimes reports whether this system's folders have change times.
func hasChangeTimes(t testing.TB) bool {
	fi, err := os.Lstat(t.TempDir())
	return err == nil && changeNS(fi) != 0
}
