// Package statuspage writes outbox/index.html: a static, self-contained
// status page (inline CSS, no script, no external resource) that district
// staff open by double-click from the shared folder. It shows, for every
// commune of the plan and every form, whether the form was received, on
// time or late, accepted or rejected, with links to the feedback; then
// every submission, newest first; then links to the reports found in the
// outbox. Everything that came from a file or a spreadsheet is escaped by
// html/template.
package statuspage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/mask"
	"doithoai/stages/report/wording"
)

// FileName is the status page's name in the outbox.
const FileName = "index.html"

// ReportDirs are the outbox folders whose files the page links, in page
// order. Earlier runs' files (final quarterly reports) stay there and are
// linked too.
var ReportDirs = []string{"bao-cao", "danh-sach-tham-du", "cau-hoi-co-quan", "data"}

// Config of the status page.
type Config struct {
	Outbox  string     // the outbox directory; index.html is written here
	Plan    *plan.Plan // the year's plan: communes, clusters, time zone
	Now     time.Time  // the run's clock
	Outputs []string   // paths written by this run (absolute or outbox-joined)
	// Feedback maps a submission to its feedback workbook, relative to
	// Outbox, '/'-separated. The key is the submission ID; since a
	// duplicate shares its ID with the file it repeats, a key
	// "<ID>|<path>" is looked up first when present.
	Feedback map[string]string
	// Skipped are the inbox entries this run did not receive (links,
	// FIFOs and devices, unreadable files and folders): listed so that
	// staff can fix them.
	Skipped []record.Skip
}

// Write writes outbox/index.html and returns its path (in a one-element
// slice, Outbox-joined). A nil dataset gives a page with every form missing.
func Write(ctx context.Context, cfg Config, ds *record.Dataset) ([]string, error) {
	if cfg.Plan == nil {
		return nil, errors.New("status page: no plan")
	}
	if cfg.Outbox == "" {
		return nil, errors.New("status page: no outbox folder")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	if ds == nil {
		ds = &record.Dataset{}
	}
	pg, err := build(ctx, cfg, ds)
	if err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, pg); err != nil {
		return nil, fmt.Errorf("status page: render: %w", err)
	}
	out := filepath.Join(cfg.Outbox, FileName)
	if err := atomicfile.WriteBytes(out, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("status page: %w", err)
	}
	return []string{out}, nil
}

// page is what the template renders.
type page struct {
	Title    string
	Subtitle string
	Updated  string
	Forms    []formHead
	Clusters []clusterView
	Totals   []string // per form: "Đã nộp x/y"
	Unknown  int      // submissions of no plan commune
	Counts   []string // the count line, one phrase each
	Written  int      // files written by this run
	Subs     []subView
	Skipped  []skipView
	Folders  []folderView
}

// skipView is one inbox entry that was not received.
type skipView struct {
	Path   string
	Reason string
}

// skipText says in Vietnamese why an inbox entry was not received and what
// to do.
var skipText = map[string]string{
	record.SkipLinkOutside:   "liên kết trỏ ra ngoài hộp thư — chương trình không mở liên kết; hãy chép chính tệp vào hộp thư",
	record.SkipLink:          "liên kết (lối tắt) — chương trình không mở liên kết; hãy chép chính tệp vào hộp thư",
	record.SkipSpecial:       "không phải tệp thông thường (FIFO, socket hoặc thiết bị) — không mở",
	record.SkipUnreadable:    "không đọc được tệp (không có quyền đọc hoặc lỗi ổ đĩa) — sẽ thử lại ở lần chạy sau",
	record.SkipUnreadableDir: "không đọc được thư mục (không có quyền đọc) — các tệp bên trong chưa được nhận",
}

// SkipText explains a skip reason in Vietnamese; an unknown one is
// returned as is.
func SkipText(reason string) string {
	if s, ok := skipText[reason]; ok {
		return s
	}
	return reason
}

type formHead struct {
	Code string
	Name string
}

type clusterView struct {
	Title string
	Info  string
	Rows  []rowView
}

type rowView struct {
	Name string
	Code string
	Host bool
	// Cells follow page.Forms.
	Cells []cellView
}

// cellView is one commune × form cell: a CSS class for the colour, and
// the same meaning in words (Lines) and a mark, so colour is never alone.
type cellView struct {
	Class string
	Mark  string
	Lines []string
	Links []linkView
}

