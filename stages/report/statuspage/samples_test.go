package statuspage

import (
	"context"
	"strings"
	"testing"

	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
)

// textEscape escapes text as html/template does.
var textEscape = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;", `+`, "&#43;")

// TestSamples2022 runs the stages on the 2022 sample set as the pipeline's
// run after its last batch does, writes the page, and checks it against
// truth.json: every commune of the plan has its row, every file seen is
// listed, and each timeliness row of the truth shows as on time, late or
// missing.
func TestSamples2022(t *testing.T) {
	set, p := sampleds.Open(t, "2022")
	now := sampleds.LastAt(set, 0)
	ds, err := sampleds.Dataset(context.Background(), set, p, 0, now)
	if err != nil {
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
