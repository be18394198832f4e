package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestStatusReadsTheLedgerOnly: `status` prints what was received from
// whom from the ledger alone — the same table once the inbox, the archive
// and the extracts are gone, so it reads no file.
func TestStatusReadsTheLedgerOnly(t *testing.T) {
	root, _ := workspace(t)
	if code, stdout, stderr := runCmd(append([]string{"run", "--now", "2022-05-20T09:00:00+07:00"}, dirs(root)...)...); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	state := filepath.Join(root, "state")
	code, before, stderr := runCmd("status", "--state", state)
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s\n%s", code, before, stderr)
	}
	// The communes' table: received dates, nothing missing that the demo sent.
	if !strings.Contains(before, "Thường Phước 1") || !regexp.MustCompile(`\b20/05\b`).MatchString(before) {
		t.Errorf("status does not show the received files:\n%s", before)
	}
	for _, d := range []string{filepath.Join(root, "inbox"), filepath.Join(state, "archive"), filepath.Join(state, "extracts")} {
		if err := os.Chmod(d, 0o700); err != nil {
			t.Fatal(err)
		}
		filepath.WalkDir(d, func(p string, _ os.DirEntry, _ error) error { os.Chmod(p, 0o700); return nil })
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}
	code, after, stderr := runCmd("status", "--state", state)
	if code != exitOK {
		t.Fatalf("status without inbox and archive: exit %d\n%s\n%s", code, after, stderr)
	}
	if table(after) != table(before) {
		t.Errorf("status changed once the files were gone:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// table is the communes' table of status's output (the runs below it
// carry durations).
func table(out string) string {
	head, _, _ := strings.Cut(out, "Các lần chạy gần nhất")
	return head
}