type linkView struct {
	Href string
	Text string
}

type subView struct {
	Received    string
	Commune     string
	CommuneNote string
	Form        string
	Path        string
	Verdict     string
	Class       string
	Reason      string
	Details     []string
	Link        *linkView
}

type folderView struct {
	Dir   string
	Title string
	Note  string
	Files []fileView
}

type fileView struct {
	Name string
	Href string
	Size string
	New  bool
}

// formName is the short Vietnamese name of each form.
var formName = map[record.Form]string{
	record.FormKH: "Kế hoạch của xã",
	record.FormM1: "Hộ dự kiến thoát nghèo",
	record.FormM2: "Đại diện hộ tham dự",
	record.FormM3: "Thành phần cấp xã",
	record.FormM4: "Ý kiến, kiến nghị",
	record.FormM5: "Kết quả đối thoại cụm",
}

// folderTitle names each report folder for people.
var folderTitle = map[string][2]string{
	"bao-cao":           {"Báo cáo quý gửi Sở", "Bản nháp trong quý; bản chính thức khi hết quý (các bản của những lần chạy trước vẫn giữ lại)."},
	"danh-sach-tham-du": {"Danh sách tham dự từng cụm", "Bản in có cột ký tên."},
	"cau-hoi-co-quan":   {"Ý kiến cần cơ quan trả lời", "Mỗi cơ quan một danh sách."},
	"data":              {"Dữ liệu cho phân tích (Parquet)", "Chỉ thư mục này giữ đầy đủ số CCCD và số điện thoại: không gửi ra ngoài Phòng."},
}

// ReasonText explains a stable rejection reason in Vietnamese; an unknown
// reason is returned as is.
func ReasonText(reason string) string { return wording.Reason(reason) }

const (
	dayLayout  = "02/01/2006"
	timeLayout = "02/01/2006 15:04"
)

// builder holds what the page's parts share.
type builder struct {
	cfg      Config
	ds       *record.Dataset
	loc      *time.Location
	counts   map[string][2]int // submission key → errors, warnings
	fileMsgs map[string][]string
	headers  map[string]string // submission key → header name as written
}

func subKey(id, path string) string { return id + "|" + path }

func build(ctx context.Context, cfg Config, ds *record.Dataset) (*page, error) {
	p := cfg.Plan
	b := &builder{cfg: cfg, ds: ds, loc: p.Location(),
		counts: map[string][2]int{}, fileMsgs: map[string][]string{}, headers: map[string]string{}}
	errs, warns := 0, 0
	for _, f := range ds.Findings {
		k := subKey(f.SubmissionID, f.Path)
		c := b.counts[k]
		switch f.Severity {
		case record.Error:
			c[0]++
			errs++
		case record.Warning:
			c[1]++
			warns++
		}
		b.counts[k] = c
		if f.Row == 0 && f.Column == "" && f.Message != "" && f.Severity == record.Error {
			b.fileMsgs[k] = append(b.fileMsgs[k], maskDigits(f.Message))
		}
	}
	if ds.Sources != nil {
		for _, o := range ds.Submissions {
			if wb, ok := ds.Sources.Header(o.ID, o.Path); ok && wb.HeaderName != "" {
				b.headers[subKey(o.ID, o.Path)] = wb.HeaderName
			}
		}
	}

	pg := &page{
		Title:   fmt.Sprintf("Tình hình nộp biểu mẫu đối thoại chính sách giảm nghèo năm %d — %s", p.Year, p.District.Name),
		Updated: Stamp(p, cfg.Now),
	}
	var sub []string
	for _, s := range []string{p.District.Office, p.District.Name, p.District.Province} {
		if s != "" {
			sub = append(sub, s)
		}
	}
	pg.Subtitle = strings.Join(sub, " — ")
	for _, f := range record.Forms {
		pg.Forms = append(pg.Forms, formHead{Code: string(f), Name: formName[f]})
	}
	pg.Clusters, pg.Totals = b.matrix()
	for _, o := range ds.Submissions {
		if p.Commune(o.CommuneCode) == nil {
			pg.Unknown++
		}
	}
	pg.Subs = b.submissions()
	for _, sk := range cfg.Skipped {
		pg.Skipped = append(pg.Skipped, skipView{Path: maskDigits(sk.Path), Reason: "Tệp không được xử lý: " + SkipText(sk.Reason)})
	}

	accepted, superseded, rejected, dups := 0, 0, 0, 0
	for _, o := range ds.Submissions {
		switch o.Status {
		case record.StatusAccepted:
			accepted++
			if o.SupersededBy != "" {
				superseded++
			}
		case record.StatusRejected:
			rejected++
		case record.StatusDuplicate:
			dups++
		}
	}
	acc := fmt.Sprintf("%d tệp được chấp nhận", accepted)
	if superseded > 0 {
		acc += fmt.Sprintf(" (%d tệp đã được thay bằng tệp mới hơn)", superseded)
	}
	pg.Counts = []string{
		fmt.Sprintf("Đã nhận %d tệp", len(ds.Submissions)),
		acc,
		fmt.Sprintf("%d tệp bị từ chối", rejected),
		fmt.Sprintf("%d tệp gửi trùng", dups),
		fmt.Sprintf("%d lỗi, %d cảnh báo", errs, warns),
		fmt.Sprintf("%d cặp hộ nghi trùng chờ cán bộ quyết định", len(ds.Borderline)),
	}
	if len(pg.Skipped) > 0 {
		pg.Counts = append(pg.Counts, fmt.Sprintf("%d mục trong hộp thư không được xử lý", len(pg.Skipped)))
	}

	written := b.written()
	pg.Written = len(written)
	folders, err := b.folders(ctx, written)
	if err != nil {
		return nil, err
	}
	pg.Folders = folders
	return pg, nil
}

