package quarterly

import (
	"fmt"
	"strings"

	"doithoai/stages/aggregate"
	"doithoai/stages/report/quarterly/xl"
	"doithoai/stages/report/wording"
)

// Title is the report's title for a period.
func Title(period string) string {
	return "BÁO CÁO KẾT QUẢ TỔ CHỨC ĐỐI THOẠI CHÍNH SÁCH GIẢM NGHÈO " + xl.QuarterLabel(period)
}

// totals are the district's key figures.
type totals struct {
	// clusterTotals are summed over the clusters.
	clusterTotals
	// res is summed over the clusters that sent their M5.
	res                                             result
	clusters, communes, hamlets                     int
	registered, eligible, overQuota, ineligible     int
	agencies, results                               int
	files, rejected, duplicates, unknown            int
	formsMissing, formsLate, formsOverdue, formsDue int
	dupGroups, borderline                           int
}

func (r *report) totals() totals {
	var t totals
	ix := r.ix
	t.clusters = len(r.p.Clusters)
	agencies := map[string]bool{}
	for ci := range r.p.Clusters {
		cl := &r.p.Clusters[ci]
		t.clusterTotals.add(r.clusterTotals(cl.ID))
		if res, ok := r.result(cl.ID); ok {
			t.results++
			t.res.add(res)
		}
		for _, tp := range r.p.Topics {
			if ix.Int(aggregate.Opinions, cl.ID, "", "", tp.Name) > 0 {
				agencies[tp.Agency] = true
			}
		}
		for mi := range cl.Communes {
			c := &cl.Communes[mi]
			t.communes++
			t.hamlets += len(r.hamletRows(cl.ID, c.Code))
			t.registered += int(ix.Sum(aggregate.RepsRegistered, cl.ID, c.Code))
			t.eligible += int(ix.Sum(aggregate.RepsEligible, cl.ID, c.Code))
			t.overQuota += int(ix.Sum(aggregate.RepsOverQuota, cl.ID, c.Code))
			t.ineligible += int(ix.Sum(aggregate.RepsIneligible, cl.ID, c.Code))
			rejected := ix.Int(aggregate.SubmissionsRejected, cl.ID, c.Code, "", "")
			duplicates := ix.Int(aggregate.SubmissionsDuplicate, cl.ID, c.Code, "", "")
			t.files += ix.Int(aggregate.SubmissionsAccepted, cl.ID, c.Code, "", "") + rejected + duplicates
			t.rejected += rejected
			t.duplicates += duplicates
			t.formsMissing += ix.Int(aggregate.FormsMissing, cl.ID, c.Code, "", "")
			t.formsLate += ix.Int(aggregate.FormsLate, cl.ID, c.Code, "", "")
			t.formsOverdue += ix.Int(aggregate.FormsOverdue, cl.ID, c.Code, "", "")
			t.formsDue += len(aggregate.FormsOf(r.p, c))
		}
	}
	t.unknown = ix.Int(aggregate.SubmissionsUnknownCommune, 0, "", "", "")
	t.files += t.unknown
	t.rejected += t.unknown
	t.agencies = len(agencies)
	t.dupGroups = len(r.dups.groups)
	t.borderline = len(r.dups.pairs)
	return t
}

// percentVN shows a ratio as a Vietnamese percentage: "57,8%".
func percentVN(a, b int) string {
	if b == 0 {
		return "–"
	}
	return strings.Replace(fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b)), ".", ",", 1)
}

