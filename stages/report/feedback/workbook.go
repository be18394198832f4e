package feedback

import (
	"compress/flate"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/record"
	"doithoai/schemas/template/xlsxzip"
	"doithoai/stages/report/quarterly/xl"
)

// SummarySheet is the name of the first sheet of every feedback workbook.
const SummarySheet = "Tóm tắt"

// FixHeader and RowHeader title the two columns added after a copied table.
const (
	FixHeader = "Cần sửa"
	RowHeader = "Dòng gốc"
)

// Fill colours of problem cells.
const (
	ErrorFill   = "FFC7CE" // red: an error to fix
	WarningFill = "FFEB9C" // yellow: a warning to check
)

// commentAuthor signs the cell comments.
const commentAuthor = "Huyện kiểm tra"

// styles are the feedback's own cell styles besides xl's.
type styles struct {
	errCell, warnCell  int // a copied cell with a problem
	errFix, warnFix    int // the “Cần sửa” cell of a row with errors / warnings only
	label              int // a label of the summary
	value              int // a value of the summary
	good, bad, neutral int // the verdict
	legend             int // an italic line that runs over the next cells
}

// summary widths (characters) of columns A..G.
var summaryWidths = []float64{6, 11, 16, 7, 20, 22, 70}

// writer writes one feedback workbook; the first error of a direct
// excelize call is kept (xl's helpers keep theirs in the book).
type writer struct {
	b   *xl.Book
	st  *styles
	err error
}

func (w *writer) fail(err error) {
	if err != nil && w.err == nil {
		w.err = err
	}
}

// streamed makes the writer keep each sheet's cells and write them in one
// pass when saving (xl.Book.StreamSheet); tests and benchmarks turn it off
// to compare with cell-by-cell writing.
var streamed = true

// sheet adds a worksheet.
func (w *writer) sheet(name string) *xl.Sheet {
	if streamed {
		return w.b.StreamSheet(name)
	}
	return w.b.Sheet(name)
}

// deflateLevel is the deflate level of the feedback workbooks' parts:
// compress/flate's fastest, about a third of the CPU of archive/zip's
// default (level 5) on a copied sheet, for a file about a fifth larger
// with the same content. Tests set it back to 0 (the default) to compare.
var deflateLevel = flate.BestSpeed

// writeWorkbook writes the feedback workbook of one submission to path,
// sharing compressed parts through cache (nil: none).
func writeWorkbook(path string, v *view, s *sub, cache *xlsxzip.Cache) error {
	b := xl.NewLazyBook()
	b.SetCache(cache)
	b.SetLevel(deflateLevel)
	b.SetTitle("Phản hồi kết quả kiểm tra tệp "+v.Name, v.Office)
	st, err := newStyles(b)
	if err != nil {
		b.File().Close()
		return fmt.Errorf("styles: %w", err)
	}
	w := &writer{b: b, st: st}
	w.summary(v, s)
	if !v.Verdict.onePage() && s.wb != nil {
		used := map[string]bool{strings.ToLower(SummarySheet): true}
		for ti := range s.wb.Tables {
			w.table(v, s, ti, used)
		}
	}
	if w.err != nil {
		b.File().Close()
		return fmt.Errorf("build %s: %w", path, w.err)
	}
	return b.Save(path)
}

