package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/truth"
)

var (
	ict   = time.FixedZone("ICT", 7*3600)
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
)

// env is an inbox, a state folder and an open ledger.
type env struct {
	inbox, state string
	led          *ledger.Ledger
}

func newEnv(t *testing.T) *env {
	t.Helper()
	root := t.TempDir()
	e := &env{inbox: filepath.Join(root, "inbox"), state: filepath.Join(root, "state")}
	for _, d := range []string{e.inbox, e.state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	led, err := ledger.Open(context.Background(), e.state)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { led.Close() })
	e.led = led
	return e
}

// put writes a file into the inbox with the given modification time.
func (e *env) put(t *testing.T, rel string, content []byte, mtime time.Time) string {
	t.Helper()
	p := filepath.Join(e.inbox, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return p
}

// run does one ingest pass; now is the run's clock, real the wall clock.
func (e *env) run(t *testing.T, now, real time.Time, settle time.Duration) *Result {
	t.Helper()
	res, err := Run(context.Background(), e.led, Config{
		Inbox: e.inbox, State: e.state, Clock: clock.Fixed(now), Real: clock.Fixed(real),
		Settle: settle, Logger: quiet,
	})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// snapshot is the bytes and mtime of every file under dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = hash(b) + " " + fi.ModTime().UTC().Format(time.RFC3339Nano) + " " + fi.Mode().String()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func archiveFiles(t *testing.T, state string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(filepath.Join(state, "archive"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(state, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIgnored(t *testing.T) {
	tests := []struct {
		rel  string
		want bool
	}{
		{"29956/~$DS du kien thoat ngheo 2022 - TP1.xlsx", true}, // Excel owner file
		{"~$M1.xlsx", true},
		{"29956/.~lock.M1.xlsx#", true}, // LibreOffice lock
		{".~lock.M1.ods#", true},
		{".hidden", true},
		{"29956/.DS_Store", true},
		{"29956/~WRL0001.tmp", true}, // Word's temporary
		{"29956/M1.xlsx.tmp", true},
		{"29956/M1.TMP", true},
		{"29977/M2.xlsx.part", true},
		{"M2.xlsx.crdownload", true},
		{"M2.xlsx.partial", true},
		{"29956/.M1.xlsx.swp", true},
		{"Thumbs.db", true},
		{"29956/thumbs.db", true},
		{"29956/desktop.ini", true},
		{"README.md", true}, // the inbox's own README
		{"readme.txt", true},
		{"29956/README.md", false}, // a commune's note is a submission (rejected as not a spreadsheet)
		{"29956/M1.xlsx", false},
		{"Thường Thới Tiền/Danh sach.xlsx", false},
		{"29995/ghi chu gui huyen.txt", false},
		{"29980/Anh chup man hinh.png", false},
		{"29956/M1~$.xlsx", false},
		{"29956/M1 (1).xlsx", false},
		{"29956/tmp.xlsx", false},
		{"M3 LKB - Copy.xlsx", false},
	}
	for _, tt := range tests {
		if got := Ignored(tt.rel); got != tt.want {
			t.Errorf("Ignored(%q) = %v, want %v", tt.rel, got, tt.want)
		}
	}
}

func TestFolderHint(t *testing.T) {
	tests := map[string]string{
		"29956/M1.xlsx":                   "29956",
		"Thường Thới Tiền/sub/M1.xlsx":    "Thường Thới Tiền",
		"M1 - Phu Thuan A.xlsx":           "",
		"Long Khanh A/2022/quy 2/M1.xlsx": "Long Khanh A",
	}
	for rel, want := range tests {
		if got := FolderHint(rel); got != want {
			t.Errorf("FolderHint(%q) = %q, want %q", rel, got, want)
		}
	}
}

func TestReceive(t *testing.T) {
	e := newEnv(t)
	real := time.Now()
	old := real.Add(-time.Hour)
	files := map[string][]byte{
		"29956/DS du kien thoat ngheo 2022 - TP1.xlsx": []byte("PK\x03\x04 roster of Thường Phước 1"),
		"Thường Thới Tiền/Danh sach.xlsx":              []byte("PK\x03\x04 roster of the town"),
		"M1 - Phu Thuan A.xlsx":                        []byte("PK\x03\x04 flat roster"),
		"29956/2022/quy 2/M4 y kien.xlsx":              []byte("PK\x03\x04 opinions, deep in sub-folders"),
		"29980/Anh chup man hinh.png":                  []byte("\x89PNG screenshot"),
		"29956/README.md":                              []byte("a note from the commune"),
		"29977/M2_ThuongLac.xlsx":                      {}, // zero bytes: a submission (rejected later as corrupt)
	}
	ignored := map[string][]byte{
		"29956/~$DS du kien thoat ngheo 2022 - TP1.xlsx": []byte("owner"),
		"29956/.~lock.M1.ods#":                           []byte("lock"),
		".hidden":                                        []byte("x"),
		"~WRL0001.tmp":                                   []byte("x"),
		"29977/M2.xlsx.part":                             []byte("x"),
		"Thumbs.db":                                      []byte("x"),
		"README.md":                                      []byte("# Hộp thư đến"),
	}
	for rel, b := range files {
		e.put(t, rel, b, old)
	}
	for rel, b := range ignored {
		e.put(t, rel, b, old)
	}
	// Hidden folders are not looked into at all.
	e.put(t, ".git/config", []byte("x"), old)
	e.put(t, "29956/.cache/M1.xlsx", []byte("x"), old)

	before := snapshot(t, e.inbox)
	now := time.Date(2022, 3, 20, 9, 0, 0, 0, ict)
	res := e.run(t, now, real, time.Minute)

	var wantNew, wantIgnored []string
	for rel := range files {
		wantNew = append(wantNew, rel)
	}
	for rel := range ignored {
		wantIgnored = append(wantIgnored, rel)
	}
	if got := sorted(res.New); !equal(got, sorted(wantNew)) {
		t.Errorf("New = %q\nwant %q", got, sorted(wantNew))
	}
	if !equal(res.New, sorted(res.New)) {
		t.Errorf("a pass receives in path order: %q", res.New)
	}
	if got := sorted(res.Ignored); !equal(got, sorted(wantIgnored)) {
		t.Errorf("Ignored = %q\nwant %q", got, sorted(wantIgnored))
	}
	if len(res.Pending) != 0 {
		t.Errorf("Pending = %q", res.Pending)
	}
	if len(res.All) != len(files) {
		t.Fatalf("All has %d submissions, want %d", len(res.All), len(files))
	}
	for i, s := range res.All {
		b := files[s.Path]
		if s.Path != res.New[i] {
			t.Errorf("All[%d] = %s, want receipt order %s", i, s.Path, res.New[i])
		}
		if s.ID != hash(b) || s.Size != int64(len(b)) {
			t.Errorf("%s: id %s size %d, want %s %d", s.Path, s.ID, s.Size, hash(b), len(b))
		}
		if !s.ReceivedAt.Equal(now) {
			t.Errorf("%s: received %v, want the run's clock %v", s.Path, s.ReceivedAt, now)
		}
		if s.FolderHint != FolderHint(s.Path) || s.DuplicateOf != "" {
			t.Errorf("%s: hint %q duplicate %q", s.Path, s.FolderHint, s.DuplicateOf)
		}
		if i > 0 && s.Seq <= res.All[i-1].Seq {
			t.Errorf("%s: seq %d not after %d", s.Path, s.Seq, res.All[i-1].Seq)
		}
		// The archive holds the original bytes, content-addressed, read-only.
		want := filepath.Join(e.state, "archive", s.ID[:2], s.ID)
		if s.ArchivePath != want {
			t.Errorf("%s: archive %s, want %s", s.Path, s.ArchivePath, want)
		}
		got, err := os.ReadFile(s.ArchivePath)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: archived bytes differ (%v)", s.Path, err)
		}
		if fi, err := os.Stat(s.ArchivePath); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("%s: archive copy is writable (%v)", s.Path, fi.Mode())
		}
	}
	// The inbox is exactly as it was: same files, bytes, mtimes, modes.
	after := snapshot(t, e.inbox)
	if len(after) != len(before) {
		t.Errorf("inbox had %d files, now %d", len(before), len(after))
	}
	for rel, v := range before {
		if after[rel] != v {
			t.Errorf("inbox file %s changed: %s -> %s", rel, v, after[rel])
		}
	}
	// No temporary is left in the archive.
	for _, f := range archiveFiles(t, e.state) {
		if atomicfile.IsTemp(f) || strings.Contains(f, "incoming") {
			t.Errorf("temporary left in the archive: %s", f)
		}
	}

	// A later run receives nothing again and keeps the first receipt time.
	res2 := e.run(t, now.AddDate(0, 1, 0), real.Add(time.Hour), time.Minute)
	if len(res2.New) != 0 || len(res2.All) != len(files) {
		t.Errorf("second pass: new %q, %d submissions", res2.New, len(res2.All))
	}
	for _, s := range res2.All {
		if !s.ReceivedAt.Equal(now) {
			t.Errorf("%s: receipt time moved to %v", s.Path, s.ReceivedAt)
		}
	}

	// Everything is in the ledger, which another process can reopen.
	led2, err := ledger.Open(context.Background(), e.state)
	if err != nil {
		t.Fatal(err)
	}
	defer led2.Close()
	entries, err := led2.Entries(context.Background())
	if err != nil || len(entries) != len(files) {
		t.Fatalf("reopened ledger: %d entries (%v)", len(entries), err)
	}
	for i, en := range entries {
		if en.Path != res.All[i].Path || en.SHA256 != res.All[i].ID || !en.ReceivedAt.Equal(now) {
			t.Errorf("ledger entry %d = %+v", i, en)
		}
	}
}