// cover writes the title sheet.
func (r *report) cover() {
	p := r.p
	s := r.book.Sheet(SheetCover)
	widths := []float64{6, 12, 12, 14, 12, 12, 12, 14}
	s.Widths(widths...)
	const last = 8
	row := s.AdminHeader(p, 1, 4, last)
	s.Merge(row, 1, 4, xl.NumberLine(p, "BC"), xl.Centered)
	s.Merge(row, 5, last, xl.PlaceDate(xl.PlaceName(p.District.Name), r.now, r.loc), xl.Italic)
	row += 2
	if r.draft {
		s.Merge(row, 1, last, "DỰ THẢO", xl.Draft)
		row++
	}
	s.Merge(row, 1, last, Title(r.period), xl.Title)
	s.Height(row, 40)
	row++
	sub := "(Số liệu đến ngày " + xl.DMY(r.now, r.loc) + ")"
	if r.draft {
		sub = "(Dự thảo, số liệu đến ngày " + xl.DMY(r.now, r.loc) + "; bản chính thức được lập một lần sau khi hết " + xl.QuarterLabel(r.period) + ")"
	}
	s.Merge(row, 1, last, sub, xl.Italic)
	s.FitHeight(row, 15, []string{sub}, []float64{92})
	row += 2
	if p.District.ReportTo != "" {
		s.Merge(row, 1, last, "Kính gửi: "+p.District.ReportTo, xl.BoldCenter)
		row += 2
	}
	t := r.totals()
	for _, para := range r.summary(t) {
		s.Merge(row, 1, last, para, xl.Paragraph)
		s.FitHeight(row, 16.5, []string{para}, []float64{92 * 0.88}) // 12 pt text
		row++
	}
	row++
	s.Merge(row, 1, last, "SỐ LIỆU CHÍNH", xl.BoldLeft)
	row++
	s.Put(1, row, "STT", xl.Header)
	s.Merge(row, 2, 5, "Chỉ tiêu", xl.Header)
	s.Put(6, row, "Số lượng", xl.Header)
	s.Merge(row, 7, 8, "Ghi chú", xl.Header)
	row++
	type line struct {
		label string
		v     int
		note  string
		sub   bool
	}
	lines := []line{
		{label: "Số cụm xã tổ chức đối thoại", v: t.clusters},
		{label: "Số xã, thị trấn", v: t.communes},
		{label: "Số khóm, ấp", v: t.hamlets},
		{label: "Số người tham dự theo kế hoạch", v: t.planned},
		{label: "Số người dự kiến tham dự theo danh sách các xã gửi", v: t.expected, note: percentVN(t.expected, t.planned) + " kế hoạch"},
		{label: "Tổ công tác huyện", v: t.team, sub: true},
		{label: "Đại biểu cấp xã", v: t.delegates, sub: true},
		{label: "Trưởng khóm, ấp", v: t.heads, sub: true},
		{label: "Đại diện hộ nghèo, hộ cận nghèo", v: t.reps, sub: true, note: fmt.Sprintf("tối đa %d hộ/ấp", p.Quotas.HouseholdReps)},
		{label: "Số người đại diện hộ đã đăng ký (mẫu M2)", v: t.registered},
		{label: "Số hộ đủ điều kiện (có trong danh sách M1)", v: t.eligible, sub: true},
		{label: "Số hộ vượt định mức của ấp", v: t.overQuota, sub: true},
		{label: "Số dòng đăng ký không đủ điều kiện", v: t.ineligible, sub: true},
		{label: "Số ý kiến, kiến nghị (mẫu M4)", v: t.opinions},
		{label: "Gửi trễ hạn", v: t.late, sub: true},
		{label: "Số cơ quan cần trả lời ý kiến", v: t.agencies},
		{label: "Số cụm đã gửi kết quả đối thoại (mẫu M5)", v: t.results, note: fmt.Sprintf("trên %d cụm", t.clusters)},
		{label: "Số tệp các xã đã gửi", v: t.files},
		{label: "Bị từ chối", v: t.rejected, sub: true},
		{label: "Gửi trùng (cùng nội dung)", v: t.duplicates, sub: true},
		{label: "Số biểu mẫu chưa nộp", v: t.formsMissing, note: fmt.Sprintf("trên %d biểu mẫu phải nộp", t.formsDue)},
		{label: "Số biểu mẫu nộp trễ hạn", v: t.formsLate},
		{label: "Số nhóm hộ trùng cần xử lý", v: t.dupGroups, note: "xem sheet “" + SheetDuplicates + "”"},
		{label: "Số cặp hộ cần cán bộ xem xét", v: t.borderline},
	}
	n := 0
	for _, l := range lines {
		stt := ""
		label := l.label
		if l.sub {
			label = "– " + label
		} else {
			n++
			stt = fmt.Sprint(n)
		}
		s.Put(1, row, stt, xl.TextCenter)
		s.Merge(row, 2, 5, label, xl.Text)
		s.Put(6, row, l.v, xl.Int)
		s.Merge(row, 7, 8, l.note, xl.Text)
		s.FitHeight(row, 15, []string{label, l.note}, []float64{50, 26})
		row++
	}
	row++
	contents := "Các sheet kèm theo: " + strings.Join(Sheets[1:], "; ") + "."
	note(s, row, last, contents, 92)
	row += 2
	s.Merge(row, 1, 4, "Nơi nhận:", xl.BoldLeft)
	s.Merge(row, 5, last, "TRƯỞNG PHÒNG", xl.BoldCenter)
	row++
	s.Merge(row, 1, 4, "- Như trên;", xl.Plain)
	s.Merge(row, 5, last, "(Ký, ghi rõ họ tên, đóng dấu)", xl.Italic)
	row++
	s.Merge(row, 1, 4, "- Lưu: VT.", xl.Plain)
	s.Setup(xl.Print{Draft: r.draft})
}

