package template

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// guideWidth is the width of the instruction sheet's only column: it fits
// an A4 page upright.
const guideWidth = 72

// guideSheet is the tab name of the instruction sheet (Options.Guide).
const guideSheet = "Hướng dẫn"

// what says, per form, what the form lists and what one row is.
var what = map[record.Form]struct{ content, row string }{
	record.FormM1: {"các hộ nghèo, hộ cận nghèo của xã dự kiến thoát nghèo, thoát cận nghèo trong năm (chỉ các hộ có tên trong danh sách này được cử người dự đối thoại)", "Mỗi hộ ghi một dòng"},
	record.FormM2: {"người đại diện của từng hộ (có tên trong Mẫu M1) được cử tham dự buổi đối thoại của cụm", "Mỗi hộ ghi một dòng, một người đại diện"},
	record.FormM3: {"thành phần cấp xã tham dự đối thoại: Ban giảm nghèo, các hội, đoàn thể và trưởng của từng khóm/ấp", "Mỗi người ghi một dòng"},
	record.FormM4: {"các ý kiến, kiến nghị của hộ nghèo, hộ cận nghèo đã thu thập ở các buổi họp khóm/ấp, để các cơ quan của huyện chuẩn bị trả lời", "Mỗi ý kiến, kiến nghị ghi một dòng"},
	record.FormM5: {"kết quả buổi đối thoại của cụm: số người tham dự, số ý kiến, số ý kiến được trả lời tại buổi và chuyển cơ quan giải quyết", "Mỗi buổi đối thoại ghi một dòng"},
}

var roman = []string{"", "I", "II", "III", "IV"}

// guideLines are the instruction sheet's paragraphs.
func (fm *form) guideLines(opt Options) []string {
	p, c, sc := fm.plan, fm.commune, fm.schema
	form := record.Form(sc.Name)
	cl := p.Cluster(c.Cluster)
	clName := fmt.Sprintf("cụm %d", c.Cluster)
	if cl != nil {
		clName = cl.Name
	}
	district := lowerKind(p.District.Name)
	var place []string
	for _, s := range []string{clName, district, lowerKind(p.District.Province)} {
		if strings.TrimSpace(s) != "" {
			place = append(place, s)
		}
	}
	w := what[form]
	var out []string
	add := func(format string, a ...any) {
		out = append(out, fmt.Sprintf("%d. ", len(out)+1)+fmt.Sprintf(format, a...))
	}

	add("Mẫu này dành cho %s (mã %s), %s, năm %d.", c.FullName(), c.Code, strings.Join(place, ", "), fm.year)
	add("Nội dung: %s. %s, bắt đầu từ dòng ngay dưới hàng số thứ tự cột (1), (2), (3)…; không để dòng trống xen giữa, không ghi dưới phần ký tên.", w.content, w.row)
	add("Không sửa, xóa, thêm hay đổi chỗ các cột; không sửa phần đầu mẫu, tiêu đề và dòng tên cột (các ô này đã được khóa, sheet được bảo vệ không cần mật khẩu). Chỉ nhập vào các ô có kẻ khung.")
	add("Cần thêm dòng: chọn một dòng trong bảng, bấm chuột phải, chọn Chèn (Insert) để chèn dòng mới vào giữa bảng; dòng mới giữ danh sách chọn và định dạng. Không cần xóa các dòng còn trống.")
	var lists, texts []string
	hasYear := false
	for _, col := range fm.cols {
		f := col.field
		if len(fm.listValues(f)) > 0 {
			lists = append(lists, f.Title)
		}
		if textField(f) {
			texts = append(texts, f.Title)
		}
		if f.Type == schemas.TypeYear {
			hasYear = true
		}
	}
	if len(lists) > 0 {
		add("Các cột %s có danh sách chọn: bấm vào ô rồi bấm mũi tên bên phải ô để chọn, không gõ tên khác. Khi chọn một ô, Excel hiện gợi ý cách ghi của cột đó.", strings.Join(lists, ", "))
	}
	if len(texts) > 0 {
		add("Các cột %s đã định dạng Văn bản (Text): gõ đủ các chữ số, kể cả số 0 ở đầu, không có dấu cách; không đổi định dạng ô. Số CCCD gồm 12 chữ số (CMND cũ 9 chữ số); số điện thoại gồm 10 chữ số, bắt đầu bằng 0.", strings.Join(texts, ", "))
	}
	if hasYear {
		add("Năm sinh: ghi 4 chữ số, từ 1900 đến %d (ví dụ 1975).", fm.year)
	}
	if form == record.FormM4 {
		add("Lĩnh vực: chọn một trong %d lĩnh vực của kế hoạch; mỗi lĩnh vực do một cơ quan của huyện trả lời. Nội dung ghi rõ, ngắn gọn, mỗi ý kiến một dòng.", len(p.Topics))
	}
	add("Cách gửi: lưu tệp dạng Excel (.xlsx), không đặt mật khẩu, rồi chép vào thư mục của xã trong hộp thư chung của huyện: inbox/%s (thư mục có thể đặt tên là mã xã %s hoặc tên xã “%s”). Gửi bản sửa thì chép cả tệp mới vào; bản mới thay bản cũ, không cần xóa bản cũ.", c.Code, c.Code, c.Name)
	add("Hạn gửi: %s", fm.deadline(cl))
	add("Sau khi nhận tệp, huyện gửi lại phản hồi trong thư mục phan-hoi của xã: ô tô đỏ là lỗi phải sửa, ô tô vàng là cảnh báo cần kiểm tra; cột “Cần sửa” ghi việc cần làm ở từng dòng. Sửa trên tệp của xã rồi gửi lại cả tệp.")
	if office := strings.TrimSpace(p.District.Office); office != "" {
		add("Cần hỗ trợ: liên hệ %s %s.", office, district)
	}
	return out
}

