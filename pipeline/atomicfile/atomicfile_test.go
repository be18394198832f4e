package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var errFill = errors.New("fill failed")

// writers are the three ways to write; each gets the content to write and
// whether to fail after writing part of it.
var writers = []struct {
	name  string
	write func(path, content string, fail bool) error
}{
	{"Write", func(path, content string, fail bool) error {
		return Write(path, func(w io.Writer) error {
			half := len(content) / 2
			if _, err := io.WriteString(w, content[:half]); err != nil {
				return err
			}
			if fail {
				return errFill
			}
			_, err := io.WriteString(w, content[half:])
			return err
		})
	}},
	{"WriteBytes", func(path, content string, fail bool) error {
		if fail {
			return WriteBytes(filepath.Join(path, "not-a-dir-because-path-is-a-file"), []byte(content))
		}
		return WriteBytes(path, []byte(content))
	}},
	{"WriteWith", func(path, content string, fail bool) error {
		return WriteWith(path, func(tmp string) error {
			if filepath.Dir(tmp) != filepath.Dir(path) {
				return errors.New("temporary not in the target folder")
			}
			if filepath.Ext(tmp) != filepath.Ext(path) {
				return errors.New("temporary lost the extension")
			}
			if !IsTemp(tmp) {
				return errors.New("temporary not recognised by IsTemp")
			}
			half := len(content) / 2
			if err := os.WriteFile(tmp, []byte(content[:half]), 0o600); err != nil {
				return err
			}
			if fail {
				return errFill
			}
			return os.WriteFile(tmp, []byte(content), 0o600)
		})
	}},
}

func TestWriteCreatesAndReplaces(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "sub", "báo cáo.xlsx") // the folder is created
			if err := w.write(path, "first version", false); err != nil {
				t.Fatalf("create: %v", err)
			}
			if got := readFile(t, path); got != "first version" {
				t.Fatalf("created content %q", got)
			}
			if err := w.write(path, "second, longer version", false); err != nil {
				t.Fatalf("replace: %v", err)
			}
			if got := readFile(t, path); got != "second, longer version" {
				t.Fatalf("replaced content %q", got)
			}
			if err := w.write(path, "v3", false); err != nil {
				t.Fatalf("replace shorter: %v", err)
			}
			if got := readFile(t, path); got != "v3" {
				t.Fatalf("a shorter replacement must not keep the old tail: %q", got)
			}
			if names := listDir(t, filepath.Join(dir, "sub")); len(names) != 1 || names[0] != "báo cáo.xlsx" {
				t.Errorf("folder holds %q, want only the output (no temporaries)", names)
			}
		})
	}
}

func TestFailedWriteKeepsOldFile(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.csv")
			if err := os.WriteFile(path, []byte("old content"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := w.write(path, "new content that never lands", true)
			if err == nil {
				t.Fatal("a failing write reported success")
			}
			if w.name != "WriteBytes" && !errors.Is(err, errFill) {
				t.Errorf("error %v does not wrap the fill error", err)
			}
			if !strings.Contains(err.Error(), filepath.Base(path)) && w.name != "WriteBytes" {
				t.Errorf("error %q does not name the file", err)
			}
			if got := readFile(t, path); got != "old content" {
				t.Errorf("old file changed to %q", got)
			}
			if names := listDir(t, dir); len(names) != 1 || names[0] != "out.csv" {
				t.Errorf("folder holds %q after a failed write, want only out.csv", names)
			}
		})
	}
}

func TestFailedFirstWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.xlsx")
	err := Write(path, func(w io.Writer) error {
		_, _ = w.Write(bytes.Repeat([]byte("x"), 1<<16))
		return errFill
	})
	if !errors.Is(err, errFill) {
		t.Fatalf("err = %v, want the fill error", err)
	}
	if names := listDir(t, dir); len(names) != 0 {
		t.Errorf("folder holds %q, want nothing", names)
	}
}

func TestPanicInFillKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not propagate")
			}
		}()
		_ = WriteWith(path, func(tmp string) error {
			if err := os.WriteFile(tmp, []byte("partial"), 0o644); err != nil {
				return err
			}
			panic("writer crashed")
		})
	}()
	if got := readFile(t, path); got != "old" {
		t.Errorf("old file changed to %q", got)
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("folder holds %q after a panic, want only out.txt", names)
	}
}

func TestWriteIntoMissingFolderCreatesIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "c", "f.txt")
	if err := WriteBytes(path, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "x" {
		t.Errorf("content %q", got)
	}
}

func TestWriteFolderIsAFile(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "outbox")
	if err := os.WriteFile(blocker, []byte("a file, not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteBytes(filepath.Join(blocker, "f.txt"), []byte("x"))
	if err == nil {
		t.Fatal("writing under a file succeeded")
	}
	if !strings.Contains(err.Error(), "outbox") {
		t.Errorf("error %q does not name the folder", err)
	}
}

func TestWrittenFileIsReadableByOthers(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "report.xlsx")
			if err := w.write(path, "content", false); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != Mode {
				t.Errorf("mode %v, want %v (os.CreateTemp's 0600 must not leak into outputs)", got, Mode)
			}
		})
	}
}

