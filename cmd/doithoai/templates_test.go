package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTemplatesCommand: `templates` writes the five forms of every commune
// of the plan, or of the one commune named; an unknown commune is a usage
// error with a Vietnamese message.
func TestTemplatesCommand(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "mau")
	state := filepath.Join(root, "state") // no plan stored: the embedded one
	code, stdout, stderr := runCmd("templates", "--out", out, "--state", state)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Đã ghi 50 biểu mẫu trống") || !strings.Contains(stdout, "29956-thuong-phuoc-1/") {
		t.Errorf("stdout:\n%s", stdout)
	}
	folders, _ := os.ReadDir(out)
	n := 0
	for _, d := range folders {
		if !d.IsDir() {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(out, d.Name(), "M[1-5]-*.xlsx"))
		if len(files) != 5 {
			t.Errorf("%s holds %d forms", d.Name(), len(files))
		}
		n++
	}
	if n != 10 {
		t.Errorf("%d commune folders, want 10", n)
	}

	one := filepath.Join(root, "mot-xa")
	code, stdout, stderr = runCmd("templates", "--out", one, "--state", state, "--commune", "thi tran thuong thoi tien")
	if code != exitOK || !strings.Contains(stdout, "thị trấn Thường Thới Tiền") {
		t.Fatalf("one commune: exit %d\n%s\n%s", code, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(one, "*", "*.xlsx"))
	if len(files) != 5 || !strings.Contains(files[0], "29971-thuong-thoi-tien") {
		t.Errorf("one commune wrote %v", files)
	}

	code, _, stderr = runCmd("templates", "--out", one, "--state", state, "--commune", "Xã Không Có")
	if code != exitUsage || !strings.Contains(stderr, "không có xã") {
		t.Errorf("unknown commune: exit %d, %q", code, stderr)
	}
}