// summary is the report's opening paragraphs with the key totals.
func (r *report) summary(t totals) []string {
	p := r.p
	q := xl.QuarterLabel(r.period)
	office := p.District.Office
	if office == "" {
		office = "Ủy ban nhân dân " + p.District.Name
	}
	var out []string
	out = append(out, fmt.Sprintf("Thực hiện Kế hoạch tổ chức đối thoại chính sách giảm nghèo năm %d, %s %s báo cáo kết quả %s như sau:",
		p.Year, office, wording.LowerFirst(p.District.Name), q))
	out = append(out, fmt.Sprintf("1. Đối thoại được tổ chức theo %d cụm xã, gồm %d xã, thị trấn và %d khóm, ấp. Theo kế hoạch có %d người tham dự; "+
		"theo danh sách các xã đã gửi, dự kiến %d người (Tổ công tác huyện %d, đại biểu cấp xã %d, trưởng khóm/ấp %d, đại diện hộ nghèo, hộ cận nghèo %d), đạt %s kế hoạch.",
		t.clusters, t.communes, t.hamlets, t.planned, t.expected, t.team, t.delegates, t.heads, t.reps, percentVN(t.expected, t.planned)))
	op := fmt.Sprintf("2. Các xã đã gửi %d ý kiến, kiến nghị của hộ nghèo, hộ cận nghèo", t.opinions)
	if t.late > 0 {
		op += fmt.Sprintf(" (%d ý kiến gửi trễ hạn)", t.late)
	}
	if t.opinions > 0 {
		op += fmt.Sprintf(", đã chuyển đến %d cơ quan chuyên môn để chuẩn bị trả lời.", t.agencies)
	} else {
		op += "."
	}
	if t.results > 0 {
		op += fmt.Sprintf(" Đã nhận kết quả đối thoại (mẫu M5) của %d/%d cụm: %d ý kiến, trong đó trả lời tại buổi đối thoại %d, chuyển cơ quan giải quyết %d.",
			t.results, t.clusters, t.res.opinions, t.res.answered, t.res.forwarded)
	} else {
		op += " Chưa nhận kết quả đối thoại (mẫu M5) của cụm nào."
	}
	out = append(out, op)
	out = append(out, fmt.Sprintf("3. Huyện đã tiếp nhận %d tệp của các xã (%d tệp bị từ chối, %d tệp gửi trùng); còn %d/%d biểu mẫu chưa nộp, %d biểu mẫu nộp trễ hạn. "+
		"Phát hiện %d nhóm hộ trùng và %d cặp hộ cần cán bộ xem xét. Chi tiết tại các sheet kèm theo.",
		t.files, t.rejected, t.duplicates, t.formsMissing, t.formsDue, t.formsLate, t.dupGroups, t.borderline))
	return out
}

