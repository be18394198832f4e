package template

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
)

// PlanDocument describes a commune's dialogue plan (KH, SPEC §3): a Word
// document the pipeline archives and dates but does not parse.
type PlanDocument struct {
	// Commune is the commune's plan code or name in any spelling.
	Commune string
	// Number is the document's number ("28/KH-UBND"); "" leaves it to be
	// filled in ("…/KH-UBND").
	Number string
	// Date is the signing date; zero leaves it to be filled in.
	Date time.Time
	// Year is the plan year; 0 means the plan's year.
	Year int
	// DialogueDate is the day of the commune's cluster dialogue; zero takes
	// the plan's date, or says the district will announce it.
	DialogueDate time.Time
	// Signer is the chairman's name; "" leaves the space blank.
	Signer string
}

// WritePlanDocument writes the commune's dialogue plan as a .docx (Office
// Open XML word-processing document) to path, atomically.
func WritePlanDocument(path string, p *plan.Plan, doc PlanDocument) error {
	if !strings.EqualFold(filepath.Ext(path), ".docx") {
		return fmt.Errorf("template: %s: the plan document is written as .docx", path)
	}
	if p == nil {
		return fmt.Errorf("template: %s: no plan", path)
	}
	c, err := resolveCommune(p, doc.Commune)
	if err != nil {
		return fmt.Errorf("template: %s: %w", path, err)
	}
	body := planBody(p, c, doc)
	b, err := docx(body, "Kế hoạch tổ chức đối thoại chính sách giảm nghèo", "Ủy ban nhân dân "+c.FullName(), doc.Date)
	if err != nil {
		return fmt.Errorf("template: %s: %w", path, err)
	}
	if err := atomicfile.WriteBytes(path, b); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	return nil
}

// para is one paragraph of the document.
type para struct {
	text         string
	bold, italic bool
	center       bool
	size         int // half-points; 0 = 14 pt
}

// block is a paragraph run or a two-column borderless table.
type block struct {
	paras       []para
	left, right []para // a two-column table when set
}

func planBody(p *plan.Plan, c *plan.Commune, doc PlanDocument) []block {
	year := doc.Year
	if year == 0 {
		year = p.Year
	}
	cl := p.Cluster(c.Cluster)
	number := doc.Number
	if number == "" {
		number = "…/KH-UBND"
	}
	kind := c.Kind
	if kind == "" {
		kind = "xã"
	}
	district := lowerKind(p.District.Name)
	q := p.Quotas
	hamlets := strings.Join(c.Hamlets, ", ")
	n := len(c.Hamlets)

	when := "theo thông báo của Ủy ban nhân dân " + district
	switch {
	case !doc.DialogueDate.IsZero():
		when = "ngày " + doc.DialogueDate.Format("02/01/2006")
	case cl != nil && cl.DialogueDate.Set:
		when = "ngày " + cl.DialogueDate.In(p.Location()).Format("02/01/2006")
	}
	clusterLine := fmt.Sprintf("2. Đối thoại tại cụm: %s %s tham dự đối thoại theo cụm, thời gian: %s.", kind, c.Name, when)
	if cl != nil {
		clusterLine = fmt.Sprintf("2. Đối thoại tại cụm: %s %s thuộc %s, tổ chức tại %s; thời gian: %s.", kind, c.Name, cl.Name, cl.Venue, when)
	}

	body := []block{
		{
			left: []para{
				{text: "ỦY BAN NHÂN DÂN", bold: true, center: true, size: 26},
				{text: strings.ToUpper(c.FullName()), bold: true, center: true, size: 26},
				{text: "Số: " + number, center: true, size: 26},
			},
			right: []para{
				{text: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold: true, center: true, size: 26},
				{text: "Độc lập - Tự do - Hạnh phúc", bold: true, center: true, size: 26},
				{text: dateLine(c.Name, doc.Date, year), italic: true, center: true, size: 26},
			},
		},
		{paras: []para{
			{},
			{text: "KẾ HOẠCH", bold: true, center: true},
			{text: fmt.Sprintf("Tổ chức đối thoại chính sách giảm nghèo năm %d", year), bold: true, center: true},
			{},
			{text: fmt.Sprintf("Căn cứ Kế hoạch tổ chức đối thoại chính sách giảm nghèo năm %d của Ủy ban nhân dân %s; Ủy ban nhân dân %s xây dựng kế hoạch tổ chức đối thoại chính sách giảm nghèo năm %d như sau:",
				year, district, c.FullName(), year)},
			{text: "I. MỤC ĐÍCH, YÊU CẦU", bold: true},
			{text: fmt.Sprintf("- Lắng nghe ý kiến, kiến nghị của hộ nghèo, hộ cận nghèo về việc thực hiện các chính sách giảm nghèo trên địa bàn %s; kịp thời giải đáp, tháo gỡ khó khăn, vướng mắc.", kind)},
			{text: fmt.Sprintf("- Tổng hợp đầy đủ ý kiến, kiến nghị (Mẫu M4) gửi %s chậm nhất %d ngày trước buổi đối thoại của cụm để các cơ quan chuẩn bị nội dung trả lời.",
				lowerKind(p.District.Office)+" "+district, p.Deadlines.OpinionsDaysBeforeDialogue)},
			{text: "II. THỜI GIAN, ĐỊA ĐIỂM", bold: true},
			{text: fmt.Sprintf("1. Họp tại khóm/ấp: các khóm/ấp (%s) họp hộ nghèo, hộ cận nghèo dự kiến thoát nghèo, thoát cận nghèo năm %d để lấy ý kiến, kiến nghị và cử người đại diện tham dự đối thoại.", hamlets, year)},
			{text: clusterLine},
			{text: fmt.Sprintf("III. THÀNH PHẦN THAM DỰ CỦA %s", strings.ToUpper(kind)), bold: true},
			{text: fmt.Sprintf("- Ban giảm nghèo %s và các hội, đoàn thể: %d người.", kind, q.CommuneDelegates)},
			{text: fmt.Sprintf("- Trưởng khóm/ấp: %d người.", q.HamletHeads*n)},
			{text: fmt.Sprintf("- Đại diện hộ nghèo, hộ cận nghèo: %d hộ mỗi khóm/ấp, tổng cộng %d người.", q.HouseholdReps, q.HouseholdReps*n)},
			{text: "IV. TỔ CHỨC THỰC HIỆN", bold: true},
			{text: fmt.Sprintf("- Công chức Lao động - Thương binh và Xã hội lập danh sách hộ dự kiến thoát nghèo, thoát cận nghèo (Mẫu M1), danh sách đại diện hộ tham gia đối thoại (Mẫu M2), danh sách thành phần cấp %s (Mẫu M3) và tổng hợp ý kiến, kiến nghị (Mẫu M4) gửi huyện đúng thời hạn.", kind)},
			{text: "- Trưởng các khóm/ấp tổ chức họp, thông báo đến hộ nghèo, hộ cận nghèo; mời người đại diện của hộ tham dự đối thoại."},
		}},
	}
	if cl != nil && cl.Host == c.Code {
		body[1].paras = append(body[1].paras, para{text: fmt.Sprintf("- %s là đơn vị chủ trì %s: chuẩn bị địa điểm, phối hợp tổ chức buổi đối thoại và báo cáo kết quả (Mẫu M5) sau buổi đối thoại.", upperFirst(c.FullName()), cl.Name)})
	}
	body[1].paras = append(body[1].paras,
		para{text: fmt.Sprintf("Trên đây là Kế hoạch tổ chức đối thoại chính sách giảm nghèo năm %d của Ủy ban nhân dân %s./.", year, c.FullName())},
		para{})
	body = append(body, block{
		left: []para{
			{text: "Nơi nhận:", bold: true, italic: true, size: 24},
			{text: "- " + p.District.Office + ";", size: 22},
			{text: "- Ban giảm nghèo " + kind + ";", size: 22},
			{text: "- Lưu: VT.", size: 22},
		},
		right: []para{
			{text: "TM. ỦY BAN NHÂN DÂN", bold: true, center: true},
			{text: "CHỦ TỊCH", bold: true, center: true},
			{}, {}, {},
			{text: doc.Signer, bold: true, center: true},
		},
	})
	return body
}