// Completeness is judged on the wall clock and the file's own history:
// age of its mtime, or how long it has been seen unchanged. The run's clock
// (--now) never enters into it.
func TestCompleteness(t *testing.T) {
	const settle = 10 * time.Minute
	real := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		mtime time.Time
		want  bool // received in the first pass
	}{
		{"just written", real, false},
		{"written 9 minutes ago", real.Add(-9 * time.Minute), false},
		{"written exactly the settle interval ago", real.Add(-settle), true},
		{"written an hour ago", real.Add(-time.Hour), true},
		{"written years ago", real.AddDate(-3, 0, 0), true},
		{"mtime in the future (clock skew)", real.Add(time.Hour), false},
	}
	// Run clocks far in the past and the future: none changes the verdict.
	runClocks := []time.Time{
		time.Date(2022, 3, 20, 9, 0, 0, 0, ict),
		time.Date(2099, 1, 1, 0, 0, 0, 0, ict),
	}
	for _, tt := range tests {
		for _, now := range runClocks {
			t.Run(tt.name+" at "+now.Format("2006"), func(t *testing.T) {
				e := newEnv(t)
				e.put(t, "29956/M1.xlsx", []byte("roster"), tt.mtime)
				res := e.run(t, now, real, settle)
				if got := len(res.New) == 1; got != tt.want {
					t.Errorf("received = %v, want %v (new %q pending %q)", got, tt.want, res.New, res.Pending)
				}
				if !tt.want && (len(res.Pending) != 1 || res.Pending[0] != "29956/M1.xlsx" || len(res.All) != 0) {
					t.Errorf("pending %q, all %d", res.Pending, len(res.All))
				}
				if !tt.want && len(archiveFiles(t, e.state)) != 0 {
					t.Error("an incomplete file was archived")
				}
			})
		}
	}
}