func newStyles(b *xl.Book) (*styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1},
		{Type: "bottom", Color: "000000", Style: 1},
	}
	font := func(bold bool, color string) *excelize.Font {
		return &excelize.Font{Family: xl.FontName, Size: 11, Bold: bold, Color: color}
	}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	wrap := &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}
	var st styles
	var err error
	mk := func(dst *int, s *excelize.Style) {
		if err != nil {
			return
		}
		*dst, err = b.NewStyle(s)
	}
	mk(&st.errCell, &excelize.Style{Font: font(false, "9C0006"), Alignment: wrap, Border: border, Fill: fill(ErrorFill)})
	mk(&st.warnCell, &excelize.Style{Font: font(false, "7F6000"), Alignment: wrap, Border: border, Fill: fill(WarningFill)})
	mk(&st.errFix, &excelize.Style{Font: font(false, "9C0006"), Alignment: wrap, Border: border, Fill: fill("FDE9EC")})
	mk(&st.warnFix, &excelize.Style{Font: font(false, "7F6000"), Alignment: wrap, Border: border, Fill: fill("FFF7DC")})
	mk(&st.label, &excelize.Style{Font: font(true, ""), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}, Border: border, Fill: fill("F2F2F2")})
	mk(&st.value, &excelize.Style{Font: font(false, ""), Alignment: wrap, Border: border})
	mk(&st.good, &excelize.Style{Font: font(true, "006100"), Alignment: wrap, Border: border, Fill: fill("C6EFCE")})
	mk(&st.bad, &excelize.Style{Font: font(true, "9C0006"), Alignment: wrap, Border: border, Fill: fill(ErrorFill)})
	mk(&st.neutral, &excelize.Style{Font: font(true, "7F6000"), Alignment: wrap, Border: border, Fill: fill(WarningFill)})
	mk(&st.legend, &excelize.Style{Font: &excelize.Font{Family: xl.FontName, Size: 10, Italic: true}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}})
	return &st, err
}

// summary writes the “Tóm tắt” sheet.
func (w *writer) summary(v *view, s *sub) {
	sh := w.sheet(SummarySheet)
	st := w.st
	sh.Widths(summaryWidths...)
	last := len(summaryWidths)
	fullWidth := 0.0
	for _, x := range summaryWidths {
		fullWidth += x
	}

	row := 1
	sh.Merge(row, 1, last, xl.Upper(v.Office), xl.BoldLeft)
	row++
	sh.Merge(row, 1, last, "PHẢN HỒI KẾT QUẢ KIỂM TRA TỆP", xl.Title)
	sh.Height(row, 24)
	row += 2

	labelWidth := summaryWidths[0] + summaryWidths[1] + summaryWidths[2]
	valueWidth := fullWidth - labelWidth
	kv := func(label string, val any, style int) {
		sh.Merge(row, 1, 3, label, xl.BoldLeft)
		sh.Merge(row, 4, last, val, xl.Plain)
		sh.StyleID(1, row, 3, row, st.label)
		sh.StyleID(4, row, last, row, style)
		sv, _ := val.(string)
		sh.FitHeight(row, 15, []string{label, sv}, []float64{labelWidth, valueWidth})
		row++
	}
	kv("Tệp", v.Name, st.value)
	if v.File != v.Name {
		kv("Nơi gửi (thư mục nhận)", v.File, st.value)
	}
	kv("Xã, thị trấn", v.Commune, st.value)
	kv("Biểu mẫu", v.Form, st.value)
	kv("Thời điểm nhận", v.Received, st.value)
	kv("Mã tệp", v.ShortID, st.value)
	verdictStyle := st.good
	switch v.Verdict {
	case verdictRejected, verdictErrors:
		verdictStyle = st.bad
	case verdictWarnings, verdictDuplicate, verdictSuperseded:
		verdictStyle = st.neutral
	}
	kv("Kết quả", v.verdictWord(), verdictStyle)
	if v.Verdict == verdictDuplicate || v.Verdict == verdictSuperseded {
		if v.Related != "" {
			kv("Tệp liên quan", v.Related, st.value)
		}
	} else {
		kv("Số lỗi (phải sửa)", v.Errors, st.value)
		kv("Số cảnh báo (cần kiểm tra)", v.Warnings, st.value)
		if v.DataRows > 0 {
			kv("Số dòng dữ liệu", v.DataRows, st.value)
			kv("Số dòng có lỗi", v.ErrorRows, st.value)
		}
	}
	row++

	paragraphs := func(title string, items []string, numbered bool) {
		if len(items) == 0 {
			return
		}
		sh.Merge(row, 1, last, title, xl.BoldLeft)
		row++
		for i, it := range items {
			text := it
			if numbered && len(items) > 1 {
				text = strconv.Itoa(i+1) + ". " + it
			}
			sh.Merge(row, 1, last, text, xl.Paragraph)
			sh.FitHeight(row, 16, []string{text}, []float64{fullWidth * 0.92})
			row++
		}
		row++
	}
	paragraphs("LÝ DO", v.Why, false)
	paragraphs("VIỆC CẦN LÀM", v.Todo, true)

	if len(v.Problems) > 0 {
		title := fmt.Sprintf("DANH SÁCH VẤN ĐỀ (%d lỗi, %d cảnh báo)", v.Errors, v.Warnings)
		sh.Merge(row, 1, last, title, xl.BoldLeft)
		row++
		head := row
		sh.Row(row, xl.Header, "STT", "Mức độ", "Sheet", "Dòng", "Cột", "Giá trị", "Nội dung")
		row++
		for i, pr := range v.Problems {
			var r any = xl.Blank{}
			if pr.Row > 0 {
				r = pr.Row
			}
			sheet := pr.Sheet
			if sheet == "" && pr.Row > 0 {
				sheet = "(tệp CSV)"
			}
			text := pr.Text
			if pr.Row == 0 && pr.Sheet == "" && pr.Letter == "" {
				text = pr.Message
			}
			sh.Row(row, xl.Text, i+1, severityWord(pr.Severity), sheet, r, pr.columnText(), pr.Value, text)
			sh.Put(1, row, i+1, xl.TextCenter)
			sh.Put(4, row, r, xl.TextCenter)
			sev := st.errCell
			if pr.Severity != record.Error {
				sev = st.warnCell
			}
			sh.StyleID(2, row, 2, row, sev)
			sh.FitHeight(row, 15, []string{sheet, pr.columnText(), pr.Value, text}, []float64{summaryWidths[2], summaryWidths[4], summaryWidths[5], summaryWidths[6]})
			row++
		}
		row++
		sh.Setup(xl.Print{Landscape: true, TitleRows: [2]int{head, head}})
	} else {
		sh.Setup(xl.Print{})
	}
	if !v.Verdict.onePage() && s.wb != nil && len(s.wb.Tables) > 0 {
		note := "Các sheet tiếp theo chép lại dữ liệu của xã, giữ đúng dòng và cột như tệp gốc: ô tô đỏ là lỗi phải sửa, ô tô vàng là cảnh báo cần kiểm tra; đưa chuột vào ô để xem ghi chú; cột “Cần sửa” ở cuối mỗi dòng ghi rõ phải sửa gì."
		sh.Merge(row, 1, last, note, xl.Note)
		sh.FitHeight(row, 14, []string{note}, []float64{fullWidth * 0.95})
		row++
	}
	note := "Phản hồi này do hệ thống tiếp nhận của huyện lập tự động. Số CCCD/CMND và số điện thoại chỉ hiện 4 số cuối để bảo vệ thông tin cá nhân."
	sh.Merge(row, 1, last, note, xl.Note)
	sh.FitHeight(row, 14, []string{note}, []float64{fullWidth * 0.95})
}

