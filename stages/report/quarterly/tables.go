package quarterly

import (
	"cmp"
	"slices"
	"time"

	"doithoai/pipeline/record"
	"doithoai/stages/aggregate"
	"doithoai/stages/report/quarterly/xl"
)

// communes writes "Theo xã".
func (r *report) communes() {
	const reps = "Đại diện hộ nghèo, hộ cận nghèo"
	cols := []col{
		{"", "STT", 5}, {"", "Cụm", 7}, {"", "Xã, thị trấn", 22}, {"", "Mã xã", 7},
		{"Đại biểu cấp xã", "Kế hoạch", 8}, {"Đại biểu cấp xã", "Có danh sách", 9},
		{"Trưởng khóm/ấp", "Kế hoạch", 8}, {"Trưởng khóm/ấp", "Có danh sách", 9},
		{reps, "Kế hoạch", 8}, {reps, "Đăng ký", 8}, {reps, "Đủ điều kiện (hộ)", 9}, {reps, "Được tính", 8},
		{reps, "Không đủ điều kiện", 9}, {reps, "Vượt định mức (hộ)", 9},
		{"Ý kiến, kiến nghị", "Tổng số", 8}, {"Ý kiến, kiến nghị", "Trễ hạn", 8},
		{"Hộ trùng", "Nhóm hộ trùng", 8}, {"Hộ trùng", "Cặp cần xem xét", 9},
		{"Biểu mẫu", "Phải nộp", 8}, {"Biểu mẫu", "Đã nộp", 8}, {"Biểu mẫu", "Nộp trễ", 8},
		{"Tệp đã gửi", "Tiếp nhận", 9}, {"Tệp đã gửi", "Bị từ chối", 9}, {"Tệp đã gửi", "Gửi trùng", 8},
	}
	s, row := r.tableSheet(SheetCommunes, "TỔNG HỢP THEO XÃ, THỊ TRẤN", cols, true, 3)
	ix := r.ix
	total := make([]int, len(cols))
	n := 0
	for cl, c := range clusterCommunes(r.p) {
		n++
		due := len(aggregate.FormsOf(r.p, c))
		missing := ix.Int(aggregate.FormsMissing, cl.ID, c.Code, "", "")
		vals := []int{
			ix.Int(aggregate.DelegatesPlanned, cl.ID, c.Code, "", ""), ix.Int(aggregate.DelegatesPresent, cl.ID, c.Code, "", ""),
			int(ix.Sum(aggregate.HeadsPlanned, cl.ID, c.Code)), int(ix.Sum(aggregate.HeadsPresent, cl.ID, c.Code)),
			int(ix.Sum(aggregate.RepsPlanned, cl.ID, c.Code)), int(ix.Sum(aggregate.RepsRegistered, cl.ID, c.Code)),
			int(ix.Sum(aggregate.RepsEligible, cl.ID, c.Code)), int(ix.Sum(aggregate.RepsCounted, cl.ID, c.Code)),
			int(ix.Sum(aggregate.RepsIneligible, cl.ID, c.Code)), int(ix.Sum(aggregate.RepsOverQuota, cl.ID, c.Code)),
			ix.Int(aggregate.CommuneOpinions, cl.ID, c.Code, "", ""), ix.Int(aggregate.CommuneOpinionsLate, cl.ID, c.Code, "", ""),
			r.dups.byCommune[c.Code], ix.Int(aggregate.BorderlinePairs, cl.ID, c.Code, "", ""),
			due, due - missing, ix.Int(aggregate.FormsLate, cl.ID, c.Code, "", ""),
			ix.Int(aggregate.SubmissionsAccepted, cl.ID, c.Code, "", ""), ix.Int(aggregate.SubmissionsRejected, cl.ID, c.Code, "", ""),
			ix.Int(aggregate.SubmissionsDuplicate, cl.ID, c.Code, "", ""),
		}
		s.Row(row, xl.TextCenter, n, cl.Name, xl.Styled{V: c.FullName(), S: xl.Text}, c.Code)
		s.FitHeight(row, 15, []string{"", "", c.FullName()}, widthsOf(cols))
		for k, v := range vals {
			s.Put(5+k, row, v, xl.Int)
			total[4+k] += v
		}
		row++
	}
	s.Merge(row, 1, 4, "Tổng cộng", xl.TotalText)
	for k := 4; k < len(cols); k++ {
		s.Put(k+1, row, total[k], xl.TotalInt)
	}
	row += 2
	note(s, row, len(cols), "Đăng ký: số dòng hợp lệ của danh sách M2 hiện hành; Đủ điều kiện: số hộ có trong danh sách M1 của xã; Được tính: số hộ đủ điều kiện, tối đa "+
		itoa(r.p.Quotas.HouseholdReps)+" hộ/ấp; Vượt định mức: hộ thứ "+itoa(r.p.Quotas.HouseholdReps+1)+" trở đi của ấp theo thứ tự nhận. "+
		"Nhóm hộ trùng: hộ ghi hai lần trong M1, đăng ký hai lần trong M2 hoặc ở hai xã (chi tiết ở sheet “"+SheetDuplicates+"”). "+
		"Biểu mẫu phải nộp: kế hoạch (KH), M1 đến M4, và M5 đối với xã chủ trì cụm.", sumWidth(cols))
}

