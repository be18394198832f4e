package lists

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"doithoai/pipeline/record"
	"doithoai/stages/report/quarterly/xl"
)

// SheetQuestions is the agency list's sheet.
const SheetQuestions = "Ý kiến cần trả lời"

// NoOpinions is written when an agency (or a cluster) has no opinion.
const NoOpinions = "Chưa có ý kiến"

// questionCols are the agency list's columns and widths.
var questionCols = []column{
	{"STT", 5}, {"Xã", 14}, {"Khóm/Ấp", 12}, {"Người kiến nghị", 16}, {"Lĩnh vực", 16},
	{"Nội dung", 45}, {"Ngày tiếp nhận", 11}, {"Trễ hạn", 8}, {"Nội dung trả lời", 35},
}

// agencyOf is the agency that answers an opinion.
func (in *input) agencyOf(o *record.Opinion) string {
	if o.Agency != "" {
		return o.Agency
	}
	return in.p.Agency(o.Topic)
}

// questions builds one agency's list of opinions to answer.
func (in *input) questions(agency string) *xl.Book {
	p := in.p
	b, s, widths, row := in.newList("Ý kiến, kiến nghị cần trả lời – "+agency, SheetQuestions,
		"DANH SÁCH Ý KIẾN, KIẾN NGHỊ CỦA HỘ NGHÈO, HỘ CẬN NGHÈO ĐỀ NGHỊ CƠ QUAN TRẢ LỜI", questionCols)
	n := len(questionCols)
	s.Merge(row, 1, n, "Kính gửi: "+agency, xl.BoldCenter)
	row++
	var topics []string
	for _, t := range p.Topics {
		if t.Agency == agency && !slices.Contains(topics, t.Name) {
			topics = append(topics, t.Name)
		}
	}
	line := "Lĩnh vực: " + strings.Join(topics, "; ")
	s.Merge(row, 1, n, line, xl.Centered)
	s.FitHeight(row, 15, []string{line}, []float64{sum(widths)})
	row++

	// The agency's opinions by cluster, commune in plan order, receipt.
	var ops []*record.Opinion
	late := 0
	for i := range in.ds.Opinions {
		o := &in.ds.Opinions[i]
		if in.sc.Counts(o.Source, o.State) && in.agencyOf(o) == agency {
			ops = append(ops, o)
			if o.Late {
				late++
			}
		}
	}
	pos := xl.CommuneIndex(p)
	slices.SortStableFunc(ops, func(a, b *record.Opinion) int {
		if c := cmp.Compare(pos(a.CommuneCode), pos(b.CommuneCode)); c != 0 {
			return c
		}
		return record.CompareReceipt(&a.Source, &b.Source)
	})
	asOf := fmt.Sprintf("(Số liệu đến ngày %s: %d ý kiến", xl.DMY(in.now, in.loc), len(ops))
	if late > 0 {
		asOf += fmt.Sprintf(", trong đó %d ý kiến xã gửi trễ hạn", late)
	}
	asOf += ")"
	s.Merge(row, 1, n, asOf, xl.Italic)
	row++
	ask := "Đề nghị cơ quan chuẩn bị nội dung trả lời vào cột “Nội dung trả lời” và gửi về Phòng trước ngày đối thoại của từng cụm."
	if p.District.Office == "" {
		ask = "Đề nghị cơ quan chuẩn bị nội dung trả lời vào cột “Nội dung trả lời” trước ngày đối thoại của từng cụm."
	}
	s.Merge(row, 1, n, ask, xl.Note)
	s.FitHeight(row, 14, []string{ask}, []float64{sum(widths)})
	row += 2
	row = tableHeader(s, row, questionCols, widths, true)
	if len(ops) == 0 {
		s.Merge(row, 1, n, NoOpinions+", kiến nghị nào thuộc lĩnh vực của cơ quan.", xl.Muted)
		return b
	}
	byCluster := map[int][]*record.Opinion{}
	for _, o := range ops {
		id := xl.OpinionCluster(p, o)
		byCluster[id] = append(byCluster[id], o)
	}
	ids := make([]int, 0, len(p.Clusters)+1)
	for i := range p.Clusters {
		ids = append(ids, p.Clusters[i].ID)
	}
	if len(byCluster[0]) > 0 && p.Cluster(0) == nil {
		ids = append(ids, 0)
	}
	for k, id := range ids {
		list := byCluster[id]
		if k > 0 {
			s.PageBreak(row)
		}
		head := "Không xác định được cụm"
		if cl := p.Cluster(id); cl != nil {
			head = xl.Upper(cl.Name) + " – đối thoại " + dateLine(cl)
			if cl.Venue != "" {
				head += " tại " + cl.Venue
			}
		}
		head += fmt.Sprintf(" (%d ý kiến)", len(list))
		s.Merge(row, 1, n, head, xl.Section)
		s.FitHeight(row, 15, []string{head}, []float64{sum(widths)})
		row++
		if len(list) == 0 {
			s.Merge(row, 1, n, NoOpinions+".", xl.Muted)
			row++
			continue
		}
		for i, o := range list {
			day := o.ReceivedOn
			if day.IsZero() {
				day = o.ReceivedAt
			}
			if !day.IsZero() {
				day = day.In(in.loc)
			}
			lateText, lateSt := "", xl.TextCenter
			if o.Late {
				lateText, lateSt = "Trễ hạn", xl.Late
			}
			content := xl.MaskText(o.Content)
			commune := xl.CommuneName(p, o.CommuneCode)
			s.Row(row, xl.Text, xl.Styled{V: i + 1, S: xl.TextCenter}, commune, o.Hamlet, xl.MaskText(o.ReporterName), o.Topic, content,
				xl.Styled{V: day, S: xl.Date}, xl.Styled{V: lateText, S: lateSt}, xl.Blank{})
			s.FitHeight(row, 15, []string{"", commune, o.Hamlet, xl.MaskText(o.ReporterName), o.Topic, content}, widths)
			row++
		}
	}
	row++
	s.Merge(row, 1, n, "Ngày tiếp nhận: ngày ghi trong biểu của xã (nếu xã không ghi: ngày huyện nhận tệp). Trễ hạn: tệp ý kiến của xã đến huyện sau hạn.", xl.Note)
	return b
}