// matrix makes the communes × forms table, grouped by cluster, and the
// per-form totals.
func (b *builder) matrix() ([]clusterView, []string) {
	p := b.cfg.Plan
	type key struct {
		commune string
		form    record.Form
	}
	bySlot := map[key][]*record.SubmissionOutcome{}
	for i := range b.ds.Submissions {
		o := &b.ds.Submissions[i]
		if o.CommuneCode == "" || o.Form == record.FormNone {
			continue
		}
		k := key{o.CommuneCode, o.Form}
		bySlot[k] = append(bySlot[k], o)
	}
	for _, subs := range bySlot {
		sort.SliceStable(subs, func(i, j int) bool { return receiptLess(subs[i], subs[j]) })
	}
	tl := map[key]record.Timeliness{}
	for _, t := range b.ds.Timeliness {
		tl[key{t.CommuneCode, t.Form}] = t
	}
	done := make([]int, len(record.Forms))
	expected := make([]int, len(record.Forms))
	var out []clusterView
	for ci := range p.Clusters {
		cl := &p.Clusters[ci]
		cv := clusterView{Title: cl.Name}
		var info []string
		if cl.DialogueDate.Set {
			info = append(info, "Ngày đối thoại: "+cl.DialogueDate.In(b.loc).Format(dayLayout))
		} else {
			info = append(info, "Ngày đối thoại: chưa có thông báo")
		}
		if cl.Venue != "" {
			info = append(info, "Địa điểm: "+cl.Venue)
		}
		if h := p.Commune(cl.Host); h != nil {
			info = append(info, "Xã chủ trì: "+h.FullName())
		}
		cv.Info = strings.Join(info, " · ")
		for mi := range cl.Communes {
			c := &cl.Communes[mi]
			row := rowView{Name: c.FullName(), Code: c.Code, Host: cl.Host == c.Code}
			for fi, f := range record.Forms {
				exp := f != record.FormM5 || row.Host
				t, hasT := tl[key{c.Code, f}]
				cell, ok := b.cell(c, f, exp, bySlot[key{c.Code, f}], t, hasT)
				if exp {
					expected[fi]++
					if ok {
						done[fi]++
					}
				}
				row.Cells = append(row.Cells, cell)
			}
			cv.Rows = append(cv.Rows, row)
		}
		out = append(out, cv)
	}
	totals := make([]string, len(record.Forms))
	for i := range record.Forms {
		totals[i] = fmt.Sprintf("Đã nộp %d/%d", done[i], expected[i])
	}
	return out, totals
}

