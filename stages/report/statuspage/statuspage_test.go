package statuspage

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/quarterly/xl/fixture"
)

// at parses "2006-01-02 15:04" in Viet Nam's time zone.
var at = fixture.At

func boolp(b bool) *bool { return &b }

// datedPlan is the default 2022 plan with cluster 1's dialogue on
// 2022-05-24 (opinions due 2022-05-19).
func datedPlan(t *testing.T) *plan.Plan {
	t.Helper()
	y := strings.Replace(string(plan.DefaultYAML()), "dialogue_date: null", "dialogue_date: 2022-05-24", 1)
	p, err := plan.Parse([]byte(y), "test plan")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// outcome builds an outcome; id doubles as the hash.
func outcome(id, path, commune string, form record.Form, status record.Status, reason string, recv string, seq int64) record.SubmissionOutcome {
	return record.SubmissionOutcome{
		Submission: record.Submission{ID: id, Path: path, ReceivedAt: at(recv), Seq: seq},
		Form:       form, CommuneCode: commune, Status: status, Reason: reason,
	}
}

// handDataset covers every state of a cell and of a submission.
func handDataset() *record.Dataset {
	subs := []record.SubmissionOutcome{
		// 29956 (Thường Phước 1): KH on time; M1 sent twice (the first superseded).
		outcome("kh56", "29956/KH TP1.docx", "29956", record.FormKH, record.StatusAccepted, "", "2022-03-20 09:00", 1),
		outcome("m1a56", "29956/M1 TP1.xlsx", "29956", record.FormM1, record.StatusAccepted, "", "2022-03-20 09:00", 2),
		outcome("m1b56", "29956/M1 TP1 (da sua).xlsx", "29956", record.FormM1, record.StatusAccepted, "", "2022-04-20 09:00", 10),
		// 29971 (Thường Thới Tiền): KH late.
		outcome("kh71", "29971/KH.pdf", "29971", record.FormKH, record.StatusAccepted, "", "2022-03-28 14:00", 3),
		// 29977 (Thường Lạc): M2 rejected as corrupt, nothing else.
		outcome("m277", "29977/M2_ThuongLac.xlsx", "29977", record.FormM2, record.StatusRejected, record.ReasonCorrupt, "2022-04-20 09:00", 11),
		// 29983 (Long Khánh B): M3 accepted, then the same bytes again.
		outcome("m383", "29983/M3 LKB.xlsx", "29983", record.FormM3, record.StatusAccepted, "", "2022-04-20 09:00", 12),
		outcome("m383", "M3 LKB - Copy.xlsx", "29983", record.FormM3, record.StatusDuplicate, "", "2022-05-20 10:00", 20),
		// 29962 (Thường Thới Hậu A): M2 accepted, then a correction that is not a spreadsheet.
		outcome("m262", "29962/M2 TTHA.xlsx", "29962", record.FormM2, record.StatusAccepted, "", "2022-04-20 09:00", 13),
		outcome("m262b", "29962/M2 TTHA.xlsx.png", "29962", record.FormM2, record.StatusRejected, record.ReasonNotSpreadsheet, "2022-05-20 10:00", 21),
		// A commune that is not in the plan.
		outcome("unk", "Thuong Thoi Hau B/M2 Thuong Thoi Hau B.xlsx", "", record.FormM2, record.StatusRejected, record.ReasonUnknownCommune, "2022-04-20 09:00", 14),
		// 29971: M4 received after the cluster's opinion deadline (2022-05-19).
		outcome("m471", "29971/M4.xlsx", "29971", record.FormM4, record.StatusAccepted, "", "2022-05-20 10:00", 22),
	}
	subs[1].SupersededBy = "m1b56"
	subs[6].DuplicateOf = "29983/M3 LKB.xlsx"
	subs[9].FolderHint = "Thuong Thoi Hau B"
	ds := &record.Dataset{
		Submissions: subs,
		Sources: record.Workbooks{{
			Submission: subs[9].Submission, Form: record.FormM2, HeaderName: "UBND XÃ THƯỜNG THỚI HẬU B",
			Status: record.StatusRejected, Reason: record.ReasonUnknownCommune,
		}},
		Findings: []record.Finding{
			{SubmissionID: "unk", Path: subs[9].Path, Code: "rejected", Severity: record.Error,
				Message: "Tệp ghi UBND XÃ THƯỜNG THỚI HẬU B, không có trong kế hoạch năm 2022."},
			{SubmissionID: "m262", Path: "29962/M2 TTHA.xlsx", Row: 9, Column: "phone", Code: "invalid-phone", Severity: record.Error, Message: "Số điện thoại sai"},
			{SubmissionID: "m262", Path: "29962/M2 TTHA.xlsx", Row: 10, Column: "citizen_id", Code: "id-leading-zero-restored", Severity: record.Warning, Message: "Đã bổ sung số 0"},
			{SubmissionID: "m471", Path: "29971/M4.xlsx", Code: "late", Severity: record.Warning, Message: "Nộp trễ hạn"},
		},
		Borderline: []record.CandidatePair{{NameA: "Nguyễn Văn Hùng", NameB: "Nguyen Van Hung", Score: 0.9}},
		Timeliness: []record.Timeliness{
			{CommuneCode: "29956", Form: record.FormKH, ReceivedAt: at("2022-03-20 09:00"), Deadline: at("2022-03-25 00:00"), OnTime: boolp(true), SubmissionID: "kh56"},
			{CommuneCode: "29971", Form: record.FormKH, ReceivedAt: at("2022-03-28 14:00"), Deadline: at("2022-03-25 00:00"), OnTime: boolp(false), SubmissionID: "kh71"},
			{CommuneCode: "29974", Form: record.FormKH, Deadline: at("2022-03-25 00:00")},
			{CommuneCode: "29971", Form: record.FormM4, ReceivedAt: at("2022-05-20 10:00"), Deadline: at("2022-05-19 00:00"), OnTime: boolp(false), SubmissionID: "m471"},
		},
	}
	return ds
}

// writeFeedback creates a feedback file for every submission and returns
// the map the report stage passes. The duplicate gets its own file under
// its "<ID>|<path>" key.
func writeFeedback(t *testing.T, outbox string, ds *record.Dataset) map[string]string {
	t.Helper()
	links := map[string]string{}
	for _, o := range ds.Submissions {
		rel := "phan-hoi/" + o.ID + " - phan-hoi.xlsx"
		key := o.ID
		if o.Status == record.StatusDuplicate {
			rel = "phan-hoi/" + o.ID + "-trung - phan-hoi.xlsx"
			key = o.ID + "|" + o.Path
		}
		links[key] = rel
		full := filepath.Join(outbox, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return links
}

// render writes the page and returns its text.
func render(t *testing.T, cfg Config, ds *record.Dataset) string {
	t.Helper()
	paths, err := Write(context.Background(), cfg, ds)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(cfg.Outbox, "index.html")
	if len(paths) != 1 || paths[0] != want {
		t.Fatalf("Write returned %v, want [%s]", paths, want)
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cells returns the matrix cells (class and inner HTML) of a commune's row,
// in record.Forms order.
func cells(t *testing.T, page, commune string) []cell {
	t.Helper()
	i := strings.Index(page, `<td class="commune">`+commune+`<small>`)
	if i < 0 {
		t.Fatalf("no matrix row for %s", commune)
	}
	row := page[i:]
	row = row[:strings.Index(row, "</tr>")]
	var out []cell
	for _, m := range cellRE.FindAllStringSubmatch(row, -1) {
		out = append(out, cell{class: m[1], html: m[2]})
	}
	if len(out) != len(record.Forms) {
		t.Fatalf("%s: %d cells, want %d:\n%s", commune, len(out), len(record.Forms), row)
	}
	return out
}

type cell struct{ class, html string }

var cellRE = regexp.MustCompile(`(?s)<td class="cell ([a-z]+)">(.*?)</td>`)

func formIndex(f record.Form) int {
	for i, g := range record.Forms {
		if g == f {
			return i
		}
	}
	panic("no form " + f)
}

// subRow returns the submission table row that shows path (escaped).
func subRow(t *testing.T, page, path string) string {
	t.Helper()
	i := strings.Index(page, `<td class="path">`+path+`</td>`)
	if i < 0 {
		t.Fatalf("no submission row for %s", path)
	}
	start := strings.LastIndex(page[:i], "<tr>")
	end := i + strings.Index(page[i:], "</tr>")
	return page[start:end]
}

func TestMatrixCells(t *testing.T) {
	outbox := t.TempDir()
	ds := handDataset()
	p := datedPlan(t)
	cfg := Config{Outbox: outbox, Plan: p, Now: at("2022-05-21 08:30"), Feedback: writeFeedback(t, outbox, ds)}
	page := render(t, cfg, ds)

	tests := []struct {
		name    string
		commune string
		form    record.Form
		class   string
		want    []string
		notWant []string
	}{
		{"on time", "xã Thường Phước 1", record.FormKH, "ok",
			[]string{"✔", "Đã nộp — được chấp nhận", "Nhận lúc 20/03/2022 09:00", "Đúng hạn (hạn 25/03/2022)", `href="./phan-hoi/kh56%20-%20phan-hoi.xlsx"`}, []string{"Trễ hạn"}},
		{"late", "thị trấn Thường Thới Tiền", record.FormKH, "warn",
			[]string{"⚠", "Trễ hạn (hạn 25/03/2022)", "Nhận lúc 28/03/2022 14:00"}, []string{"Đúng hạn"}},
		{"late opinions", "thị trấn Thường Thới Tiền", record.FormM4, "warn",
			[]string{"Trễ hạn (hạn 19/05/2022)", "0 lỗi, 1 cảnh báo"}, nil},
		{"missing, deadline passed", "xã Thường Phước 2", record.FormKH, "overdue",
			[]string{"Chưa nộp", "Đã quá hạn 25/03/2022"}, []string{"<a "}},
		{"missing, deadline ahead is unknown", "xã Thường Phước 2", record.FormM1, "missing",
			[]string{"○", "Chưa nộp"}, []string{"hạn"}},
		{"missing, plan deadline still ahead", "xã Thường Lạc", record.FormM4, "missing",
			[]string{"Chưa nộp"}, []string{"quá hạn"}},
		{"missing opinions, deadline from the plan", "xã Thường Phước 2", record.FormM4, "overdue",
			[]string{"Chưa nộp", "Đã quá hạn 19/05/2022"}, nil},
		{"rejected", "xã Thường Lạc", record.FormM2, "bad",
			[]string{"✘", "Chưa nộp được — tệp bị từ chối", "Tệp hỏng, không mở được", `href="./phan-hoi/m277%20-%20phan-hoi.xlsx"`}, []string{"Đã nộp"}},
		{"duplicate after the file in use", "xã Long Khánh B", record.FormM3, "ok",
			[]string{"Đã nộp — được chấp nhận", "Có tệp gửi trùng (không xử lý lại)"}, []string{"trung - phan-hoi"}},
		{"rejected correction after the file in use", "xã Thường Thới Hậu A", record.FormM2, "warn",
			[]string{"Đã nộp — được chấp nhận", "1 lỗi, 1 cảnh báo", "Tệp gửi sau bị từ chối: Không phải bảng tính",
				`href="./phan-hoi/m262%20-%20phan-hoi.xlsx"`, `href="./phan-hoi/m262b%20-%20phan-hoi.xlsx"`}, nil},
		{"replaced file", "xã Thường Phước 1", record.FormM1, "ok",
			[]string{"Đã thay 1 tệp gửi trước", "Nhận lúc 20/04/2022 09:00", `href="./phan-hoi/m1b56%20-%20phan-hoi.xlsx"`}, []string{"m1a56"}},
		{"M5 of a commune that does not host", "xã Thường Phước 1", record.FormM5, "na",
			[]string{"Không áp dụng"}, nil},
		{"M5 of the host, missing before the dialogue", "thị trấn Thường Thới Tiền", record.FormM5, "missing",
			[]string{"Chưa nộp", "Nộp sau buổi đối thoại ngày 24/05/2022"}, nil},
		{"M5 of a host whose dialogue date is not set", "xã Thường Thới Hậu A", record.FormM5, "missing",
			[]string{"Chưa nộp"}, []string{"đối thoại"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cells(t, page, tc.commune)[formIndex(tc.form)]
			if c.class != tc.class {
				t.Errorf("class %q, want %q; cell: %s", c.class, tc.class, c.html)
			}
			for _, w := range tc.want {
				if !strings.Contains(c.html, w) {
					t.Errorf("cell lacks %q: %s", w, c.html)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(c.html, w) {
					t.Errorf("cell has %q: %s", w, c.html)
				}
			}
		})
	}

	for _, w := range []string{
		"<title>Tình hình nộp biểu mẫu đối thoại chính sách giảm nghèo năm 2022 — Huyện Hồng Ngự</title>",
		"Cập nhật lúc 21/05/2022 08:30",
		"chỉ do xã chủ trì của mỗi cụm nộp",
		"Đã nhận 11 tệp", "7 tệp được chấp nhận (1 tệp đã được thay bằng tệp mới hơn)", "3 tệp bị từ chối", "1 tệp gửi trùng",
		"2 lỗi, 2 cảnh báo", "1 cặp hộ nghi trùng chờ cán bộ quyết định",
		"Có 1 tệp không xác định được xã",
		"<td>Đã nộp 2/10</td>", // KH: 29956 and 29971 of the 10 communes
		"<td>Đã nộp 0/4</td>",  // M5: four hosts
	} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("the page has a script")
	}
	if regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(page) {
		t.Error("the page refers to an external resource")
	}
}

func TestSubmissionList(t *testing.T) {
	outbox := t.TempDir()
	ds := handDataset()
	cfg := Config{Outbox: outbox, Plan: datedPlan(t), Now: at("2022-05-21 08:30"), Feedback: writeFeedback(t, outbox, ds)}
	page := render(t, cfg, ds)

	tests := []struct {
		name string
		path string
		want []string
	}{
		{"accepted", "29956/KH TP1.docx", []string{"20/03/2022 09:00", "xã Thường Phước 1", "<td>KH</td>", `<td class="verdict ok">Được chấp nhận</td>`, `href="./phan-hoi/kh56%20-%20phan-hoi.xlsx"`}},
		{"superseded", "29956/M1 TP1.xlsx", []string{`<td class="verdict old">Được chấp nhận — đã có tệp mới hơn thay thế</td>`}},
		{"rejected", "29977/M2_ThuongLac.xlsx", []string{`<td class="verdict bad">Bị từ chối</td>`, "Tệp hỏng, không mở được", "xã Thường Lạc"}},
		{"duplicate", "M3 LKB - Copy.xlsx", []string{"Gửi trùng — không xử lý lại", "giống hệt tệp 29983/M3 LKB.xlsx đã nhận", `href="./phan-hoi/m383-trung%20-%20phan-hoi.xlsx"`}},
		{"unknown commune", "Thuong Thoi Hau B/M2 Thuong Thoi Hau B.xlsx", []string{"Không xác định", "đầu tệp ghi: UBND XÃ THƯỜNG THỚI HẬU B", "thư mục: Thuong Thoi Hau B",
			"Không xác định được xã (không có trong kế hoạch)", "không có trong kế hoạch năm 2022"}},
		{"accepted with findings", "29962/M2 TTHA.xlsx", []string{"1 lỗi, 1 cảnh báo", `<td class="verdict ok">`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			row := subRow(t, page, tc.path)
			for _, w := range tc.want {
				if !strings.Contains(row, w) {
					t.Errorf("row lacks %q:\n%s", w, row)
				}
			}
		})
	}
	// A rejected file's findings are its message, not a count.
	if row := subRow(t, page, "Thuong Thoi Hau B/M2 Thuong Thoi Hau B.xlsx"); strings.Contains(row, "lỗi,") {
		t.Errorf("a rejected file shows a findings count:\n%s", row)
	}
	// The original keeps its own feedback link although the duplicate shares its ID.
	if row := subRow(t, page, "29983/M3 LKB.xlsx"); !strings.Contains(row, `href="./phan-hoi/m383%20-%20phan-hoi.xlsx"`) {
		t.Errorf("original's link:\n%s", row)
	}

	// Newest first: the order of received times never increases.
	var last time.Time
	list := page[strings.Index(page, `id="tep-da-nhan"`):]
	for i, m := range regexp.MustCompile(`<td>(\d\d/\d\d/\d{4} \d\d:\d\d)</td>`).FindAllStringSubmatch(list, -1) {
		ts, err := time.ParseInLocation("02/01/2006 15:04", m[1], fixture.ICT)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && ts.After(last) {
			t.Errorf("row %d (%s) is newer than the row before it", i+1, m[1])
		}
		last = ts
	}
	if n := strings.Count(list, `<td class="path">`); n != len(ds.Submissions) {
		t.Errorf("%d rows in the list, want %d", n, len(ds.Submissions))
	}
}

func TestMissingFeedbackIsNotLinked(t *testing.T) {
	outbox := t.TempDir()
	ds := handDataset()
	cfg := Config{Outbox: outbox, Plan: datedPlan(t), Now: at("2022-05-21 08:30"),
		Feedback: map[string]string{"kh56": "phan-hoi/khong-co.xlsx"}}
	page := render(t, cfg, ds)
	if strings.Contains(page, "khong-co.xlsx") {
		t.Error("a feedback file that does not exist is linked")
	}
	if row := subRow(t, page, "29956/KH TP1.docx"); !strings.Contains(row, "chưa có") {
		t.Errorf("row should say the feedback is not there yet:\n%s", row)
	}
}

// allowedTags are the only elements the template writes.
var allowedTags = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true,
	"h1": true, "h2": true, "h3": true, "p": true, "span": true, "small": true, "div": true, "br": true,
	"table": true, "thead": true, "tbody": true, "tfoot": true, "tr": true, "th": true, "td": true,
	"a": true, "ul": true, "li": true,
}

func TestHostileNamesAreEscaped(t *testing.T) {
	outbox := t.TempDir()
	hostile := []string{
		`<script>alert(1)</script>.xlsx`,
		`"><img src=x onerror=alert(1)>.xlsx`,
		`' onmouseover='alert(1)'.xlsx`,
		`javascript:alert(1).xlsx`,
	}
	ds := &record.Dataset{}
	var wbs record.Workbooks
	for i, h := range hostile {
		o := outcome("h"+string(rune('a'+i)), h, "", record.FormNone, record.StatusRejected, `<b>reason</b>`, "2022-04-20 09:00", int64(i+1))
		o.FolderHint = `<iframe src="x">`
		ds.Submissions = append(ds.Submissions, o)
		wbs = append(wbs, record.Workbook{Submission: o.Submission, HeaderName: `UBND XÃ <svg onload=alert(1)>`})
		ds.Findings = append(ds.Findings, record.Finding{SubmissionID: o.ID, Path: h, Severity: record.Error,
			Message: `Tệp "` + h + `" không đọc được <style>body{display:none}</style>`})
	}
	ds.Sources = wbs
	// A report file with a hostile name, linked from the reports section.
	if err := os.MkdirAll(filepath.Join(outbox, "bao-cao"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, h := range hostile[1:] {
		if err := os.WriteFile(filepath.Join(outbox, "bao-cao", h), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	feedback := map[string]string{}
	for _, o := range ds.Submissions {
		rel := "phan-hoi/khong-xac-dinh/" + o.Path
		full := filepath.Join(outbox, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		feedback[o.ID] = rel
	}
	page := render(t, Config{Outbox: outbox, Plan: plan.Default(), Now: at("2022-04-20 10:00"), Feedback: feedback}, ds)

	// Every tag in the output is one the template writes.
	for _, m := range regexp.MustCompile(`<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)`).FindAllStringSubmatch(page, -1) {
		if !allowedTags[strings.ToLower(m[1])] {
			t.Errorf("unexpected tag <%s> in the output", m[1])
		}
	}
	if n := strings.Count(page, "<style"); n != 1 {
		t.Errorf("%d <style> elements, want 1", n)
	}
	// Every link is exactly a relative, percent-escaped href.
	anchor := regexp.MustCompile(`<a\b[^>]*>`)
	good := regexp.MustCompile(`^<a href="(\./[A-Za-z0-9%/._~!$&;=:@*-]*|#[a-z-]+)">$`)
	for _, a := range anchor.FindAllString(page, -1) {
		if !good.MatchString(a) {
			t.Errorf("suspicious link %s", a)
		}
	}
	// No event-handler attribute anywhere in a tag (a space before the
	// name would start a new attribute; inside an href spaces are %20).
	for _, bad := range []string{"onerror=", "onload=", "onmouseover="} {
		for _, m := range regexp.MustCompile(`<[^>]*\s`+bad).FindAllString(page, -1) {
			t.Errorf("%q inside a tag: %s", bad, m)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;.xlsx",
		"&#34;&gt;&lt;img src=x onerror=alert(1)&gt;.xlsx",
		"UBND XÃ &lt;svg onload=alert(1)&gt;",
		"&lt;iframe src=&#34;x&#34;&gt;",
		"&lt;b&gt;reason&lt;/b&gt;",
		"&lt;style&gt;body{display:none}&lt;/style&gt;",
		// The hostile report name is linked, escaped in the href.
		`href="./bao-cao/` + url.PathEscape(hostile[1]) + `"`,
		`href="./bao-cao/%27%20onmouseover=%27alert%281%29%27.xlsx"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// "javascript:" never starts a link.
	if strings.Contains(page, `href="javascript`) {
		t.Error("a javascript: link")
	}
}

func TestReportLinks(t *testing.T) {
	outbox := t.TempDir()
	files := map[string]string{
		"bao-cao/Báo cáo quý 2022Q1 (chính thức).xlsx":                                                    "old final",
		"bao-cao/Báo cáo quý 2022Q2 (bản nháp).xlsx":                                                      "draft",
		"bao-cao/~$Báo cáo quý 2022Q2 (bản nháp).xlsx":                                                    "lock",
		"bao-cao/.tmp-12345.xlsx":                                                                         "temp",
		"danh-sach-tham-du/Cụm 1/Danh sách tham dự #1.xlsx":                                               "list",
		"cau-hoi-co-quan/Ngân hàng Chính sách xã hội.xlsx":                                                "questions",
		"data/submissions.parquet":                                                                        "pq",
		"data/submissions/province=87/district=870/year=2022/quarter=2/commune_code=29956/part-0.parquet": "hive",
		"phan-hoi/xa-thuong-phuoc-1/x - phan-hoi.xlsx":                                                    "not a report",
	}
	for rel, body := range files {
		full := filepath.Join(outbox, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{Outbox: outbox, Plan: plan.Default(), Now: at("2022-07-01 08:00"),
		Outputs: []string{filepath.Join(outbox, "bao-cao", "Báo cáo quý 2022Q2 (bản nháp).xlsx"), filepath.Join(outbox, "data", "submissions.parquet")}}
	page := render(t, cfg, &record.Dataset{})

	tests := []struct {
		rel  string
		href string // the exact escaped href
		new  bool
	}{
		{"bao-cao/Báo cáo quý 2022Q1 (chính thức).xlsx", "./bao-cao/B%C3%A1o%20c%C3%A1o%20qu%C3%BD%202022Q1%20%28ch%C3%ADnh%20th%E1%BB%A9c%29.xlsx", false},
		{"bao-cao/Báo cáo quý 2022Q2 (bản nháp).xlsx", "./bao-cao/B%C3%A1o%20c%C3%A1o%20qu%C3%BD%202022Q2%20%28b%E1%BA%A3n%20nh%C3%A1p%29.xlsx", true},
		{"danh-sach-tham-du/Cụm 1/Danh sách tham dự #1.xlsx", "./danh-sach-tham-du/C%E1%BB%A5m%201/Danh%20s%C3%A1ch%20tham%20d%E1%BB%B1%20%231.xlsx", false},
		{"cau-hoi-co-quan/Ngân hàng Chính sách xã hội.xlsx", "./cau-hoi-co-quan/Ng%C3%A2n%20h%C3%A0ng%20Ch%C3%ADnh%20s%C3%A1ch%20x%C3%A3%20h%E1%BB%99i.xlsx", false},
		{"data/submissions.parquet", "./data/submissions.parquet", true},
	}
	for _, tc := range tests {
		t.Run(tc.rel, func(t *testing.T) {
			re := regexp.MustCompile(`<li><a href="` + regexp.QuoteMeta(tc.href) + `">([^<]*)</a>(.*)</li>`)
			m := re.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no link with href %s", tc.href)
			}
			_, name, _ := strings.Cut(tc.rel, "/")
			if m[1] != name {
				t.Errorf("link text %q, want %q", m[1], name)
			}
			if got := strings.Contains(m[2], `class="new"`); got != tc.new {
				t.Errorf("marked new: %v, want %v", got, tc.new)
			}
			// The href resolves to the file, relative to index.html.
			unesc, err := url.PathUnescape(strings.TrimPrefix(tc.href, "./"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(outbox, filepath.FromSlash(unesc))); err != nil {
				t.Errorf("href does not resolve: %v", err)
			}
		})
	}
	for _, bad := range []string{"~$", ".tmp-", "phan-hoi.xlsx", "part-0.parquet"} {
		if strings.Contains(page, bad) {
			t.Errorf("page links %q", bad)
		}
	}
	if !strings.Contains(page, "Lần cập nhật này đã ghi 2 tệp") {
		t.Error("the count of files written is missing")
	}
	if !strings.Contains(page, "Chưa nhận tệp nào.") {
		t.Error("an empty dataset should say no file was received")
	}
}

func TestWriteReplacesAtomically(t *testing.T) {
	outbox := t.TempDir()
	p := plan.Default()
	first := render(t, Config{Outbox: outbox, Plan: p, Now: at("2022-04-20 09:00")}, nil)
	second := render(t, Config{Outbox: outbox, Plan: p, Now: at("2022-04-21 09:05")}, handDataset())
	if !strings.Contains(first, "Cập nhật lúc 20/04/2022 09:00") || !strings.Contains(second, "Cập nhật lúc 21/04/2022 09:05") {
		t.Error("the page was not rewritten")
	}
	ents, err := os.ReadDir(outbox)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "index.html" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("outbox holds %v, want only index.html", names)
	}
	// The clock is shown in the plan's zone whatever zone Now carries.
	page := render(t, Config{Outbox: outbox, Plan: p, Now: time.Date(2022, 4, 20, 2, 0, 0, 0, time.UTC)}, nil)
	if !strings.Contains(page, "Cập nhật lúc 20/04/2022 09:00") {
		t.Error("Now is not shown in the plan's time zone")
	}
}

func TestWriteErrors(t *testing.T) {
	if _, err := Write(context.Background(), Config{Outbox: t.TempDir()}, nil); err == nil {
		t.Error("no error without a plan")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Write(ctx, Config{Outbox: t.TempDir(), Plan: plan.Default()}, nil); err == nil {
		t.Error("no error with a cancelled context")
	}
}

func TestHref(t *testing.T) {
	tests := []struct{ in, want string }{
		{"bao-cao/a b.xlsx", "./bao-cao/a%20b.xlsx"},
		{"phan-hoi/xa-thuong-phuoc-1/M1 (0f8b9239) - phan-hoi.xlsx", "./phan-hoi/xa-thuong-phuoc-1/M1%20%280f8b9239%29%20-%20phan-hoi.xlsx"},
		{"a:b/c?d#e%f.xlsx", "./a:b/c%3Fd%23e%25f.xlsx"},
		{"bao-cao/Đồng Tháp.xlsx", "./bao-cao/%C4%90%E1%BB%93ng%20Th%C3%A1p.xlsx"},
	}
	for _, tc := range tests {
		if got := Href(tc.in); got != tc.want {
			t.Errorf("Href(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskDigits(t *testing.T) {
	got := maskDigits("Số 087123456789 và 0912345678, năm 2022")
	if strings.Contains(got, "087123456789") || strings.Contains(got, "0912345678") || !strings.Contains(got, "6789") || !strings.Contains(got, "2022") {
		t.Errorf("maskDigits: %q", got)
	}
}
