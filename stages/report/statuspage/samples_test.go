package statuspage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/stages/aggregate"
	"doithoai/stages/read"
	"doithoai/stages/validate"
)

// textEscape escapes text as html/template does.
var textEscape = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;", `+`, "&#43;")

// TestSamples2022 reads, validates and aggregates the 2022 sample set as of
// its last batch, writes the page, and checks it against truth.json: every
// commune of the plan has its row, every file seen is listed, and each
// timeliness row of the truth shows as on time, late or missing.
func TestSamples2022(t *testing.T) {
	shared := truth.SharedDir()
	if shared == "" {
		t.Skip("../shared is not beside the repository")
	}
	dir := filepath.Join(shared, "samples", "2022")
	set, err := truth.Load(dir)
	if err != nil {
		t.Skipf("sample set 2022 not available: %v", err)
	}
	p, err := plan.Load(set.PlanPath())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// The submissions as ingest makes them: one per file in receipt order,
	// lock files ignored, the same bytes twice marked as a duplicate.
	var wbs []record.Workbook
	seenHash := map[string]string{}
	seq := int64(0)
	reader := &read.Reader{Plan: p}
	for _, b := range set.Batches {
		files := append([]string(nil), b.Files...)
		sort.Strings(files)
		for _, rel := range files {
			if strings.HasPrefix(filepath.Base(rel), "~$") {
				continue
			}
			full := filepath.Join(dir, "inbox", filepath.FromSlash(rel))
			raw, err := os.ReadFile(full)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(raw)
			seq++
			sub := record.Submission{
				ID: hex.EncodeToString(sum[:]), Path: rel, Size: int64(len(raw)), ReceivedAt: b.At,
				ArchivePath: full, Seq: seq,
			}
			if i := strings.IndexByte(rel, '/'); i >= 0 {
				sub.FolderHint = rel[:i]
			}
			if prev, ok := seenHash[sub.ID]; ok {
				sub.DuplicateOf = prev
			} else {
				seenHash[sub.ID] = rel
			}
			wb, err := reader.Read(ctx, sub)
			if err != nil {
				t.Fatalf("read %s: %v", rel, err)
			}
			wbs = append(wbs, wb)
		}
	}
	ds, err := validate.Validate(ctx, p, wbs)
	if err != nil {
		t.Fatal(err)
	}
	now := set.Batches[len(set.Batches)-1].At
	if err := aggregate.Aggregate(ctx, p, ds, now); err != nil {
		t.Fatal(err)
	}

	outbox := t.TempDir()
	page := render(t, Config{Outbox: outbox, Plan: p, Now: now}, ds)

	for _, c := range p.Communes() {
		cells(t, page, c.FullName()) // fails when the row is missing
	}
	for _, o := range ds.Submissions {
		subRow(t, page, textEscape.Replace(o.Path))
	}
	if n := strings.Count(page, `<td class="path">`); n != len(ds.Submissions) {
		t.Errorf("%d submissions listed, want %d", n, len(ds.Submissions))
	}

	for _, tl := range set.Aggregates.Timeliness {
		code, _ := tl["commune_code"].(string)
		form, _ := tl["form"].(string)
		c := p.Commune(code)
		if c == nil {
			t.Errorf("truth names commune %s, not in the plan", code)
			continue
		}
		cell := cells(t, page, c.FullName())[formIndex(record.Form(form))]
		var want string
		switch onTime, _ := tl["on_time"].(bool); {
		case tl["received_at"] == nil:
			want = "Chưa nộp"
		case tl["on_time"] == nil:
			want = "Đã nộp — được chấp nhận"
		case onTime:
			want = "Đúng hạn"
		default:
			want = "Trễ hạn"
		}
		if !strings.Contains(cell.html, want) {
			t.Errorf("%s %s: cell lacks %q: %s", c.FullName(), form, want, cell.html)
		}
		if tl["received_at"] == nil && !(cell.class == "missing" || cell.class == "overdue" || cell.class == "bad") {
			t.Errorf("%s %s: missing form has class %q", c.FullName(), form, cell.class)
		}
	}
	// M5 is only expected from the hosts.
	for _, cl := range p.Clusters {
		for _, c := range cl.Communes {
			cell := cells(t, page, c.FullName())[formIndex(record.FormM5)]
			if host := c.Code == cl.Host; host == (cell.class == "na") {
				t.Errorf("%s (host %v): M5 cell class %q", c.FullName(), host, cell.class)
			}
		}
	}
	if !strings.Contains(page, "Có 2 tệp không xác định được xã") {
		t.Error("the unknown-commune note is missing or wrong (unknown commune and conflict)")
	}
}
