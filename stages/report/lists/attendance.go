package lists

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/report/mask"
	"doithoai/stages/report/quarterly/xl"
)

// SheetAttendance is the attendance list's sheet.
const SheetAttendance = "Danh sách tham dự"

// signRow is the least height of a person's row (points): room to sign.
const signRow = 24

// Blank is written where a name is to be filled in by hand.
const Blank = "…………………………"

// attendanceCols are the list's columns and widths.
var attendanceCols = []column{
	{"STT", 5}, {"Họ và tên", 22}, {"Năm sinh", 6.5}, {"Giới tính", 6.5}, {"Khóm/Ấp", 14},
	{"Chức vụ / Quan hệ với chủ hộ", 16}, {"Số điện thoại", 12}, {"Ký tên", 12}, {"Ghi chú", 18},
}

// rep is one household on the list: its first registration and the
// household's other ones.
type rep struct {
	first  *record.Registration
	others []*record.Registration
}

// attendance builds one cluster's attendance list.
func (in *input) attendance(cl *plan.Cluster) *xl.Book {
	p := in.p
	b, s, widths, row := in.newList("Danh sách tham dự đối thoại chính sách giảm nghèo – "+cl.Name, SheetAttendance,
		"DANH SÁCH THAM DỰ ĐỐI THOẠI CHÍNH SÁCH GIẢM NGHÈO — "+xl.Upper(cl.Name), attendanceCols)
	n := len(attendanceCols)
	lines := []string{
		"Địa điểm: " + orDash(cl.Venue),
		"Thời gian: " + dateLine(cl),
		"Các xã, thị trấn: " + communeList(cl),
	}
	for _, l := range lines {
		s.Merge(row, 1, n, l, xl.Centered)
		s.FitHeight(row, 15, []string{l}, []float64{sum(widths)})
		row++
	}
	asOf := "(Lập ngày " + xl.DMY(in.now, in.loc) + " theo danh sách các xã đã gửi)"
	s.Merge(row, 1, n, asOf, xl.Italic)
	row += 2
	row = tableHeader(s, row, attendanceCols, widths, false)
	// line writes a line across the list.
	line := func(text string, st xl.Style) {
		s.Merge(row, 1, n, text, st)
		row++
	}

	// I. The district team: names are not in the communes' data.
	team := p.Quotas.DistrictTeam
	line(fmt.Sprintf("I. TỔ CÔNG TÁC HUYỆN (%d người)", team), xl.Section)
	for i := 1; i <= team; i++ {
		s.Row(row, xl.Text, xl.Styled{V: i, S: xl.TextCenter}, Blank, xl.Blank{}, xl.Blank{}, xl.Blank{}, xl.Blank{}, xl.Blank{}, xl.Blank{}, xl.Blank{})
		s.Height(row, signRow)
		row++
	}
	teamNote := "Ghi chú: họ tên thành viên Tổ công tác huyện không có trong số liệu các xã gửi; ghi tay khi điểm danh."
	line(teamNote, xl.Note)

	// II. Commune delegates.
	delegates := in.delegates(cl, false)
	nDel := total(delegates)
	line(fmt.Sprintf("II. ĐẠI BIỂU CẤP XÃ (%d người)", nDel), xl.Section)
	stt := 0
	for mi := range cl.Communes {
		c := &cl.Communes[mi]
		list := delegates[c.Code]
		line(fmt.Sprintf("%s (%d/%d người)", in.communeTitle(c.Code), len(list), p.Quotas.CommuneDelegates), xl.SubSection)
		if len(list) == 0 {
			s.Put(1, row, xl.Blank{}, xl.TextCenter)
			s.Merge(row, 2, n, "Chưa có danh sách đại biểu cấp xã (mẫu M3) của xã.", xl.Muted)
			row++
			continue
		}
		for _, d := range list {
			stt++
			s.Row(row, xl.Text, xl.Styled{V: stt, S: xl.TextCenter}, d.Name, xl.Blank{}, xl.Blank{}, xl.Blank{}, d.Position,
				xl.Styled{V: mask.Phone(d.Phone), S: xl.TextCenter}, xl.Blank{}, d.Component)
			s.FitHeightMin(row, 15, signRow, []string{"", d.Name, "", "", "", d.Position, "", "", d.Component}, widths)
			row++
		}
	}

	// III. Hamlet heads: one line per hamlet, blank when none was sent.
	heads := in.delegates(cl, true)
	nHeads := total(heads)
	line(fmt.Sprintf("III. TRƯỞNG KHÓM, ẤP (%d người)", nHeads), xl.Section)
	stt = 0
	for mi := range cl.Communes {
		c := &cl.Communes[mi]
		list := heads[c.Code]
		line(fmt.Sprintf("%s (%d/%d khóm, ấp có tên)", in.communeTitle(c.Code), countHamlets(list), len(c.Hamlets)), xl.SubSection)
		for _, hg := range byHamlet(c, list, func(d *record.Delegate) string { return d.Hamlet }) {
			h, mine := hg.name, hg.rows
			if len(mine) == 0 {
				stt++
				s.Row(row, xl.Text, xl.Styled{V: stt, S: xl.TextCenter}, Blank, xl.Blank{}, xl.Blank{}, h, schemas.ComponentHamletHead, xl.Blank{}, xl.Blank{},
					"Chưa có trong danh sách M3")
				s.FitHeightMin(row, 15, signRow, []string{"", "", "", "", h, schemas.ComponentHamletHead, "", "", "Chưa có trong danh sách M3"}, widths)
				row++
				continue
			}
			for _, d := range mine {
				stt++
				pos := d.Position
				if pos == "" {
					pos = schemas.ComponentHamletHead
				}
				s.Row(row, xl.Text, xl.Styled{V: stt, S: xl.TextCenter}, d.Name, xl.Blank{}, xl.Blank{}, h, pos,
					xl.Styled{V: mask.Phone(d.Phone), S: xl.TextCenter}, xl.Blank{}, xl.Blank{})
				s.FitHeightMin(row, 15, signRow, []string{"", d.Name, "", "", h, pos}, widths)
				row++
			}
		}
	}

	// IV. Household representatives by commune and hamlet.
	reps, skipped := in.reps(cl)
	nReps := total(reps)
	line(fmt.Sprintf("IV. ĐẠI DIỆN HỘ NGHÈO, HỘ CẬN NGHÈO (%d người)", nReps), xl.Section)
	stt = 0
	for mi := range cl.Communes {
		c := &cl.Communes[mi]
		list := reps[c.Code]
		line(fmt.Sprintf("%s (%d hộ)", in.communeTitle(c.Code), len(list)), xl.SubSection)
		for _, hg := range byHamlet(c, list, func(r rep) string { return r.first.Hamlet }) {
			h, mine := hg.name, hg.rows
			label := fmt.Sprintf("%s (%d hộ)", h, len(mine))
			if len(mine) == 0 {
				label = h + " – chưa có đại diện hộ đủ điều kiện"
			}
			line(label, xl.Minor)
			for _, r := range mine {
				stt++
				g := r.first
				year := any(xl.Blank{})
				if g.BirthYear > 0 {
					year = g.BirthYear
				}
				remark := repRemark(r)
				s.Row(row, xl.Text, xl.Styled{V: stt, S: xl.TextCenter}, g.RepName, xl.Styled{V: year, S: xl.TextCenter},
					xl.Styled{V: g.Gender, S: xl.TextCenter}, g.Hamlet, g.Relation, xl.Styled{V: mask.Phone(g.Phone), S: xl.TextCenter}, xl.Blank{}, remark)
				s.FitHeightMin(row, 15, signRow, []string{"", g.RepName, "", "", g.Hamlet, g.Relation, "", "", remark}, widths)
				row++
			}
		}
	}
	row++
	total := fmt.Sprintf("Tổng cộng: %d người (Tổ công tác huyện %d, đại biểu cấp xã %d, trưởng khóm/ấp %d, đại diện hộ nghèo, hộ cận nghèo %d).",
		team+nDel+nHeads+nReps, team, nDel, nHeads, nReps)
	s.Merge(row, 1, n, total, xl.BoldLeft)
	s.FitHeight(row, 15, []string{total}, []float64{sum(widths)})
	row++
	var notes []string
	notes = append(notes, fmt.Sprintf("Đại diện hộ: chỉ ghi hộ có trong danh sách hộ dự kiến thoát nghèo (M1) của xã, mỗi hộ một người, mỗi khóm/ấp tối đa %d hộ theo thứ tự nhận.", p.Quotas.HouseholdReps))
	if skipped.overQuota > 0 || skipped.ineligible > 0 {
		notes = append(notes, fmt.Sprintf("Không ghi tên %d dòng đăng ký vượt định mức của ấp và %d dòng đăng ký không có trong danh sách M1 của xã.", skipped.overQuota, skipped.ineligible))
	}
	notes = append(notes, "Số điện thoại chỉ hiện 4 số cuối.")
	for _, t := range notes {
		s.Merge(row, 1, n, t, xl.Note)
		s.FitHeight(row, 14, []string{t}, []float64{sum(widths)})
		row++
	}
	row++
	s.Merge(row, 5, n, "NGƯỜI LẬP DANH SÁCH", xl.BoldCenter)
	row++
	s.Merge(row, 5, n, "(Ký, ghi rõ họ tên)", xl.Italic)
	return b
}