// deadline says when the form is due, from the plan.
func (fm *form) deadline(cl *plan.Cluster) string {
	p, c := fm.plan, fm.commune
	clName := "cụm"
	if cl != nil {
		clName = cl.Name
	}
	days := p.Deadlines.OpinionsDaysBeforeDialogue
	m4 := fmt.Sprintf("chậm nhất %d ngày trước buổi đối thoại của %s (huyện sẽ thông báo ngày đối thoại)", days, clName)
	if d, ok := p.Deadline(c, record.FormM4); ok {
		m4 = fmt.Sprintf("chậm nhất ngày %s (%d ngày trước buổi đối thoại của %s ngày %s)", d.Format("02/01/2006"), days, clName, cl.DialogueDate.In(p.Location()).Format("02/01/2006"))
	}
	quarter := ""
	if q := p.DialogueQuarter; q >= 1 && q <= 4 {
		quarter = fmt.Sprintf(", trong quý %s/%d", roman[q], p.Year)
	}
	switch record.Form(fm.schema.Name) {
	case record.FormM4:
		return m4 + "."
	case record.FormM5:
		host := ""
		if cl != nil {
			host = cl.Host
			if host == "" && len(cl.Communes) > 0 {
				host = cl.Communes[0].Code
			}
		}
		if h := p.Commune(host); h != nil && h.Code != c.Code {
			return fmt.Sprintf("mẫu này do %s, đơn vị chủ trì %s, gửi sau buổi đối thoại; %s không phải gửi.", h.FullName(), clName, c.FullName())
		}
		return fmt.Sprintf("%s là đơn vị chủ trì %s: gửi ngay sau buổi đối thoại của cụm%s.", upperFirst(c.FullName()), clName, quarter)
	}
	return fmt.Sprintf("gửi trước buổi đối thoại của %s để huyện lập danh sách tham dự; nên gửi cùng lúc với Mẫu M4 (%s).", clName, m4)
}

// writeGuide writes the instruction sheet.
func writeGuide(f book, fm *form, st *styles, opt Options) error {
	if _, err := f.NewSheet(guideSheet); err != nil {
		return err
	}
	para, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Family: fontFamily, Size: 12},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Family: fontFamily, Size: 13, Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	if err := f.SetColWidth(guideSheet, "A", "A", guideWidth); err != nil {
		return err
	}
	set := func(row int, text string, style int, height float64) error {
		cell := fmt.Sprintf("A%d", row)
		if err := f.SetCellStr(guideSheet, cell, text); err != nil {
			return err
		}
		if err := f.SetCellStyle(guideSheet, cell, cell, style); err != nil {
			return err
		}
		return f.SetRowHeight(guideSheet, row, height)
	}
	if err := set(1, "HƯỚNG DẪN ĐIỀN "+strings.ToUpper(fm.schema.Mau), head, 22); err != nil {
		return err
	}
	if err := set(2, fmt.Sprintf("%s năm %d", fm.schema.Title, fm.year), st.sub, 34); err != nil {
		return err
	}
	for i, line := range fm.guideLines(opt) {
		// About 68 characters of 12-point text fit on a line of the column
		// (fewer in the wider fonts LibreOffice may substitute): rows are
		// sized for those, so no line is cut off.
		lines := 1 + runeLen(line)/68
		if err := set(4+i, line, para, float64(16*lines+4)); err != nil {
			return err
		}
	}
	size, fit, zero, orient := 9, 1, 0, "portrait"
	if err := f.SetPageLayout(guideSheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &fit, FitToHeight: &zero}); err != nil {
		return err
	}
	yes := true
	return f.SetSheetProps(guideSheet, &excelize.SheetPropsOptions{FitToPage: &yes})
}