// A file whose mtime cannot tell (in the future) is complete once it has
// been seen unchanged for the settle interval; any change starts over.
func TestSettleByHistory(t *testing.T) {
	const settle = 10 * time.Minute
	e := newEnv(t)
	t0 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	future := t0.Add(24 * time.Hour)
	now := time.Date(2022, 4, 20, 9, 0, 0, 0, ict)
	e.put(t, "a.xlsx", []byte("part one"), future)

	steps := []struct {
		name    string
		at      time.Duration // wall clock since t0
		rewrite []byte        // new content (with a new future mtime) before the pass
		want    bool          // received in this pass
	}{
		{"first sight", 0, nil, false},
		{"5 minutes unchanged", 5 * time.Minute, nil, false},
		{"grew", 8 * time.Minute, []byte("part one, part two"), false},
		{"10 minutes after first sight, 2 after the change", 10 * time.Minute, nil, false},
		{"17 minutes after the change", 17*time.Minute + 59*time.Second, nil, false},
		{"18 minutes after the change", 18 * time.Minute, nil, true},
		{"later", time.Hour, nil, false}, // already received
	}
	for i, s := range steps {
		if s.rewrite != nil {
			e.put(t, "a.xlsx", s.rewrite, future.Add(time.Duration(i)*time.Second))
		}
		res := e.run(t, now, t0.Add(s.at), settle)
		if got := len(res.New) == 1; got != s.want {
			t.Errorf("%s: received = %v, want %v", s.name, got, s.want)
		}
	}
	all, err := e.led.Entries(context.Background())
	if err != nil || len(all) != 1 {
		t.Fatalf("%d entries (%v)", len(all), err)
	}
	if all[0].SHA256 != hash([]byte("part one, part two")) {
		t.Error("the received bytes are not the complete file")
	}
}