// delegates lists a cluster's valid current M3 rows by commune: the
// commune delegates (Ban giảm nghèo first, then Hội đoàn thể), or the
// hamlet heads; each in receipt order.
func (in *input) delegates(cl *plan.Cluster, heads bool) map[string][]*record.Delegate {
	out := map[string][]*record.Delegate{}
	rank := func(c string) int {
		switch c {
		case schemas.ComponentPovertyBoard:
			return 0
		case schemas.ComponentUnions:
			return 1
		}
		return 2
	}
	for _, d := range in.delegatesOf[cl.ID] {
		isHead := d.Component == schemas.ComponentHamletHead
		if heads != isHead || (!heads && rank(d.Component) == 2) {
			continue
		}
		out[d.CommuneCode] = append(out[d.CommuneCode], d)
	}
	for _, l := range out {
		slices.SortStableFunc(l, func(a, b *record.Delegate) int {
			if c := cmp.Compare(rank(a.Component), rank(b.Component)); c != 0 {
				return c
			}
			return record.CompareReceipt(&a.Source, &b.Source)
		})
	}
	return out
}

// skipped counts registrations left off the list.
type skipped struct{ overQuota, ineligible int }

// reps lists a cluster's households by commune: valid current, eligible
// registrations within the quota, one entry per household (its first
// registration in receipt order; the others are noted).
func (in *input) reps(cl *plan.Cluster) (map[string][]rep, skipped) {
	var regs []*record.Registration
	var sk skipped
	for _, g := range in.regsOf[cl.ID] {
		switch {
		case !g.Eligible:
			sk.ineligible++
		case g.OverQuota:
			sk.overQuota++
		default:
			regs = append(regs, g)
		}
	}
	slices.SortStableFunc(regs, func(a, b *record.Registration) int { return record.CompareReceipt(&a.Source, &b.Source) })
	out := map[string][]rep{}
	type place struct {
		code string
		i    int
	}
	seen := map[string]place{}
	for _, g := range regs {
		k := g.HouseholdKey()
		if at, ok := seen[k]; ok {
			out[at.code][at.i].others = append(out[at.code][at.i].others, g)
			continue
		}
		seen[k] = place{g.CommuneCode, len(out[g.CommuneCode])}
		out[g.CommuneCode] = append(out[g.CommuneCode], rep{first: g})
	}
	for code, l := range out {
		slices.SortStableFunc(l, func(a, b rep) int {
			return cmp.Compare(in.hamletIndex(code, a.first.Hamlet), in.hamletIndex(code, b.first.Hamlet))
		})
	}
	return out, sk
}