// receiptLess orders submissions by receipt (Seq, then time, then path).
func receiptLess(a, b *record.SubmissionOutcome) bool {
	if a.Seq != b.Seq {
		return a.Seq < b.Seq
	}
	if !a.ReceivedAt.Equal(b.ReceivedAt) {
		return a.ReceivedAt.Before(b.ReceivedAt)
	}
	return a.Path < b.Path
}

// cell describes one commune's form; ok reports whether an accepted file
// is in use. subs are in receipt order.
func (b *builder) cell(c *plan.Commune, f record.Form, expected bool, subs []*record.SubmissionOutcome, t record.Timeliness, hasT bool) (cellView, bool) {
	var current *record.SubmissionOutcome
	for _, o := range subs {
		if o.Status == record.StatusAccepted && (current == nil || o.SupersededBy == "" || current.SupersededBy != "") {
			current = o
		}
	}
	deadline := t.Deadline
	if !hasT || deadline.IsZero() {
		deadline, _ = b.cfg.Plan.Deadline(c, f)
	}
	var cv cellView
	switch {
	case current != nil:
		cv.Class, cv.Mark = "ok", "✔"
		cv.Lines = append(cv.Lines, "Đã nộp — được chấp nhận")
		cv.Lines = append(cv.Lines, "Nhận lúc "+current.ReceivedAt.In(b.loc).Format(timeLayout))
		if hasT && t.OnTime != nil {
			due := ""
			if !t.Deadline.IsZero() {
				due = " (hạn " + t.Deadline.In(b.loc).Format(dayLayout) + ")"
			}
			if *t.OnTime {
				cv.Lines = append(cv.Lines, "Đúng hạn"+due)
			} else {
				cv.Class, cv.Mark = "warn", "⚠"
				cv.Lines = append(cv.Lines, "Trễ hạn"+due)
			}
		}
		older := 0
		for _, o := range subs {
			if o.Status == record.StatusAccepted && o != current {
				older++
			}
		}
		if older > 0 {
			cv.Lines = append(cv.Lines, fmt.Sprintf("Đã thay %d tệp gửi trước", older))
		}
		n := b.counts[subKey(current.ID, current.Path)]
		if n[0] > 0 {
			cv.Class, cv.Mark = "warn", "⚠"
		}
		if n[0] > 0 || n[1] > 0 {
			cv.Lines = append(cv.Lines, fmt.Sprintf("%d lỗi, %d cảnh báo", n[0], n[1]))
		}
		if !expected {
			cv.Lines = append(cv.Lines, "Xã không chủ trì cụm: không bắt buộc nộp M5")
		}
		if l := b.link(current, "Phản hồi"); l != nil {
			cv.Links = append(cv.Links, *l)
		}
		// Files sent after the one in use that were not used.
		for _, o := range subs {
			if !receiptLess(current, o) || o.Status == record.StatusAccepted {
				continue
			}
			if o.Status == record.StatusDuplicate {
				// The same bytes again: harmless, nothing to fix.
				cv.Lines = append(cv.Lines, "Có tệp gửi trùng (không xử lý lại)")
			} else {
				cv.Class, cv.Mark = "warn", "⚠"
				cv.Lines = append(cv.Lines, joinNonEmpty(": ", "Tệp gửi sau "+verdictWord(o), reasonOf(o)))
				if l := b.link(o, "Phản hồi tệp gửi sau"); l != nil {
					cv.Links = append(cv.Links, *l)
				}
			}
		}
		return cv, true
	case len(subs) > 0:
		last := subs[len(subs)-1]
		cv.Class, cv.Mark = "bad", "✘"
		cv.Lines = append(cv.Lines, "Chưa nộp được — tệp "+verdictWord(last))
		if r := reasonOf(last); r != "" {
			cv.Lines = append(cv.Lines, r)
		}
		cv.Lines = append(cv.Lines, "Nhận lúc "+last.ReceivedAt.In(b.loc).Format(timeLayout))
		if len(subs) > 1 {
			cv.Lines = append(cv.Lines, fmt.Sprintf("Đã gửi %d tệp, chưa tệp nào dùng được", len(subs)))
		}
		if line := b.dueLine(deadline); line != "" {
			cv.Lines = append(cv.Lines, line)
		}
		if l := b.link(last, "Phản hồi"); l != nil {
			cv.Links = append(cv.Links, *l)
		}
		return cv, false
	case !expected:
		cv.Class, cv.Mark = "na", "—"
		cv.Lines = append(cv.Lines, "Không áp dụng (chỉ xã chủ trì cụm nộp M5)")
		return cv, false
	default:
		cv.Class, cv.Mark = "missing", "○"
		cv.Lines = append(cv.Lines, "Chưa nộp")
		if f == record.FormM5 {
			// The host sends the results after its cluster's dialogue.
			if cl := b.cfg.Plan.Cluster(c.Cluster); cl != nil && cl.DialogueDate.Set {
				day := cl.DialogueDate.In(b.loc)
				if b.cfg.Plan.OnOrBefore(b.cfg.Now, day) {
					cv.Lines = append(cv.Lines, "Nộp sau buổi đối thoại ngày "+day.Format(dayLayout))
				} else {
					cv.Lines = append(cv.Lines, "Đối thoại đã diễn ra ngày "+day.Format(dayLayout))
				}
			}
		}
		if line := b.dueLine(deadline); line != "" {
			if b.cfg.Plan.Overdue(time.Time{}, deadline, b.cfg.Now) { // nothing received
				cv.Class, cv.Mark = "overdue", "✘"
			}
			cv.Lines = append(cv.Lines, line)
		}
		return cv, false
	}
}