// tableSheetName is the sheet name of a copied table: the original
// sheet's name, “Dữ liệu” for CSV, made unique.
func tableSheetName(sheet string, used map[string]bool) string {
	name := xl.SheetName(sheet)
	if sheet == "" {
		name = "Dữ liệu"
	}
	base := name
	for i := 2; used[strings.ToLower(name)] || used[name]; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		r := []rune(base)
		if len(r)+len([]rune(suffix)) > 31 {
			r = r[:31-len([]rune(suffix))]
		}
		name = string(r) + suffix
	}
	used[name] = true
	used[strings.ToLower(name)] = true
	return name
}

// cellDisplay is how a copied cell shows its value: text as read, dates
// as dd/mm/yyyy.
func cellDisplay(c record.Cell) string {
	if c.IsDate && c.Num > 0 {
		if t, err := excelize.ExcelDateToTime(c.Num, false); err == nil {
			if t.Hour() == 0 && t.Minute() == 0 {
				return t.Format("02/01/2006")
			}
			return t.Format("02/01/2006 15:04")
		}
	}
	t := strings.TrimSpace(c.Text)
	if t == "" && c.IsNum && !math.IsNaN(c.Num) && !math.IsInf(c.Num, 0) {
		t = strconv.FormatFloat(c.Num, 'f', -1, 64)
	}
	return t
}