// clusters writes "Tổng hợp theo cụm".
func (r *report) clusters() {
	const att, res = "Dự kiến tham dự theo danh sách các xã", "Kết quả đối thoại (mẫu M5)"
	cols := []col{
		{"", "STT", 5}, {"", "Cụm", 8}, {"", "Xã, thị trấn", 26}, {"", "Ngày đối thoại", 12}, {"", "Địa điểm", 26},
		{"", "Kế hoạch (người)", 10},
		{att, "Tổ công tác huyện", 9}, {att, "Đại biểu cấp xã", 9}, {att, "Trưởng khóm/ấp", 9}, {att, "Đại diện hộ", 9}, {att, "Tổng số", 9},
		{"", "Tỷ lệ so với kế hoạch", 10},
		{"Ý kiến, kiến nghị", "Tổng số", 9}, {"Ý kiến, kiến nghị", "Trễ hạn", 8},
		{res, "Tổ công tác huyện", 9}, {res, "Cấp xã", 8}, {res, "Trưởng khóm/ấp", 9}, {res, "Đại diện hộ", 9},
		{res, "Số ý kiến", 8}, {res, "Trả lời tại buổi", 9}, {res, "Chuyển cơ quan giải quyết", 10},
	}
	s, row := r.tableSheet(SheetClusters, "TỔNG HỢP KẾT QUẢ THEO CỤM XÃ", cols, true, 2)
	var sum clusterTotals
	var rs result
	for i := range r.p.Clusters {
		cl := &r.p.Clusters[i]
		t := r.clusterTotals(cl.ID)
		s.Row(row, xl.Int, xl.Styled{V: i + 1, S: xl.TextCenter}, xl.Styled{V: cl.Name, S: xl.Text}, xl.Styled{V: communeNames(cl), S: xl.Text},
			xl.Styled{V: xl.ClusterDate(cl), S: xl.TextCenter}, xl.Styled{V: cl.Venue, S: xl.Text},
			t.planned, t.team, t.delegates, t.heads, t.reps, t.expected, xl.Styled{V: ratio(t.expected, t.planned), S: xl.Percent},
			t.opinions, t.late)
		if res, ok := r.result(cl.ID); ok {
			for k, v := range []int{res.team, res.delegates, res.heads, res.reps, res.opinions, res.answered, res.forwarded} {
				s.Put(15+k, row, v, xl.Int)
			}
			rs.add(res)
		} else {
			s.Merge(row, 15, 21, "Chưa nhận báo cáo kết quả (M5)", xl.Muted)
		}
		s.FitHeight(row, 15, []string{"", "", communeNames(cl), "", cl.Venue}, widthsOf(cols))
		sum.add(t)
		row++
	}
	s.Merge(row, 1, 5, "Tổng cộng", xl.TotalText)
	s.Row(row, xl.TotalInt, nil, nil, nil, nil, nil, sum.planned, sum.team, sum.delegates, sum.heads, sum.reps, sum.expected,
		xl.Styled{V: ratio(sum.expected, sum.planned), S: xl.TotalPercent}, sum.opinions, sum.late,
		rs.team, rs.delegates, rs.heads, rs.reps, rs.opinions, rs.answered, rs.forwarded)
	row += 2
	q := r.p.Quotas
	note(s, row, len(cols), fmt.Sprintf("Dự kiến tham dự = Tổ công tác huyện (%d người/cụm) + đại biểu cấp xã có trong danh sách M3 + trưởng khóm/ấp có trong danh sách M3 (%d người/ấp) "+
		"+ đại diện hộ đủ điều kiện, tối đa %d hộ/ấp. Chỉ tính các dòng hợp lệ của tệp mới nhất mỗi xã gửi. Kết quả đối thoại lấy từ mẫu M5 của xã chủ trì cụm.",
		q.DistrictTeam, q.HamletHeads, q.HouseholdReps), sumWidth(cols))
}

// clusterName names a cluster, "Không xác định" for 0.
func (r *report) clusterName(id int) string {
	if c := r.p.Cluster(id); c != nil {
		return c.Name
	}
	return "Không xác định"
}