// hamlets writes "Theo ấp".
func (r *report) hamlets() {
	const reps, heads = "Đại diện hộ nghèo, hộ cận nghèo", "Trưởng khóm/ấp"
	cols := []col{
		{"", "STT", 5}, {"", "Cụm", 7}, {"", "Xã, thị trấn", 22}, {"", "Khóm/Ấp", 22},
		{reps, "Kế hoạch", 9}, {reps, "Đăng ký", 9}, {reps, "Đủ điều kiện (hộ)", 10}, {reps, "Được tính", 9},
		{reps, "Không đủ điều kiện", 10}, {reps, "Vượt định mức (hộ)", 10},
		{heads, "Kế hoạch", 9}, {heads, "Có danh sách", 9},
	}
	s, row := r.tableSheet(SheetHamlets, "TỔNG HỢP THEO KHÓM, ẤP", cols, true, 4)
	ix := r.ix
	measures := []string{aggregate.RepsPlanned, aggregate.RepsRegistered, aggregate.RepsEligible, aggregate.RepsCounted,
		aggregate.RepsIneligible, aggregate.RepsOverQuota, aggregate.HeadsPlanned, aggregate.HeadsPresent}
	total := make([]int, len(measures))
	n := 0
	for cl, c := range clusterCommunes(r.p) {
		sub := make([]int, len(measures))
		for _, h := range r.hamletRows(cl.ID, c.Code) {
			n++
			s.Row(row, xl.TextCenter, n, cl.Name, xl.Styled{V: c.FullName(), S: xl.Text}, xl.Styled{V: h.name, S: xl.Text})
			s.FitHeight(row, 15, []string{"", "", c.FullName(), h.name}, widthsOf(cols))
			for k, m := range measures {
				v := ix.Int(m, cl.ID, c.Code, h.name, "")
				s.Put(5+k, row, v, xl.Int)
				sub[k] += v
				total[k] += v
			}
			row++
		}
		s.Merge(row, 1, 4, "Cộng "+c.FullName(), xl.TotalText)
		for k, v := range sub {
			s.Put(5+k, row, v, xl.TotalInt)
		}
		row++
	}
	s.Merge(row, 1, 4, "Tổng cộng", xl.TotalText)
	for k, v := range total {
		s.Put(5+k, row, v, xl.TotalInt)
	}
	row += 2
	note(s, row, len(cols), "Trưởng khóm/ấp “Có danh sách”: có tên trong danh sách M3 hợp lệ của xã. Khóm, ấp theo kế hoạch năm; số liệu chỉ tính các dòng hợp lệ của tệp mới nhất.", sumWidth(cols))
}

// topics writes "Ý kiến theo lĩnh vực": cluster × topic, then by agency.
func (r *report) topics() {
	cols := []col{{"", "STT", 5}, {"", "Cụm", 8}, {"", "Lĩnh vực", 40}, {"", "Cơ quan trả lời", 34}, {"", "Số ý kiến", 9}, {"", "Trễ hạn", 9}}
	s, row := r.tableSheet(SheetTopics, "Ý KIẾN, KIẾN NGHỊ THEO LĨNH VỰC VÀ CƠ QUAN TRẢ LỜI", cols, false, 0)
	ix := r.ix
	var all, allLate int
	byAgency := map[string][2]int{}
	for ci := range r.p.Clusters {
		cl := &r.p.Clusters[ci]
		var sum, late int
		seen := map[string]bool{}
		n := 0
		for _, tp := range r.p.Topics {
			if seen[tp.Name] {
				continue
			}
			seen[tp.Name] = true
			n++
			v := ix.Int(aggregate.Opinions, cl.ID, "", "", tp.Name)
			l := ix.Int(aggregate.OpinionsLate, cl.ID, "", "", tp.Name)
			s.Row(row, xl.Text, xl.Styled{V: n, S: xl.TextCenter}, xl.Styled{V: cl.Name, S: xl.TextCenter}, tp.Name, tp.Agency,
				xl.Styled{V: v, S: xl.Int}, xl.Styled{V: l, S: xl.Int})
			s.FitHeight(row, 15, []string{"", "", tp.Name, tp.Agency}, widthsOf(cols))
			sum += v
			late += l
			a := byAgency[tp.Agency]
			byAgency[tp.Agency] = [2]int{a[0] + v, a[1] + l}
			row++
		}
		s.Merge(row, 1, 4, "Cộng "+cl.Name, xl.TotalText)
		s.Put(5, row, sum, xl.TotalInt)
		s.Put(6, row, late, xl.TotalInt)
		all += sum
		allLate += late
		row++
	}
	s.Merge(row, 1, 4, "Tổng cộng", xl.TotalText)
	s.Put(5, row, all, xl.TotalInt)
	s.Put(6, row, allLate, xl.TotalInt)
	row += 2
	s.Merge(row, 1, 6, "THEO CƠ QUAN TRẢ LỜI", xl.BoldLeft)
	row++
	s.Put(1, row, "STT", xl.Header)
	s.Merge(row, 2, 4, "Cơ quan trả lời", xl.Header)
	s.Put(5, row, "Số ý kiến", xl.Header)
	s.Put(6, row, "Trễ hạn", xl.Header)
	row++
	for i, a := range r.p.Agencies() {
		v := byAgency[a]
		s.Put(1, row, i+1, xl.TextCenter)
		s.Merge(row, 2, 4, a, xl.Text)
		s.Put(5, row, v[0], xl.Int)
		s.Put(6, row, v[1], xl.Int)
		row++
	}
	s.Merge(row, 1, 4, "Tổng cộng", xl.TotalText)
	s.Put(5, row, all, xl.TotalInt)
	s.Put(6, row, allLate, xl.TotalInt)
	row += 2
	note(s, row, len(cols), "Trễ hạn: tệp ý kiến (M4) của xã được huyện nhận sau hạn "+itoa(r.p.Deadlines.OpinionsDaysBeforeDialogue)+
		" ngày trước ngày đối thoại của cụm. Danh sách từng ý kiến ở sheet “"+SheetOpinions+"”; mỗi cơ quan nhận danh sách riêng trong thư mục cau-hoi-co-quan.", sumWidth(cols))
}