// table copies one table of the commune's file onto its own sheet at the
// same rows and column letters, highlighting problem cells.
func (w *writer) table(v *view, s *sub, ti int, used map[string]bool) {
	t := &s.wb.Tables[ti]
	name := tableSheetName(t.Sheet, used)
	sh := w.sheet(name)
	st := w.st

	// The problems of this sheet, by row and by cell.
	var probs []*problem
	for i := range v.Problems {
		if v.Problems[i].table == ti {
			probs = append(probs, &v.Problems[i])
		}
	}
	byRow := map[int][]*problem{}
	byRef := map[string][]*problem{}
	var refs []string
	for _, pr := range probs {
		if pr.Row > 0 {
			byRow[pr.Row] = append(byRow[pr.Row], pr)
		}
		if pr.Ref != "" {
			if _, ok := byRef[pr.Ref]; !ok {
				refs = append(refs, pr.Ref)
			}
			byRef[pr.Ref] = append(byRef[pr.Ref], pr)
		}
	}

	// With rows read by batch (s.big), t has none: the first pass found
	// what the layout needs of them (scan), the second writes them.
	var scan *tableScan
	if s.big != nil {
		scan = &s.big.tables[ti]
	}

	// Layout: header rows as in the file; the table's own columns, then
	// “Dòng gốc” and “Cần sửa”.
	hdr := append([]int(nil), t.HeaderRows...)
	sort.Ints(hdr)
	firstData := 0
	for _, r := range t.Rows {
		if firstData == 0 || r.Row < firstData {
			firstData = r.Row
		}
	}
	if scan != nil {
		firstData = scan.firstData
	}
	if len(hdr) == 0 && firstData > 1 {
		hdr = []int{firstData - 1}
	}
	hdrFirst, hdrLast := 0, 0
	if len(hdr) > 0 {
		hdrFirst, hdrLast = hdr[0], hdr[len(hdr)-1]
	}
	lastCol := 1
	for _, c := range t.Columns {
		lastCol = max(lastCol, c.Col)
	}
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			lastCol = max(lastCol, cellCol(c))
		}
	}
	if scan != nil {
		lastCol = max(lastCol, scan.maxCol)
	}
	for _, ref := range refs {
		if c, _, err := excelize.CellNameToCoordinates(ref); err == nil {
			lastCol = max(lastCol, c)
		}
	}
	rowCol, fixCol := lastCol+1, lastCol+2
	if scan != nil && scan.n > 0 && (firstData <= hdrLast || scan.maxPut > fixCol || fixCol > excelize.MaxColumns) {
		// Rows among the header's, or cells beyond the table's columns:
		// the whole rows' layout.
		w.fail(errWhole)
		return
	}
	widths := make([]float64, fixCol+1)
	grow := func(col int, text string) {
		w := 0.0
		for _, line := range strings.Split(text, "\n") {
			w = max(w, float64(len([]rune(line)))*1.05+2)
		}
		widths[col] = max(widths[col], min(w, 40))
	}
	// growShort is grow(col, shorten(text, n)) without making the text.
	growShort := func(col int, text string, n int) {
		widths[col] = max(widths[col], min(float64(shortLen(text, n))*1.05+2, 40))
	}

	// Legend above the header when the file leaves room for it.
	if hdrFirst >= 2 {
		sh.Put(1, 1, "Bản sao dữ liệu sheet "+quote(sheetLabel(t.Sheet))+" của tệp "+quote(v.Name)+": dòng và cột giữ đúng như tệp gốc.", xl.BoldLeft)
	}
	if hdrFirst >= 3 {
		sh.Put(1, 2, "Ô tô đỏ: lỗi phải sửa. Ô tô vàng: cảnh báo, cần kiểm tra. Đưa chuột vào ô để xem ghi chú; cột “"+FixHeader+"” ở cuối mỗi dòng ghi rõ phải sửa gì.", xl.Plain)
		sh.StyleID(1, 2, 1, 2, st.legend)
	}

	// Header.
	if hdrFirst > 0 {
		for r := hdrFirst; r <= hdrLast; r++ {
			for c := 1; c <= fixCol; c++ {
				sh.Put(c, r, xl.Blank{}, xl.Header)
			}
		}
		for _, c := range t.Columns {
			if c.Col < 1 {
				continue
			}
			if hdrLast > hdrFirst {
				sh.MergeRange(hdrFirst, c.Col, hdrLast, c.Col, c.Header, xl.Header)
			} else {
				sh.Put(c.Col, hdrLast, c.Header, xl.Header)
			}
			grow(c.Col, shorten(c.Header, 30))
		}
		for _, pair := range []struct {
			col  int
			text string
		}{{rowCol, RowHeader}, {fixCol, FixHeader}} {
			if hdrLast > hdrFirst {
				sh.MergeRange(hdrFirst, pair.col, hdrLast, pair.col, pair.text, xl.Header)
			} else {
				sh.Put(pair.col, hdrLast, pair.text, xl.Header)
			}
		}
		// A column the form does not have, named by a finding on the header.
		for _, ref := range refs {
			c, r, err := excelize.CellNameToCoordinates(ref)
			if err != nil || r < hdrFirst || r > hdrLast {
				continue
			}
			if sh.Value(c, r) == "" {
				sh.Put(c, r, byRef[ref][0].Value, xl.Header)
				grow(c, byRef[ref][0].Value)
			}
		}
	}

	// Data rows.
	written := map[int]bool{}
	var rowStyles map[int][]cellStyle // highlights of the rows read by batch
	textID, centerID := 0, 0
	if scan != nil {
		written = scan.hits
		for col, x := range scan.widths {
			widths[col] = max(widths[col], x)
		}
		if scan.n > 0 {
			// Their styles, made where the rows' calls would make them.
			textID, centerID = sh.StyleIDOf(xl.Text), sh.StyleIDOf(xl.TextCenter)
			rowStyles = map[int][]cellStyle{}
		}
	}
	// The personal-data kind of each field (personalKind), looked up once.
	var kinds fieldKinds
	for _, sr := range t.Rows {
		written[sr.Row] = true
		sh.Blanks(1, lastCol, sr.Row, xl.Text)
		for _, c := range sr.Cells {
			field := c.Field.String()
			kind := kinds.of(s.o.Form, c.Field)
			col := cellCol(c)
			if col < 1 {
				if l := columnLetter(t, field); l != "" {
					col = colNum(l)
				}
			}
			if col < 1 {
				continue
			}
			text := s.pv.valueOfKind(kind, field, cellDisplay(c))
			sh.PutText(col, sr.Row, text, xl.Text)
			growShort(col, text, 60)
		}
		sh.PutInt(rowCol, sr.Row, sr.Row, xl.TextCenter)
		w.fix(sh, sr.Row, fixCol, byRow[sr.Row], sr.Hidden)
	}
	// Problems on rows that are neither header nor data (e.g. below the table).
	for r, list := range byRow {
		if written[r] || (r >= hdrFirst && r <= hdrLast) {
			continue
		}
		w.fix(sh, r, fixCol, list, false)
	}

	// Highlights and comments.
	for _, ref := range refs {
		list := byRef[ref]
		style := st.warnCell
		for _, pr := range list {
			if pr.Severity == record.Error {
				style = st.errCell
			}
		}
		c, r, err := excelize.CellNameToCoordinates(ref)
		if err != nil {
			w.fail(fmt.Errorf("sheet %q: %w", name, err))
			continue
		}
		if rowStyles != nil && written[r] {
			rowStyles[r] = append(rowStyles[r], cellStyle{c, style})
		} else {
			sh.StyleID(c, r, c, r, style)
		}
		sh.Comment(commentFor(ref, list))
	}

	// Widths, heights, print.
	widths[rowCol] = 8
	widths[fixCol] = 60
	ws := make([]float64, fixCol)
	for c := 1; c <= fixCol; c++ {
		ws[c-1] = widths[c]
		if ws[c-1] == 0 {
			ws[c-1] = 4
		}
		ws[c-1] = max(ws[c-1], 6)
	}
	sh.Widths(ws...)
	if rowStyles != nil {
		sh.StreamRows(w.batchRows(s, ti, batchLayout{lastCol: lastCol, text: textID, center: centerID, ws: ws, byRow: byRow, styles: rowStyles}))
	}
	if hdrFirst > 0 {
		texts := make([]string, 0, len(t.Columns))
		cw := make([]float64, 0, len(t.Columns))
		for _, c := range t.Columns {
			if c.Col >= 1 {
				texts = append(texts, c.Header)
				cw = append(cw, ws[c.Col-1])
			}
		}
		if hdrLast == hdrFirst {
			sh.FitHeight(hdrLast, 15, texts, cw)
		}
	}
	var texts []string // of a row, for its height
	var cw []float64
	for _, sr := range t.Rows {
		texts, cw = texts[:0], cw[:0]
		for _, c := range sr.Cells {
			if col := cellCol(c); col >= 1 && col <= lastCol {
				texts = append(texts, cellDisplay(c))
				cw = append(cw, ws[col-1])
			}
		}
		if fix := fixText(byRow[sr.Row], sr.Hidden); fix != "" {
			texts = append(texts, fix)
			cw = append(cw, ws[fixCol-1])
		}
		sh.FitHeight(sr.Row, 15, texts, cw)
	}
	p := xl.Print{Landscape: true}
	if hdrFirst > 0 {
		p.TitleRows = [2]int{hdrFirst, hdrLast}
		p.FreezeRows = hdrLast
	}
	sh.Setup(p)
}