// A file being copied (growing, mtime moving) is not received until it has
// stopped changing.
func TestGrowingFile(t *testing.T) {
	const settle = 10 * time.Minute
	e := newEnv(t)
	t0 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	now := time.Date(2022, 4, 20, 9, 0, 0, 0, ict)
	full := bytes.Repeat([]byte("dữ liệu "), 1000)

	e.put(t, "29974/M1.xlsx", full[:100], t0.Add(-time.Minute))
	if res := e.run(t, now, t0, settle); len(res.New) != 0 || len(res.Pending) != 1 {
		t.Fatalf("half-copied file: new %q pending %q", res.New, res.Pending)
	}
	e.put(t, "29974/M1.xlsx", full, t0.Add(2*time.Minute))
	if res := e.run(t, now, t0.Add(10*time.Minute), settle); len(res.New) != 0 {
		t.Fatalf("file changed 8 minutes ago was received")
	}
	res := e.run(t, now, t0.Add(12*time.Minute), settle)
	if len(res.New) != 1 || res.All[0].ID != hash(full) || res.All[0].Size != int64(len(full)) {
		t.Fatalf("complete file: new %q all %+v", res.New, res.All)
	}
}

// WaitSettle lets one `run` pick up a file that was just copied: it waits
// the settle interval (on the real clock) and looks again.
func TestWaitSettle(t *testing.T) {
	e := newEnv(t)
	e.put(t, "29956/M2.xlsx", []byte("just copied"), time.Now())
	now := time.Date(2022, 4, 20, 9, 0, 0, 0, ict)
	res, err := Run(context.Background(), e.led, Config{
		Inbox: e.inbox, State: e.state, Clock: clock.Fixed(now),
		Settle: 200 * time.Millisecond, WaitSettle: true, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 1 || len(res.Pending) != 0 {
		t.Errorf("new %q pending %q", res.New, res.Pending)
	}
	if !res.All[0].ReceivedAt.Equal(now) {
		t.Errorf("received at %v, want the run's clock", res.All[0].ReceivedAt)
	}

	// Without waiting, a fresh file stays pending.
	e2 := newEnv(t)
	e2.put(t, "29956/M2.xlsx", []byte("just copied"), time.Now())
	res, err = Run(context.Background(), e2.led, Config{
		Inbox: e2.inbox, State: e2.state, Clock: clock.Fixed(now), Settle: time.Hour, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.New) != 0 || len(res.Pending) != 1 {
		t.Errorf("no wait: new %q pending %q", res.New, res.Pending)
	}
}

func TestDuplicateBytes(t *testing.T) {
	e := newEnv(t)
	real := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	old := real.Add(-time.Hour)
	m3 := []byte("PK\x03\x04 delegates of Long Khánh B")
	t3 := time.Date(2022, 4, 20, 9, 0, 0, 0, ict)
	t4 := time.Date(2022, 5, 20, 10, 0, 0, 0, ict)

	e.put(t, "29983/M3 LKB.xlsx", m3, old)
	e.run(t, t3, real, time.Minute)
	e.put(t, "M3 LKB - Copy.xlsx", m3, old)
	res := e.run(t, t4, real, time.Minute)

	if len(res.New) != 1 || res.New[0] != "M3 LKB - Copy.xlsx" {
		t.Fatalf("new %q", res.New)
	}
	if len(res.All) != 2 {
		t.Fatalf("%d submissions", len(res.All))
	}
	first, copy := res.All[0], res.All[1]
	if first.DuplicateOf != "" || copy.DuplicateOf != "29983/M3 LKB.xlsx" || copy.ID != first.ID {
		t.Errorf("first %+v\ncopy %+v", first, copy)
	}
	if !copy.ReceivedAt.Equal(t4) || copy.ArchivePath != first.ArchivePath {
		t.Errorf("copy received %v archive %s", copy.ReceivedAt, copy.ArchivePath)
	}
	if got := archiveFiles(t, e.state); len(got) != 1 {
		t.Errorf("archive holds %q, want one copy of the bytes", got)
	}

	// The same bytes copied again over the same path (new mtime) are the
	// same submission.
	e.put(t, "29983/M3 LKB.xlsx", m3, old.Add(time.Minute))
	res = e.run(t, t4.Add(time.Hour), real, time.Minute)
	if len(res.New) != 0 || len(res.All) != 2 {
		t.Errorf("re-copied same bytes: new %q, %d submissions", res.New, len(res.All))
	}
}

// A corrected file saved over the old one at the same path is a new
// submission; the old one stays in the history and the archive.
func TestChangedFileSamePath(t *testing.T) {
	e := newEnv(t)
	real := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	v1 := []byte("M2 first version")
	v2 := []byte("M2 corrected version")
	t3 := time.Date(2022, 4, 20, 9, 0, 0, 0, ict)
	t4 := time.Date(2022, 5, 20, 10, 0, 0, 0, ict)
	e.put(t, "29956/M2.xlsx", v1, real.Add(-2*time.Hour))
	e.run(t, t3, real, time.Minute)
	e.put(t, "29956/M2.xlsx", v2, real.Add(-time.Hour))
	res := e.run(t, t4, real, time.Minute)
	if len(res.New) != 1 || len(res.All) != 2 {
		t.Fatalf("new %q, %d submissions", res.New, len(res.All))
	}
	if res.All[0].ID != hash(v1) || res.All[1].ID != hash(v2) || !res.All[1].ReceivedAt.Equal(t4) || res.All[1].DuplicateOf != "" {
		t.Errorf("history %+v", res.All)
	}
	for _, s := range res.All {
		if _, err := os.Stat(s.ArchivePath); err != nil {
			t.Errorf("archive of %s lost: %v", s.ID[:8], err)
		}
	}
}

// The path+size+mtime cache spares hashing an unchanged file: a file whose
// recorded size and mtime match is not read again.
func TestCacheSparesRehash(t *testing.T) {
	e := newEnv(t)
	real := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	old := real.Add(-time.Hour)
	now := time.Date(2022, 4, 20, 9, 0, 0, 0, ict)
	e.put(t, "29956/M1.xlsx", []byte("AAAAAAAA"), old)
	res := e.run(t, now, real, time.Minute)
	id := res.All[0].ID

	// Same size, same mtime, other bytes: only a re-read would notice.
	e.put(t, "29956/M1.xlsx", []byte("BBBBBBBB"), old)
	res = e.run(t, now, real, time.Minute)
	if len(res.New) != 0 || len(res.All) != 1 || res.All[0].ID != id {
		t.Errorf("the cached file was hashed again: new %q", res.New)
	}
	// A touched file (new mtime) is hashed again; unchanged bytes are the
	// same submission, changed bytes a new one.
	e.put(t, "29956/M1.xlsx", []byte("AAAAAAAA"), old.Add(time.Second))
	if res = e.run(t, now, real, time.Minute); len(res.New) != 0 {
		t.Errorf("touched file with the same bytes was received again")
	}
	e.put(t, "29956/M1.xlsx", []byte("CCCCCCCC"), old.Add(2*time.Second))
	if res = e.run(t, now, real, time.Minute); len(res.New) != 1 || res.All[1].ID != hash([]byte("CCCCCCCC")) {
		t.Errorf("changed bytes behind a new mtime: new %q", res.New)
	}
}

func TestSymlinksNotFollowed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	e := newEnv(t)
	outside := filepath.Join(t.TempDir(), "secret.xlsx")
	if err := os.WriteFile(outside, []byte("not for the pipeline"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(e.inbox, "link.xlsx")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(e.inbox, "linkdir")); err != nil {
		t.Fatal(err)
	}
	res := e.run(t, time.Now(), time.Now(), 0)
	if len(res.New) != 0 || len(res.All) != 0 {
		t.Errorf("symlinks followed: %q", res.New)
	}
}

func TestRunErrors(t *testing.T) {
	e := newEnv(t)
	_, err := Run(context.Background(), e.led, Config{Inbox: filepath.Join(e.inbox, "missing"), State: e.state, Logger: quiet})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing inbox: %v", err)
	}

	e.put(t, "a.xlsx", []byte("x"), time.Now().Add(-time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, e.led, Config{Inbox: e.inbox, State: e.state, Logger: quiet}); err == nil {
		t.Error("a cancelled pass succeeded")
	}
	if entries, _ := e.led.Entries(context.Background()); len(entries) != 0 {
		t.Errorf("a cancelled pass recorded %d files", len(entries))
	}
}

// Without a run clock the wall clock is used.
func TestDefaultClocks(t *testing.T) {
	e := newEnv(t)
	e.put(t, "a.xlsx", []byte("x"), time.Now().Add(-time.Hour))
	before := time.Now()
	res, err := Run(context.Background(), e.led, Config{Inbox: e.inbox, State: e.state, Settle: time.Minute, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.All) != 1 || res.All[0].ReceivedAt.Before(before.Add(-time.Second)) {
		t.Errorf("all %+v", res.All)
	}
}

// A copy into the archive interrupted by a killed run leaves a temporary
// that atomicfile.CleanTemps (run on State/archive at each start) removes.
func TestArchiveTemporariesAreCleanable(t *testing.T) {
	name := strings.Replace(tempPattern, "*", "123456", 1)
	if !atomicfile.IsTemp(name) {
		t.Fatalf("archive temporary %q is not recognised by atomicfile.IsTemp", name)
	}
	e := newEnv(t)
	dir := filepath.Join(e.state, "archive")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte("half a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.put(t, "a.xlsx", []byte("whole"), time.Now().Add(-time.Hour))
	e.run(t, time.Now(), time.Now(), time.Minute)
	if err := atomicfile.CleanTemps(dir); err != nil {
		t.Fatal(err)
	}
	got := archiveFiles(t, e.state)
	if len(got) != 1 || got[0] != "archive/"+hash([]byte("whole"))[:2]+"/"+hash([]byte("whole")) {
		t.Errorf("archive after CleanTemps: %q", got)
	}
}

func TestSubmissions(t *testing.T) {
	at := time.Date(2022, 4, 20, 9, 0, 0, 0, ict)
	entries := []ledger.Entry{
		{Seq: 1, SHA256: "aa11", Path: "29983/M3 LKB.xlsx", Archive: "archive/aa/aa11", ReceivedAt: at},
		{Seq: 2, SHA256: "bb22", Path: "29956/M2.xlsx", Archive: "archive/bb/bb22", ReceivedAt: at},
		{Seq: 3, SHA256: "aa11", Path: "M3 LKB - Copy.xlsx", Archive: "archive/aa/aa11", ReceivedAt: at},
		{Seq: 4, SHA256: "cc33", Path: "29956/M2.xlsx", Archive: "archive/cc/cc33", ReceivedAt: at},
		{Seq: 5, SHA256: "aa11", Path: "29983/copy 2/M3.xlsx", Archive: "archive/aa/aa11", ReceivedAt: at},
	}
	subs := Submissions("/state", entries)
	want := []struct{ dup, hint string }{
		{"", "29983"}, {"", "29956"}, {"29983/M3 LKB.xlsx", ""}, {"", "29956"}, {"29983/M3 LKB.xlsx", "29983"},
	}
	for i, s := range subs {
		if s.DuplicateOf != want[i].dup || s.FolderHint != want[i].hint || s.Seq != entries[i].Seq || s.ID != entries[i].SHA256 {
			t.Errorf("submission %d = %+v, want dup %q hint %q", i, s, want[i].dup, want[i].hint)
		}
		if s.ArchivePath != filepath.Join("/state", filepath.FromSlash(entries[i].Archive)) {
			t.Errorf("submission %d archive %s", i, s.ArchivePath)
		}
	}
}

// The 2022 sample set, replayed batch by batch: every file is identified
// by the sha256 the truth gives, lock files are ignored, and the copy of
// 29983/M3 LKB.xlsx is a duplicate of it.
func TestSampleSet2022(t *testing.T) {
	shared := truth.SharedDir()
	if shared == "" {
		t.Skip("shared folder absent")
	}
	set, err := truth.Load(filepath.Join(shared, "samples", "2022"))
	if err != nil {
		t.Skipf("sample set: %v", err)
	}
	e := newEnv(t)
	received := map[string]time.Time{}
	for _, b := range set.Batches {
		if err := set.CopyBatch(b.Batch, e.inbox); err != nil {
			t.Fatal(err)
		}
		res := e.run(t, b.At, time.Now(), time.Minute)
		if len(res.Pending) != 0 {
			t.Errorf("batch %d: pending %q", b.Batch, res.Pending)
		}
		for _, p := range res.New {
			received[p] = b.At
		}
	}
	subs, err := e.led.Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all := Submissions(e.state, subs)
	byPath := map[string]int{}
	for i, s := range all {
		byPath[s.Path] = i
	}
	for _, f := range set.Files {
		i, ok := byPath[f.Path]
		if f.Expect == "ignored" {
			if ok {
				t.Errorf("%s (%s) was received", f.Path, f.Format)
			}
			continue
		}
		if !ok {
			t.Errorf("%s was not received", f.Path)
			continue
		}
		s := all[i]
		if s.ID != f.SHA256 {
			t.Errorf("%s: id %s, truth %s", f.Path, s.ID, f.SHA256)
		}
		if b := set.Batches[f.Batch-1]; !s.ReceivedAt.Equal(b.At) || !received[f.Path].Equal(b.At) {
			t.Errorf("%s: received %v, want batch %d at %v", f.Path, s.ReceivedAt, f.Batch, b.At)
		}
		wantDup := ""
		if strings.HasPrefix(f.Expect, "same_as:") {
			wantDup = strings.TrimPrefix(f.Expect, "same_as:")
		}
		if s.DuplicateOf != wantDup {
			t.Errorf("%s: duplicate of %q, want %q", f.Path, s.DuplicateOf, wantDup)
		}
		got, err := os.ReadFile(s.ArchivePath)
		if err != nil || hash(got) != f.SHA256 {
			t.Errorf("%s: archive copy wrong (%v)", f.Path, err)
		}
	}
}
