package quarterly

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/aggregate"
	"doithoai/stages/report/mask"
	"doithoai/stages/report/quarterly/xl"
	"doithoai/stages/report/wording"
)

// member is one M1 or M2 row of a household group, as shown.
type member struct {
	src      record.Source
	form     record.Form
	name     string // the head (M1) or the representative (M2)
	head     string
	relation string
	year     int
	hamlet   string
	code     string
	id       string // citizen ID, unmasked (masked when written)
	current  bool
	known    bool
}

// dupGroup is a household group with a real duplicate: the household is
// listed twice in rosters, registered more than once, or in two communes.
type dupGroup struct {
	id      string
	why     []string // Vietnamese
	members []member
}

// pair is a borderline pair left for a person.
type pair struct {
	a, b   member
	score  float64
	reason string
}

// duplicates are the groups and pairs the report lists.
type duplicates struct {
	groups    []dupGroup
	ordinary  int            // groups of a roster row with its own registration(s) only
	byCommune map[string]int // real groups touching each commune
	pairs     []pair
}

type rowKey struct {
	path, sheet string
	row         int
}

// reasonVN translates the dedupe stage's match reasons.
var reasonVN = map[string]string{
	record.MatchHouseholdCode: "trùng mã hộ",
	record.MatchCitizenID:     "trùng số CCCD/CMND",
	record.MatchName:          "trùng họ tên chủ hộ, năm sinh và khóm/ấp",
	record.MatchNameFuzzy:     "họ tên chủ hộ gần giống (sai chính tả, thiếu dấu), cùng năm sinh và khóm/ấp",
	record.MatchSpouse:        "vợ/chồng hoặc người thân cùng đăng ký cho một hộ",
	record.MatchConflict:      "có thông tin mâu thuẫn",
	record.MatchAmbiguous:     "chưa đủ căn cứ kết luận",
}

func reasonsVN(codes []string) string {
	var out []string
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if v, ok := reasonVN[c]; ok {
			out = append(out, v)
		} else {
			out = append(out, c)
		}
	}
	return strings.Join(out, "; ")
}