// sheetLabel names a table's sheet for people.
func sheetLabel(sheet string) string {
	if sheet == "" {
		return "dữ liệu CSV"
	}
	return sheet
}

// cellCol is a cell's column: its Col, else the letters of its Ref.
func cellCol(c record.Cell) int {
	if c.Col > 0 {
		return c.Col
	}
	if l := letterOf(c.Ref); l != "" {
		return colNum(l)
	}
	return 0
}

// fixText lists a row's problems for its “Cần sửa” cell.
func fixText(list []*problem, hidden bool) string {
	if len(list) == 0 {
		return ""
	}
	var lines []string
	for _, pr := range list {
		where := ""
		if c := pr.columnText(); c != "" {
			where = "Cột " + c + ": "
		}
		lines = append(lines, "• "+severityWord(pr.Severity)+" – "+where+pr.Text)
	}
	if hidden {
		lines = append(lines, "(Dòng này đang bị ẩn trong tệp gốc: bỏ ẩn dòng để sửa.)")
	}
	return strings.Join(lines, "\n")
}

// fix writes the “Cần sửa” cell of a row.
func (w *writer) fix(sh *xl.Sheet, row, col int, list []*problem, hidden bool) {
	st := w.st
	text := fixText(list, hidden)
	if text == "" {
		sh.Put(col, row, xl.Blank{}, xl.Text)
		return
	}
	sh.Put(col, row, text, xl.Text)
	sh.StyleID(col, row, col, row, st.fixStyle(list))
}