// dueLine tells a missing form's deadline: passed or still ahead.
func (b *builder) dueLine(deadline time.Time) string {
	if deadline.IsZero() {
		return ""
	}
	d := deadline.In(b.loc).Format(dayLayout)
	if !b.cfg.Plan.Late(b.cfg.Now, deadline) {
		return "Hạn nộp " + d
	}
	return "Đã quá hạn " + d
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

// verdictWord is how a submission ended, as a phrase after "tệp".
func verdictWord(o *record.SubmissionOutcome) string {
	switch o.Status {
	case record.StatusRejected:
		return "bị từ chối"
	case record.StatusDuplicate:
		return "gửi trùng"
	case record.StatusAccepted:
		return "được chấp nhận"
	}
	return "chưa xử lý"
}

// reasonOf explains why a submission was not used.
func reasonOf(o *record.SubmissionOutcome) string {
	switch {
	case o.Status == record.StatusDuplicate:
		if o.DuplicateOf != "" {
			return "giống hệt tệp " + o.DuplicateOf + " đã nhận"
		}
		return "giống hệt một tệp đã nhận"
	case o.Reason != "":
		return ReasonText(o.Reason)
	}
	return ""
}

// link is the feedback link of a submission, or nil when there is no
// feedback file for it.
func (b *builder) link(o *record.SubmissionOutcome, text string) *linkView {
	rel, ok := b.cfg.Feedback[subKey(o.ID, o.Path)]
	if !ok {
		rel, ok = b.cfg.Feedback[o.ID]
	}
	if !ok || rel == "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(b.cfg.Outbox, filepath.FromSlash(rel))); err != nil {
		return nil
	}
	return &linkView{Href: Href(rel), Text: text}
}

// Href makes a relative link from a '/'-separated path relative to the
// outbox: every segment URL-escaped (Vietnamese names work on file://)
// and a leading "./" so that no segment reads as a URL scheme.
func Href(rel string) string {
	parts := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return "./" + strings.Join(parts, "/")
}

