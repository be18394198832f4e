package vntext

import (
	"archive/zip"
	"html"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// sharedDir returns ../shared beside the repository root, or skips.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared data not found at %s", shared)
	}
	return shared
}

var cellText = regexp.MustCompile(`<(?:t|text:p)(?:\s[^>]*)?>([^<]*)<`)

// fileStrings returns the text cells of a .xlsx/.xlsm/.ods file (read from
// its XML parts) or the lines of a UTF-8 .csv/.txt file.
func fileStrings(path string) []string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm", ".ods":
		z, err := zip.OpenReader(path)
		if err != nil {
			return nil // corrupt files are other packages' business
		}
		defer z.Close()
		var out []string
		for _, f := range z.File {
			if !strings.HasSuffix(f.Name, ".xml") || f.UncompressedSize64 > 20<<20 {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(rc, 20<<20))
			rc.Close()
			if err != nil {
				continue
			}
			for _, m := range cellText.FindAllSubmatch(b, -1) {
				out = append(out, html.UnescapeString(string(m[1])))
			}
		}
		return out
	case ".csv", ".txt":
		b, err := os.ReadFile(path)
		if err != nil || !utf8.Valid(b) {
			return nil
		}
		return strings.Split(string(b), "\n")
	}
	return nil
}

// TestRealFilesAreUnicode runs detection over the sample inbox (all of it
// typed in Unicode, checked by hand) and the real-world corpus (Western,
// Hebrew, Arabic, CJK, Cyrillic text and UTF-8 mojibake): no cell may be
// taken for TCVN3 or VNI, and cleaning and folding must not panic.
func TestRealFilesAreUnicode(t *testing.T) {
	shared := sharedDir(t)
	roots := []string{
		filepath.Join(shared, "samples", "2022", "inbox"),
		filepath.Join(shared, "corpus", "realworld"),
	}
	cells, files := 0, 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			strs := fileStrings(path)
			if len(strs) == 0 {
				return nil
			}
			files++
			for _, s := range strs {
				cells++
				if enc := Detect(s); enc != Unicode {
					t.Errorf("%s: Detect(%q) = %v", filepath.Base(path), s, enc)
				}
				_ = Clean(s)
				_ = Fold(s)
			}
			if enc := DetectColumn(strs); enc != Unicode {
				t.Errorf("%s: DetectColumn = %v", filepath.Base(path), enc)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
	if files == 0 {
		t.Skip("no readable files in the shared data")
	}
	t.Logf("%d cells in %d files", cells, files)
}