func TestIsTemp(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{".tmp-123456.xlsx", true},
		{".tmp-abc", true},
		{filepath.Join("outbox", "phan-hoi", ".tmp-9.csv"), true},
		{"outbox/.tmp-9.csv", true},
		{"report.xlsx", false},
		{"tmp-123.xlsx", false},
		{".tmp", false},
		{"a.tmp-1", false},
		{".tmp-dir/report.xlsx", false}, // only the base name counts
		{"~$report.xlsx", false},
	}
	for _, tt := range tests {
		if got := IsTemp(tt.name); got != tt.want {
			t.Errorf("IsTemp(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCleanTemps(t *testing.T) {
	dir := t.TempDir()
	files := map[string]bool{ // path -> survives
		"report.xlsx":                 true,
		".tmp-111.xlsx":               false,
		"phan-hoi/29956/feedback.csv": true,
		"phan-hoi/29956/.tmp-222.csv": false,
		"data/.tmp-333.parquet":       false,
		"data/households.parquet":     true,
		".hidden":                     true,
		"tmp-444.xlsx":                true,
		"deep/a/b/c/.tmp-555":         false,
	}
	for p := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A folder whose name looks like a temporary is not removed.
	if err := os.MkdirAll(filepath.Join(dir, ".tmp-folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CleanTemps(dir); err != nil {
		t.Fatal(err)
	}
	for p, survives := range files {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		if exists := err == nil; exists != survives {
			t.Errorf("%s: exists=%v after CleanTemps, want %v", p, exists, survives)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".tmp-folder")); err != nil {
		t.Errorf("a folder was removed: %v", err)
	}
	// Cleaning twice, or a folder that does not exist, is not an error.
	if err := CleanTemps(dir); err != nil {
		t.Errorf("second CleanTemps: %v", err)
	}
	if err := CleanTemps(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("CleanTemps on a missing folder: %v", err)
	}
}

// A temporary left by a killed writer is what CleanTemps removes, and a
// later Write still succeeds next to it.
func TestLeftoverTempThenWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.xlsx")
	left := filepath.Join(dir, ".tmp-killed.xlsx")
	if err := os.WriteFile(left, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(path, []byte("whole")); err != nil {
		t.Fatal(err)
	}
	if err := CleanTemps(dir); err != nil {
		t.Fatal(err)
	}
	if names := listDir(t, dir); len(names) != 1 || names[0] != "out.xlsx" {
		t.Errorf("folder holds %q, want only out.xlsx", names)
	}
	if got := readFile(t, path); got != "whole" {
		t.Errorf("content %q", got)
	}
}

func TestPrivateModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("permissions are ACLs on Windows")
	}
	dir := filepath.Join(t.TempDir(), "data")
	p := filepath.Join(dir, "households.parquet")
	if err := WriteBytesMode(p, Private, []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{dir, PrivateDir}, {p, Private}} {
		fi, err := os.Stat(c.path)
		if err != nil || fi.Mode().Perm() != c.want {
			t.Errorf("%s: %v (%v), want %v", c.path, fi.Mode().Perm(), err, c.want)
		}
	}
	// An older version's loose tree is tightened; a read-only file stays
	// read-only; a link is left alone.
	ro := filepath.Join(dir, "sub", "copy")
	os.MkdirAll(filepath.Dir(ro), 0o755)
	os.WriteFile(ro, []byte("y"), 0o444)
	os.Chmod(dir, 0o755)
	os.Chmod(p, 0o644)
	target := filepath.Join(t.TempDir(), "outside")
	os.WriteFile(target, []byte("z"), 0o644)
	os.Symlink(target, filepath.Join(dir, "link"))
	if err := MakePrivate(dir); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Dir(ro): 0o700, p: 0o600, ro: 0o400, target: 0o644} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v (%v), want %v", path, fi.Mode().Perm(), err, want)
		}
	}
	if err := MakePrivate(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("missing folder: %v", err)
	}
}

// TestTempNameHidesExtension: while WriteMode fills a file, its temporary
// name neither matches the final name's extension (a reader globbing
// "data/*.parquet" must not open a half-written file) nor escapes IsTemp.
func TestTempNameHidesExtension(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "figures.parquet")
	var during []string
	err := WriteMode(path, Private, func(w io.Writer) error {
		during = listDir(t, dir)
		_, err := io.WriteString(w, "PAR1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(during) != 1 || !IsTemp(during[0]) || filepath.Ext(during[0]) == ".parquet" {
		t.Errorf("while writing, the folder held %v; want one temporary file without the .parquet extension", during)
	}
	if got := listDir(t, dir); len(got) != 1 || got[0] != "figures.parquet" {
		t.Errorf("after writing: %v", got)
	}
}