// submissions lists every submission, newest first.
func (b *builder) submissions() []subView {
	p := b.cfg.Plan
	subs := make([]*record.SubmissionOutcome, 0, len(b.ds.Submissions))
	for i := range b.ds.Submissions {
		subs = append(subs, &b.ds.Submissions[i])
	}
	sort.SliceStable(subs, func(i, j int) bool {
		a, c := subs[i], subs[j]
		if !a.ReceivedAt.Equal(c.ReceivedAt) {
			return a.ReceivedAt.After(c.ReceivedAt)
		}
		if a.Seq != c.Seq {
			return a.Seq > c.Seq
		}
		return a.Path < c.Path
	})
	out := make([]subView, 0, len(subs))
	for _, o := range subs {
		k := subKey(o.ID, o.Path)
		v := subView{
			Received: o.ReceivedAt.In(b.loc).Format(timeLayout),
			Form:     string(o.Form),
			Path:     o.Path,
		}
		if v.Form == "" {
			v.Form = "Không rõ"
		}
		if c := p.Commune(o.CommuneCode); c != nil {
			v.Commune = c.FullName()
		} else {
			v.Commune = "Không xác định"
			var notes []string
			if h := b.headers[k]; h != "" {
				notes = append(notes, "đầu tệp ghi: "+h)
			}
			if o.FolderHint != "" {
				notes = append(notes, "thư mục: "+o.FolderHint)
			}
			v.CommuneNote = strings.Join(notes, "; ")
		}
		switch {
		case o.Status == record.StatusAccepted && o.SupersededBy == "":
			v.Verdict, v.Class = "Được chấp nhận", "ok"
		case o.Status == record.StatusAccepted:
			v.Verdict, v.Class = "Được chấp nhận — đã có tệp mới hơn thay thế", "old"
		case o.Status == record.StatusRejected:
			v.Verdict, v.Class = "Bị từ chối", "bad"
		case o.Status == record.StatusDuplicate:
			v.Verdict, v.Class = "Gửi trùng — không xử lý lại", "old"
		default:
			v.Verdict, v.Class = "Chưa xử lý", "old"
		}
		v.Reason = reasonOf(o)
		if o.Status != record.StatusAccepted {
			v.Details = b.fileMsgs[k]
		}
		if n := b.counts[k]; o.Status == record.StatusAccepted && (n[0] > 0 || n[1] > 0) {
			v.Details = append(v.Details, fmt.Sprintf("%d lỗi, %d cảnh báo", n[0], n[1]))
		}
		v.Link = b.link(o, "Xem phản hồi")
		out = append(out, v)
	}
	return out
}

// written is the set of outbox-relative, '/'-separated paths of Outputs.
func (b *builder) written() map[string]bool {
	out := map[string]bool{}
	absOut, err := filepath.Abs(b.cfg.Outbox)
	if err != nil {
		absOut = b.cfg.Outbox
	}
	for _, o := range b.cfg.Outputs {
		rel := o
		if a, err := filepath.Abs(o); err == nil {
			if r, err := filepath.Rel(absOut, a); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				rel = r
			}
		}
		out[filepath.ToSlash(filepath.Clean(rel))] = true
	}
	return out
}

// folders lists the files of the report folders.
func (b *builder) folders(ctx context.Context, written map[string]bool) ([]folderView, error) {
	var out []folderView
	for _, dir := range ReportDirs {
		fv := folderView{Dir: dir, Title: folderTitle[dir][0], Note: folderTitle[dir][1]}
		root := filepath.Join(b.cfg.Outbox, dir)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == root && errors.Is(err, fs.ErrNotExist) {
					return filepath.SkipDir
				}
				return nil // an unreadable entry is left out, not fatal
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			name := d.Name()
			if d.IsDir() {
				// The analysts' Hive tree (data/<table>/…/part-0.parquet,
				// one file per commune) is for programs: the page links
				// only the flat files of data/ itself.
				if path != root && (strings.HasPrefix(name, ".") || dir == "data") {
					return filepath.SkipDir
				}
				return nil
			}
			if skipFile(name) || !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(b.cfg.Outbox, path)
			if err != nil {
				return nil
			}
			rel = filepath.ToSlash(rel)
			f := fileView{Name: strings.TrimPrefix(rel, dir+"/"), Href: Href(rel), New: written[rel]}
			if info, err := d.Info(); err == nil {
				f.Size = sizeText(info.Size())
			}
			fv.Files = append(fv.Files, f)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", root, err)
		}
		sort.Slice(fv.Files, func(i, j int) bool { return fv.Files[i].Name < fv.Files[j].Name })
		out = append(out, fv)
	}
	return out, nil
}

// skipFile reports files that are not outputs: temporaries of a killed
// run, Office and LibreOffice lock files, hidden files.
func skipFile(name string) bool {
	return atomicfile.IsTemp(name) || strings.HasPrefix(name, "~$") ||
		strings.HasPrefix(name, ".") || strings.EqualFold(name, "Thumbs.db") || strings.EqualFold(name, "desktop.ini")
}

// sizeText is a file size for people, with a decimal comma: "12,3 KB".
func sizeText(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1024*1024:
		return comma(float64(n)/1024) + " KB"
	default:
		return comma(float64(n)/(1024*1024)) + " MB"
	}
}

func comma(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1)
}

// maskDigits masks personal numbers that a message might quote.
func maskDigits(s string) string { return mask.Text(s) }