// findDuplicates lists the groups of ds with a real duplicate and the
// borderline pairs. Only the rows they name are looked up: the roster,
// which may be too big to hold, is read once and only its rows that are
// members of a group or a pair are kept, so what is held grows with the
// groups, not with the roster.
func findDuplicates(ctx context.Context, p *plan.Plan, ds *record.Dataset, sc xl.Scope) (*duplicates, error) {
	need := map[rowKey]bool{}
	for _, g := range ds.Groups {
		for _, s := range g.Members {
			need[rowKey{s.Path, s.Sheet, s.Row}] = true
		}
	}
	for _, b := range ds.Borderline {
		need[rowKey{b.A.Path, b.A.Sheet, b.A.Row}] = true
		need[rowKey{b.B.Path, b.B.Sheet, b.B.Row}] = true
	}
	rows := map[rowKey]member{}
	err := ds.EachHousehold(ctx, func(_ int, hs []record.Household) error {
		for i := range hs {
			h := &hs[i]
			if !need[rowKey{h.Path, h.Sheet, h.Row}] {
				continue
			}
			// The roster's rows live only during the call: what is kept
			// is copied.
			src := cloneSource(h.Source)
			rows[rowKey{src.Path, src.Sheet, src.Row}] = member{src: src, form: record.FormM1, name: strings.Clone(h.HeadName), head: strings.Clone(h.HeadName), year: h.BirthYear,
				hamlet: strings.Clone(h.Hamlet), code: strings.Clone(h.HouseholdCode), id: strings.Clone(h.CitizenID), current: sc.Counts(h.Source, h.State), known: true}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("duplicates: %w", err)
	}
	for i := range ds.Registrations {
		g := &ds.Registrations[i]
		if !need[rowKey{g.Path, g.Sheet, g.Row}] {
			continue
		}
		rows[rowKey{g.Path, g.Sheet, g.Row}] = member{src: g.Source, form: record.FormM2, name: g.RepName, head: g.HeadName, relation: g.Relation,
			year: g.BirthYear, hamlet: g.Hamlet, code: g.HouseholdCode, id: g.CitizenID, current: sc.Counts(g.Source, g.State), known: true}
	}
	lookup := func(s record.Source) member {
		if m, ok := rows[rowKey{s.Path, s.Sheet, s.Row}]; ok {
			return m
		}
		return member{src: s, current: true}
	}
	d := &duplicates{byCommune: map[string]int{}}
	for _, g := range ds.Groups {
		var ms []member
		for _, s := range g.Members {
			if m := lookup(s); m.current {
				ms = append(ms, m)
			}
		}
		if len(ms) < 2 {
			continue
		}
		slices.SortStableFunc(ms, func(a, b member) int { return record.CompareReceipt(&a.src, &b.src) })
		var m1, m2 int
		communes := map[string]bool{}
		for _, m := range ms {
			switch m.form {
			case record.FormM1:
				m1++
			case record.FormM2:
				m2++
			}
			communes[m.src.CommuneCode] = true
		}
		var why []string
		if m1 >= 2 {
			why = append(why, "hộ ghi hơn một lần trong danh sách M1")
		}
		if m2 >= 2 {
			why = append(why, "hộ đăng ký hơn một người đại diện (M2)")
		}
		if len(communes) >= 2 {
			why = append(why, "hộ có tên ở nhiều xã")
		}
		if len(why) == 0 {
			d.ordinary++
			continue
		}
		if rs := reasonsVN(g.Reasons); rs != "" {
			why = append(why, "căn cứ: "+rs)
		}
		d.groups = append(d.groups, dupGroup{id: g.ID, why: why, members: ms})
		for c := range communes {
			d.byCommune[c]++
		}
	}
	pos := xl.CommuneIndex(p)
	slices.SortStableFunc(d.groups, func(a, b dupGroup) int {
		if c := cmp.Compare(pos(a.members[0].src.CommuneCode), pos(b.members[0].src.CommuneCode)); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	for _, b := range ds.Borderline {
		pa, pb := lookup(b.A), lookup(b.B)
		if pa.name == "" {
			pa.name = b.NameA
		}
		if pb.name == "" {
			pb.name = b.NameB
		}
		d.pairs = append(d.pairs, pair{a: pa, b: pb, score: b.Score, reason: b.Reason})
	}
	return d, nil
}

// cloneSource is a copy of s that shares no memory with it.
func cloneSource(s record.Source) record.Source {
	s.SubmissionID = strings.Clone(s.SubmissionID)
	s.Path = strings.Clone(s.Path)
	s.Sheet = strings.Clone(s.Sheet)
	s.CommuneCode = strings.Clone(s.CommuneCode)
	return s
}

// duplicateSheet writes "Hộ trùng".
func (r *report) duplicateSheet() {
	cols := []col{
		{"", "STT", 5}, {"", "Mã nhóm", 16}, {"", "Lý do", 30}, {"", "Xã, thị trấn", 16}, {"", "Biểu", 6}, {"", "Tệp", 28},
		{"", "Sheet", 12}, {"", "Dòng", 6}, {"", "Họ và tên", 20}, {"", "Năm sinh", 7}, {"", "Khóm/Ấp", 14}, {"", "Mã hộ", 12},
		{"", "Số CCCD/CMND", 15}, {"", "Ghi chú", 22},
	}
	s, row := r.tableSheet(SheetDuplicates, "DANH SÁCH HỘ TRÙNG VÀ CÁC CẶP HỘ CẦN XEM XÉT", cols, true, 0)
	widths := widthsOf(cols)
	d := r.dups
	s.Merge(row, 1, len(cols), fmt.Sprintf("I. NHÓM HỘ TRÙNG (%d nhóm)", len(d.groups)), xl.Section)
	row++
	if len(d.groups) == 0 {
		s.Merge(row, 1, len(cols), "Không có nhóm hộ trùng.", xl.Muted)
		row++
	}
	for i, g := range d.groups {
		first := row
		why := strings.Join(g.why, "; ")
		share := shareLines(why, widths[2], len(g.members))
		for _, m := range g.members {
			r.memberRow(s, row, m, widths, share)
			row++
		}
		s.MergeRange(first, 1, row-1, 1, i+1, xl.TextCenter)
		s.MergeRange(first, 2, row-1, 2, g.id, xl.Text)
		s.MergeRange(first, 3, row-1, 3, why, xl.Text)
	}
	if d.ordinary > 0 {
		note(s, row, len(cols), fmt.Sprintf("Ngoài ra có %d hộ chỉ gồm dòng trong danh sách M1 và dòng đăng ký M2 của chính hộ đó (bình thường, không liệt kê).", d.ordinary), sumWidth(cols))
		row++
	}
	row++
	s.Merge(row, 1, len(cols), fmt.Sprintf("II. CÁC CẶP HỘ CẦN CÁN BỘ XEM XÉT (%d cặp): chương trình chưa đủ căn cứ để kết luận là cùng một hộ", len(d.pairs)), xl.Section)
	row++
	if len(d.pairs) == 0 {
		s.Merge(row, 1, len(cols), "Không có cặp nào cần xem xét.", xl.Muted)
		row++
	} else {
		hdr := titles(cols)
		hdr[1], hdr[2], hdr[13] = "Mức giống nhau", "Lý do", "Kết luận (cùng hộ / khác hộ)"
		for i, t := range hdr {
			s.Put(i+1, row, t, xl.Header)
		}
		s.FitHeight(row, 15, hdr, widths)
		row++
		for i, pr := range d.pairs {
			first := row
			share := shareLines(reasonsVN(strings.Split(pr.reason, ",")), widths[2], 2)
			for _, m := range []member{pr.a, pr.b} {
				r.memberRow(s, row, m, widths, share)
				s.Put(14, row, "", xl.Text)
				row++
			}
			s.MergeRange(first, 1, row-1, 1, i+1, xl.TextCenter)
			s.MergeRange(first, 2, row-1, 2, xl.Styled{V: pr.score, S: xl.Percent}, xl.Percent)
			s.MergeRange(first, 3, row-1, 3, reasonsVN(strings.Split(pr.reason, ",")), xl.Text)
			s.MergeRange(first, 14, row-1, 14, xl.Blank{}, xl.Text)
		}
	}
	row++
	note(s, row, len(cols), "Số CCCD/CMND chỉ hiện 4 số cuối. Mỗi dòng ghi rõ tệp, sheet và dòng trong tệp gốc của xã để đối chiếu.", sumWidth(cols))
}

// memberRow writes one household row (columns 4..14).
// shareLines is how many lines each of n rows needs so that text fits in
// a cell merged down them.
func shareLines(text string, width float64, n int) int {
	l := xl.Lines(text, width)
	return (l + n - 1) / max(1, n)
}

// memberRow writes one household row (columns 4..14), at least minLines
// lines tall.
func (r *report) memberRow(s *xl.Sheet, row int, m member, widths []float64, minLines int) {
	remark := ""
	if m.form == record.FormM2 {
		switch {
		case schemas.IsHead(m.relation) || (m.head != "" && m.head == m.name):
			remark = "Người đại diện là chủ hộ"
		case m.relation != "" && m.head != "":
			remark = "Người đại diện: " + strings.ToLower(m.relation) + " của chủ hộ " + m.head
		case m.head != "":
			remark = "Người đại diện của chủ hộ " + m.head
		default:
			remark = "Người đại diện hộ"
		}
	}
	year := any(nil)
	if m.year > 0 {
		year = m.year
	}
	s.Put(1, row, xl.Blank{}, xl.TextCenter)
	s.Put(2, row, xl.Blank{}, xl.Text)
	s.Put(3, row, xl.Blank{}, xl.Text)
	s.Put(4, row, xl.CommuneName(r.p, m.src.CommuneCode), xl.Text)
	s.Put(5, row, string(m.form), xl.TextCenter)
	s.Put(6, row, m.src.Path, xl.Text)
	s.Put(7, row, m.src.Sheet, xl.Text)
	s.Put(8, row, m.src.Row, xl.TextCenter)
	s.Put(9, row, m.name, xl.Text)
	s.Put(10, row, year, xl.TextCenter)
	s.Put(11, row, m.hamlet, xl.Text)
	s.Put(12, row, m.code, xl.Text)
	s.Put(13, row, mask.ID(m.id), xl.TextCenter)
	s.Put(14, row, remark, xl.Text)
	s.FitHeightMin(row, 15, float64(minLines)*15+3, []string{"", "", "", xl.CommuneName(r.p, m.src.CommuneCode), "", m.src.Path, m.src.Sheet, "", m.name, "", m.hamlet, m.code, "", remark}, widths)
}

// formTitle names a form in the submission table header.
var formTitle = map[record.Form]string{
	record.FormKH: "KH\n(Kế hoạch của xã)",
	record.FormM1: "M1\n(Hộ dự kiến thoát nghèo)",
	record.FormM2: "M2\n(Đại diện hộ)",
	record.FormM3: "M3\n(Thành phần cấp xã)",
	record.FormM4: "M4\n(Ý kiến, kiến nghị)",
	record.FormM5: "M5\n(Kết quả đối thoại)",
}

// formCounts are a commune's (or the district's) forms due, received and
// late, and files rejected and sent twice.
type formCounts struct{ due, got, late, rejected, duplicates int }

// add adds another commune's counts to c.
func (c *formCounts) add(o formCounts) {
	*c = formCounts{c.due + o.due, c.got + o.got, c.late + o.late, c.rejected + o.rejected, c.duplicates + o.duplicates}
}

// put writes the counts and the completeness ratio from column col.
func (c formCounts) put(s *xl.Sheet, col, row int, num, pct xl.Style) {
	for k, v := range []any{c.due, c.got, ratio(c.got, c.due), c.late, c.rejected, c.duplicates} {
		st := num
		if k == 2 {
			st = pct
		}
		s.Put(col+k, row, v, st)
	}
}

// blankTotals fills the six count cells from column col of a ratio row,
// which have no ratio of their own.
func blankTotals(s *xl.Sheet, col, row int) {
	for k := col; k < col+6; k++ {
		s.Put(k, row, xl.Blank{}, xl.TotalText)
	}
}

// submissions writes "Tình hình nộp": the completeness and timeliness
// matrix (communes × forms), then the rejected files.
func (r *report) submissions() {
	cols := []col{{"", "STT", 5}, {"", "Cụm", 7}, {"", "Xã, thị trấn", 22}}
	for _, f := range record.Forms {
		cols = append(cols, col{"Ngày huyện nhận biểu mẫu", formTitle[f], 12})
	}
	cols = append(cols, col{"Biểu mẫu", "Phải nộp", 8}, col{"Biểu mẫu", "Đã nộp", 8}, col{"Biểu mẫu", "Tỷ lệ đầy đủ", 9}, col{"Biểu mẫu", "Nộp trễ", 8},
		col{"Tệp", "Bị từ chối", 9}, col{"Tệp", "Gửi trùng", 8})
	s, row := r.tableSheet(SheetSubmissions, "TÌNH HÌNH NỘP BIỂU MẪU CỦA CÁC XÃ (ĐẦY ĐỦ VÀ ĐÚNG HẠN)", cols, true, 3)
	nf := len(record.Forms)
	got := make([]int, nf)
	due := make([]int, nf)
	onTime := make([]int, nf)
	judged := make([]int, nf)
	var total formCounts
	n := 0
	for cl, c := range clusterCommunes(r.p) {
		n++
		s.Row(row, xl.TextCenter, n, cl.Name, xl.Styled{V: c.FullName(), S: xl.Text})
		s.FitHeight(row, 15, []string{"", "", c.FullName()}, widthsOf(cols))
		expected := aggregate.FormsOf(r.p, c)
		var cc formCounts
		for k, f := range record.Forms {
			if !slices.Contains(expected, f) {
				s.Put(4+k, row, "—", xl.Muted)
				continue
			}
			cc.due++
			due[k]++
			t, ok := aggregate.TimelinessOf(r.ds, c.Code, f)
			switch {
			case !ok || t.ReceivedAt.IsZero():
				st := xl.Pending
				if ok && aggregate.Overdue(r.p, t, r.now) {
					st = xl.Missing
				}
				s.Put(4+k, row, "Chưa nộp", st)
			case t.OnTime != nil && !*t.OnTime:
				cc.got++
				got[k]++
				judged[k]++
				s.Put(4+k, row, "Trễ ("+xl.DM(t.ReceivedAt, r.loc)+")", xl.Late)
			default:
				cc.got++
				got[k]++
				if t.OnTime != nil {
					judged[k]++
					onTime[k]++
				}
				s.Put(4+k, row, xl.DM(t.ReceivedAt, r.loc), xl.Received)
			}
		}
		cc.late = r.ix.Int(aggregate.FormsLate, cl.ID, c.Code, "", "")
		cc.rejected = r.ix.Int(aggregate.SubmissionsRejected, cl.ID, c.Code, "", "")
		cc.duplicates = r.ix.Int(aggregate.SubmissionsDuplicate, cl.ID, c.Code, "", "")
		cc.put(s, 4+nf, row, xl.Int, xl.Percent)
		total.add(cc)
		row++
	}
	base := 4 + nf
	s.Merge(row, 1, 3, "Số xã đã nộp / phải nộp", xl.TotalText)
	s.FitHeight(row, 15, []string{"Số xã đã nộp / phải nộp"}, []float64{34 * 0.85})
	for k := range record.Forms {
		s.Put(4+k, row, fmt.Sprintf("%d/%d", got[k], due[k]), xl.TotalCenter)
	}
	total.put(s, base, row, xl.TotalInt, xl.TotalPercent)
	row++
	s.Merge(row, 1, 3, "Tỷ lệ đầy đủ", xl.TotalText)
	for k := range record.Forms {
		s.Put(4+k, row, ratio(got[k], due[k]), xl.TotalPercent)
	}
	blankTotals(s, base, row)
	row++
	s.Merge(row, 1, 3, "Tỷ lệ đúng hạn (biểu mẫu có hạn nộp)", xl.TotalText)
	s.FitHeight(row, 15, []string{"Tỷ lệ đúng hạn (biểu mẫu có hạn nộp)"}, []float64{34 * 0.85})
	for k := range record.Forms {
		if judged[k] == 0 {
			s.Put(4+k, row, "—", xl.TotalCenter)
		} else {
			s.Put(4+k, row, ratio(onTime[k], judged[k]), xl.TotalPercent)
		}
	}
	blankTotals(s, base, row)
	row += 2
	var dl []string
	if d := r.p.Deadlines.CommunePlan; d.Set {
		dl = append(dl, fmt.Sprintf("kế hoạch của xã (KH) hạn %02d/%02d/%04d", d.D, int(d.M), d.Y))
	}
	var cd []string
	for i := range r.p.Clusters {
		cl := &r.p.Clusters[i]
		if t, ok := r.p.OpinionDeadline(cl.ID); ok {
			cd = append(cd, cl.Name+": "+xl.DMY(t, r.loc))
		} else {
			cd = append(cd, cl.Name+": chưa có ngày đối thoại")
		}
	}
	dl = append(dl, fmt.Sprintf("ý kiến (M4) hạn %d ngày trước ngày đối thoại (%s)", r.p.Deadlines.OpinionsDaysBeforeDialogue, strings.Join(cd, "; ")))
	legend := "Ô ghi ngày (dd/mm): ngày huyện nhận tệp đầu tiên của biểu mẫu; “Trễ”: nhận sau hạn; “Chưa nộp”: chưa nhận (tô đỏ khi đã quá hạn); “—”: không phải nộp (M5 chỉ do xã chủ trì cụm gửi). " +
		"Hạn nộp: " + strings.Join(dl, "; ") + "."
	note(s, row, len(cols), legend, sumWidth(cols))
	row++
	if u := r.ix.Int(aggregate.SubmissionsUnknownCommune, 0, "", "", ""); u > 0 {
		note(s, row, len(cols), fmt.Sprintf("Có %d tệp không xác định được xã (không tính trong bảng trên), xem danh sách tệp bị từ chối bên dưới.", u), sumWidth(cols))
		row++
	}
	row++
	// The rejected files.
	var rejected []record.SubmissionOutcome
	for _, o := range r.ds.Submissions {
		if o.Status == record.StatusRejected {
			rejected = append(rejected, o)
		}
	}
	pos := xl.CommuneIndex(r.p)
	slices.SortStableFunc(rejected, func(a, b record.SubmissionOutcome) int {
		if c := cmp.Compare(pos(a.CommuneCode), pos(b.CommuneCode)); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	s.Merge(row, 1, len(cols), fmt.Sprintf("DANH SÁCH TỆP BỊ TỪ CHỐI (%d tệp)", len(rejected)), xl.Section)
	row++
	if len(rejected) == 0 {
		s.Merge(row, 1, len(cols), "Không có tệp nào bị từ chối.", xl.Muted)
		return
	}
	s.Put(1, row, "STT", xl.Header)
	s.Merge(row, 2, 3, "Xã, thị trấn", xl.Header)
	s.Merge(row, 4, 7, "Tệp", xl.Header)
	s.Put(8, row, "Ngày nhận", xl.Header)
	s.Merge(row, 9, len(cols), "Lý do", xl.Header)
	row++
	for i, o := range rejected {
		why := wording.Reason(o.Reason)
		s.Put(1, row, i+1, xl.TextCenter)
		s.Merge(row, 2, 3, xl.CommuneName(r.p, o.CommuneCode), xl.Text)
		s.Merge(row, 4, 7, o.Path, xl.Text)
		s.Put(8, row, xl.DMY(o.ReceivedAt, r.loc), xl.TextCenter)
		s.Merge(row, 9, len(cols), why, xl.Text)
		s.FitHeight(row, 15, []string{o.Path, why}, []float64{48, 60})
		row++
	}
}

// problemKey groups findings of one commune.
type problemKey struct {
	severity record.Severity
	code     string
}

type problem struct {
	key     problemKey
	count   int
	columns []string
	files   map[string]int
	example string
}

// problems writes "Lỗi dữ liệu theo xã": per commune, errors and warnings
// by code, with the files.
func (r *report) problems() {
	cols := []col{{"", "STT", 5}, {"", "Xã, thị trấn", 18}, {"", "Mức độ", 10}, {"", "Mã lỗi", 18}, {"", "Cột", 20},
		{"", "Số lần", 8}, {"", "Ví dụ", 60}, {"", "Tệp (số lần)", 40}}
	s, row := r.tableSheet(SheetProblems, "LỖI DỮ LIỆU TRONG CÁC TỆP CỦA XÃ", cols, true, 0)
	widths := widthsOf(cols)
	byCommune := map[string]map[problemKey]*problem{}
	files := map[string]map[string]bool{}
	for i := range r.ds.Findings {
		f := &r.ds.Findings[i]
		if r.sc.Replaced(f.SubmissionID, f.Path) {
			continue
		}
		code := f.CommuneCode
		if r.p.Commune(code) == nil {
			code = ""
		}
		m := byCommune[code]
		if m == nil {
			m = map[problemKey]*problem{}
			byCommune[code] = m
			files[code] = map[string]bool{}
		}
		k := problemKey{f.Severity, f.Code}
		pr := m[k]
		if pr == nil {
			pr = &problem{key: k, files: map[string]int{}, example: f.Message}
			m[k] = pr
		}
		pr.count++
		if f.ColumnTitle != "" && !slices.Contains(pr.columns, f.ColumnTitle) {
			pr.columns = append(pr.columns, f.ColumnTitle)
		}
		pr.files[f.Path]++
		files[code][f.Path] = true
	}
	codes := make([]string, 0, len(r.p.Communes())+1)
	for _, c := range r.p.Communes() {
		codes = append(codes, c.Code)
	}
	if byCommune[""] != nil {
		codes = append(codes, "")
	}
	n := 0
	for _, code := range codes {
		m := byCommune[code]
		var errs, warns int
		list := make([]*problem, 0, len(m))
		for _, pr := range m {
			list = append(list, pr)
			if pr.key.severity == record.Error {
				errs += pr.count
			} else {
				warns += pr.count
			}
		}
		name := xl.CommuneTitle(r.p, code)
		if code == "" {
			name = "Tệp không xác định được xã"
		}
		head := fmt.Sprintf("%s – %d lỗi, %d cảnh báo trong %d tệp", name, errs, warns, len(files[code]))
		if len(list) == 0 {
			head = name + " – không có lỗi, cảnh báo"
		}
		s.Merge(row, 1, len(cols), head, xl.Section)
		row++
		slices.SortFunc(list, func(a, b *problem) int {
			if a.key.severity != b.key.severity {
				if a.key.severity == record.Error {
					return -1
				}
				return 1
			}
			if c := cmp.Compare(b.count, a.count); c != 0 {
				return c
			}
			return cmp.Compare(a.key.code, b.key.code)
		})
		for _, pr := range list {
			n++
			sev := "Cảnh báo"
			st := xl.TextCenter
			if pr.key.severity == record.Error {
				sev, st = "Lỗi", xl.Late
			}
			example := xl.MaskText(pr.example)
			if rs := []rune(example); len(rs) > 300 {
				example = string(rs[:300]) + "…"
			}
			fl := fileList(pr.files)
			cl := strings.Join(pr.columns, ", ")
			s.Row(row, xl.Text, xl.Styled{V: n, S: xl.TextCenter}, xl.CommuneName(r.p, code), xl.Styled{V: sev, S: st}, pr.key.code, cl,
				xl.Styled{V: pr.count, S: xl.Int}, example, fl)
			s.FitHeight(row, 15, []string{"", "", "", pr.key.code, cl, "", example, fl}, widths)
			row++
		}
	}
	row++
	note(s, row, len(cols), "Không tính các tệp đã được xã thay bằng tệp mới hơn. Lỗi: dòng không được tính vào số liệu; cảnh báo: dòng vẫn được tính nhưng cần xã kiểm tra. "+
		"Chi tiết từng ô (sheet, dòng, cột, giá trị) có trong phản hồi gửi từng xã.", sumWidth(cols))
}

// fileList shows files with their counts, most first, at most 10.
func fileList(m map[string]int) string {
	type fc struct {
		path string
		n    int
	}
	var l []fc
	for p, n := range m {
		l = append(l, fc{p, n})
	}
	slices.SortFunc(l, func(a, b fc) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return cmp.Compare(a.path, b.path)
	})
	var out []string
	for i, x := range l {
		if i == 10 {
			out = append(out, fmt.Sprintf("… và %d tệp khác", len(l)-10))
			break
		}
		out = append(out, fmt.Sprintf("%s (%d)", x.path, x.n))
	}
	return strings.Join(out, "\n")
}