// currentOpinions are the valid current opinions, by cluster, commune in
// plan order, then receipt.
func (r *report) currentOpinions() []*record.Opinion {
	var out []*record.Opinion
	for i := range r.ds.Opinions {
		o := &r.ds.Opinions[i]
		if r.sc.Counts(o.Source, o.State) {
			out = append(out, o)
		}
	}
	pos := xl.CommuneIndex(r.p)
	slices.SortStableFunc(out, func(a, b *record.Opinion) int {
		ca, cb := xl.OpinionCluster(r.p, a), xl.OpinionCluster(r.p, b)
		if ca == 0 || cb == 0 {
			// Unknown clusters last.
			if c := cmp.Compare(boolInt(ca == 0), boolInt(cb == 0)); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(ca, cb); c != 0 {
			return c
		}
		if c := cmp.Compare(pos(a.CommuneCode), pos(b.CommuneCode)); c != 0 {
			return c
		}
		return record.CompareReceipt(&a.Source, &b.Source)
	})
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// opinions writes "Danh sách ý kiến".
func (r *report) opinions() {
	cols := []col{
		{"", "STT", 5}, {"", "Cụm", 7}, {"", "Xã, thị trấn", 16}, {"", "Khóm/Ấp", 14}, {"", "Người kiến nghị", 18},
		{"", "Lĩnh vực", 20}, {"", "Cơ quan trả lời", 20}, {"", "Nội dung ý kiến, kiến nghị", 60},
		{"", "Ngày tiếp nhận", 11}, {"", "Ngày huyện nhận", 11}, {"", "Trễ hạn", 8}, {"", "Nguồn (tệp, sheet, dòng)", 28},
	}
	s, row := r.tableSheet(SheetOpinions, "DANH SÁCH Ý KIẾN, KIẾN NGHỊ CỦA HỘ NGHÈO, HỘ CẬN NGHÈO", cols, true, 0)
	ops := r.currentOpinions()
	if len(ops) == 0 {
		s.Merge(row, 1, len(cols), "Chưa có ý kiến, kiến nghị nào.", xl.Muted)
		return
	}
	widths := widthsOf(cols)
	for i, o := range ops {
		agency := o.Agency
		if agency == "" {
			agency = r.p.Agency(o.Topic)
		}
		late := ""
		lateSt := xl.TextCenter
		if o.Late {
			late, lateSt = "Trễ hạn", xl.Late
		}
		content := xl.MaskText(o.Content)
		src := xl.Where(o.Path, o.Sheet, o.Row)
		s.Row(row, xl.Text, xl.Styled{V: i + 1, S: xl.TextCenter}, xl.Styled{V: r.clusterName(xl.OpinionCluster(r.p, o)), S: xl.TextCenter},
			xl.CommuneName(r.p, o.CommuneCode), o.Hamlet, xl.MaskText(o.ReporterName), o.Topic, agency, content,
			xl.Styled{V: r.day(o.ReceivedOn), S: xl.Date}, xl.Styled{V: r.day(o.ReceivedAt), S: xl.Date}, xl.Styled{V: late, S: lateSt}, src)
		s.FitHeight(row, 15, []string{"", "", xl.CommuneName(r.p, o.CommuneCode), o.Hamlet, xl.MaskText(o.ReporterName), o.Topic, agency, content, "", "", "", src}, widths)
		row++
	}
	row++
	note(s, row, len(cols), "Chỉ gồm các ý kiến hợp lệ của tệp M4 mới nhất mỗi xã gửi. Ngày tiếp nhận: ngày ghi trong biểu của xã; Ngày huyện nhận: ngày huyện nhận tệp (căn cứ tính trễ hạn).", sumWidth(cols))
}

// itoa formats an int.
func itoa(n int) string { return xl.Itoa(n) }

// day is a time in the plan's zone, for date cells (zero stays zero).
func (r *report) day(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(r.loc)
}
