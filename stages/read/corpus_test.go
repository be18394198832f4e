package read

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read/internal/readtest"
)

// TestRealWorldCorpus reads every hostile or odd real-world file of the
// shared corpus as a commune's submission: none may panic or return an
// error, every verdict is accepted or rejected with one file-level finding,
// and encrypted or pre-BIFF5 files get their own reasons.
func TestRealWorldCorpus(t *testing.T) {
	dir := filepath.Join(readtest.SharedDir(t), "corpus", "realworld")
	manifest, err := readtest.ReadManifest(dir)
	if err != nil {
		t.Skipf("no corpus manifest: %v", err)
	}
	rd := &Reader{Plan: plan.Default()}
	counts := map[string]int{}
	for _, name := range manifest.Files() {
		note := manifest[name]
		want := ""
		switch {
		case strings.Contains(note, "EncryptedPackage"), strings.Contains(note, "FILEPASS"), strings.Contains(note, "encrypted (manifest"):
			want = record.ReasonEncrypted
		case strings.Contains(note, "bare BIFF2"), strings.Contains(note, "bare BIFF3"), strings.Contains(note, "bare BIFF4"):
			want = record.ReasonUnsupported
		}
		sub := record.Submission{ID: name, Path: "29956/" + filepath.Base(name), ArchivePath: filepath.Join(dir, filepath.FromSlash(name)), FolderHint: "29956"}
		start := time.Now()
		wb, err := rd.Read(context.Background(), sub)
		if err != nil {
			t.Errorf("%s: error %v", name, err)
			continue
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Logf("%s: slow (%v)", name, d.Round(time.Millisecond))
		}
		counts[string(wb.Status)+" "+wb.Reason]++
		switch wb.Status {
		case record.StatusAccepted:
		case record.StatusRejected:
			if len(wb.Findings) != 1 || !strings.Contains(wb.Findings[0].Message, sub.Path) {
				t.Errorf("%s: rejected %s with findings %v", name, wb.Reason, messages(wb))
			}
		default:
			t.Errorf("%s: status %q", name, wb.Status)
		}
		if want != "" && wb.Reason != want {
			t.Errorf("%s: reason %q, want %q", name, wb.Reason, want)
		}
	}
	t.Logf("corpus verdicts: %v", counts)
}