// repRemark is the Ghi chú of a household: the head when the
// representative is someone else, and the household's other registrations.
func repRemark(r rep) string {
	var parts []string
	g := r.first
	if g.HeadName != "" && !schemas.IsHead(g.Relation) && g.HeadName != g.RepName {
		parts = append(parts, "Chủ hộ: "+g.HeadName)
	}
	for _, o := range r.others {
		who := o.RepName
		if o.Relation != "" {
			who += " (" + o.Relation + ")"
		}
		parts = append(parts, "Hộ còn đăng ký: "+who+" – mỗi hộ một người")
	}
	return strings.Join(parts, "; ")
}

// hamletRows is one hamlet's rows.
type hamletRows[T any] struct {
	name string
	rows []T
}

// byHamlet groups a commune's rows by hamlet: the commune's hamlets in
// plan order (with or without rows), then any other hamlet found in the
// rows; each hamlet's rows keep their order.
func byHamlet[T any](c *plan.Commune, rows []T, hamlet func(T) string) []hamletRows[T] {
	names := slices.Clone(c.Hamlets)
	for _, r := range rows {
		if h := hamlet(r); h != "" && !slices.Contains(names, h) {
			names = append(names, h)
		}
	}
	out := make([]hamletRows[T], len(names))
	for i, h := range names {
		out[i].name = h
		for _, r := range rows {
			if hamlet(r) == h {
				out[i].rows = append(out[i].rows, r)
			}
		}
	}
	return out
}

// total counts the rows of every commune.
func total[T any](byCommune map[string][]T) int {
	n := 0
	for _, l := range byCommune {
		n += len(l)
	}
	return n
}

// countHamlets counts distinct hamlets among heads.
func countHamlets(list []*record.Delegate) int {
	seen := map[string]bool{}
	for _, d := range list {
		seen[d.Hamlet] = true
	}
	return len(seen)
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// dateLine is the dialogue's date for the list's heading.
func dateLine(cl *plan.Cluster) string {
	if !cl.DialogueDate.Set {
		return "chưa có thông báo"
	}
	return "ngày " + xl.ClusterDate(cl)
}

// communeList names a cluster's communes.
func communeList(cl *plan.Cluster) string {
	names := make([]string, len(cl.Communes))
	for i := range cl.Communes {
		names[i] = cl.Communes[i].FullName()
	}
	return strings.Join(names, ", ")
}

// scale multiplies widths (bold text takes more room).
func scale(ws []float64, k float64) []float64 {
	out := make([]float64, len(ws))
	for i, w := range ws {
		out[i] = w * k
	}
	return out
}
