package report_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doithoai/stages/report/quarterly/xl/xldiff"
)

// TestOutboxesSame compares two outboxes written from the same inbox, for
// example by main's binary and by this branch's (set
// DOITHOAI_COMPARE_OUTBOXES="old-outbox new-outbox"; skipped otherwise):
// the same files, every workbook the same through xldiff (cell by cell,
// style by style), every other file byte for byte (the feedback manifest
// aside: it names no content, only fingerprints of the layout).
func TestOutboxesSame(t *testing.T) {
	dirs := strings.Fields(os.Getenv("DOITHOAI_COMPARE_OUTBOXES"))
	if len(dirs) != 2 {
		t.Skip("DOITHOAI_COMPARE_OUTBOXES is not \"old-outbox new-outbox\"")
	}
	list := func(dir string) map[string]bool {
		out := map[string]bool{}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			out[rel] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := list(dirs[0]), list(dirs[1])
	for rel := range b {
		if !a[rel] {
			t.Errorf("%s only in %s", rel, dirs[1])
		}
	}
	books, cells, same := 0, 0, 0
	for rel := range a {
		if !b[rel] {
			t.Errorf("%s only in %s", rel, dirs[0])
			continue
		}
		pa, pb := filepath.Join(dirs[0], rel), filepath.Join(dirs[1], rel)
		if strings.HasSuffix(rel, ".xlsx") {
			n, diffs, err := xldiff.Files(pa, pb)
			if err != nil {
				t.Fatal(err)
			}
			books++
			cells += n
			for i, d := range diffs {
				if i == 5 {
					t.Errorf("%s: … %d differences", rel, len(diffs))
					break
				}
				t.Errorf("%s: %s", rel, d)
			}
			continue
		}
		if filepath.Base(rel) == ".manifest.json" {
			continue
		}
		x, err := os.ReadFile(pa)
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(pb)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs", rel)
			continue
		}
		same++
	}
	t.Logf("%d files; %d workbooks (%d cells) compared through excelize, %d other files byte for byte", len(a), books, cells, same)
}