// docx packs the blocks into a minimal .docx.
func docx(body []block, title, creator string, date time.Time) ([]byte, error) {
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	doc.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, b := range body {
		if b.left != nil || b.right != nil {
			doc.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/></w:tblPr>`)
			doc.WriteString(`<w:tblGrid><w:gridCol w:w="3900"/><w:gridCol w:w="5400"/></w:tblGrid><w:tr>`)
			for i, cell := range [][]para{b.left, b.right} {
				fmt.Fprintf(&doc, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, []int{3900, 5400}[i])
				if len(cell) == 0 {
					cell = []para{{}}
				}
				for _, p := range cell {
					writePara(&doc, p)
				}
				doc.WriteString(`</w:tc>`)
			}
			doc.WriteString(`</w:tr></w:tbl>`)
			continue
		}
		for _, p := range b.paras {
			writePara(&doc, p)
		}
	}
	doc.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701" w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>`)
	doc.WriteString(`</w:body></w:document>`)

	stamp := "2000-01-01T00:00:00Z"
	if !date.IsZero() {
		stamp = time.Date(date.Year(), date.Month(), date.Day(), 8, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05Z")
	}
	core := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + escape(title) + `</dc:title><dc:creator>` + escape(creator) + `</dc:creator><dc:language>vi-VN</dc:language>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + stamp + `</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">` + stamp + `</dcterms:modified>` +
		`</cp:coreProperties>`
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
			`</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
			`</Relationships>`},
		{"word/document.xml", doc.String()},
		{"docProps/core.xml", core},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	mod := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if !date.IsZero() {
		mod = time.Date(date.Year(), date.Month(), date.Day(), 8, 0, 0, 0, time.UTC)
	}
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: mod})
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writePara writes one paragraph in Times New Roman.
func writePara(b *strings.Builder, p para) {
	b.WriteString(`<w:p><w:pPr><w:spacing w:after="60"/>`)
	if p.center {
		b.WriteString(`<w:jc w:val="center"/>`)
	} else {
		b.WriteString(`<w:jc w:val="both"/>`)
	}
	b.WriteString(`</w:pPr>`)
	if p.text != "" {
		size := p.size
		if size == 0 {
			size = 28
		}
		b.WriteString(`<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>`)
		if p.bold {
			b.WriteString(`<w:b/>`)
		}
		if p.italic {
			b.WriteString(`<w:i/>`)
		}
		fmt.Fprintf(b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, size, size, escape(p.text))
	}
	b.WriteString(`</w:p>`)
}

func escape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