// fixStyle is the style of the “Cần sửa” cell of a row with problems.
func (st *styles) fixStyle(list []*problem) int {
	style := st.warnFix
	for _, pr := range list {
		if pr.Severity == record.Error {
			style = st.errFix
		}
	}
	return style
}

// commentFor is the note of a problem cell: every problem of the cell.
func commentFor(ref string, list []*problem) excelize.Comment {
	var runs []excelize.RichTextRun
	total := 0
	for i, pr := range list {
		head := severityWord(pr.Severity) + ": "
		if i > 0 {
			head = "\n" + head
		}
		text := pr.Text
		if total+len(text) > 30000 {
			text = shorten(text, 200)
		}
		total += len(head) + len(text)
		runs = append(runs,
			excelize.RichTextRun{Text: head, Font: &excelize.Font{Bold: true, Family: xl.FontName, Size: 10}},
			excelize.RichTextRun{Text: xl.CleanText(text), Font: &excelize.Font{Family: xl.FontName, Size: 10}})
	}
	lines := 0
	for _, pr := range list {
		lines += xl.Lines(severityWord(pr.Severity)+": "+pr.Text, 48)
	}
	return excelize.Comment{
		Cell:      ref,
		Author:    commentAuthor,
		Paragraph: runs,
		Width:     320,
		Height:    uint(min(600, 20+lines*15)),
	}
}
