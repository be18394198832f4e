package feedback

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/report/wording"
)

// verdict is what the commune is told about its file.
type verdict int

const (
	verdictClean      verdict = iota // accepted, nothing to fix
	verdictWarnings                  // accepted, warnings to check
	verdictErrors                    // accepted, rows with errors to fix
	verdictRejected                  // not accepted
	verdictDuplicate                 // the same bytes were received before
	verdictSuperseded                // replaced by a newer file
)

// onePage reports whether the feedback is a one-page explanation (no
// copy of the commune's sheets).
func (v verdict) onePage() bool { return v >= verdictRejected }

// problem is one finding as the commune reads it (personal data masked).
type problem struct {
	Severity record.Severity
	Sheet    string // sheet name as in the file ("" for CSV and file-level)
	Row      int    // 0 for file- or sheet-level
	Letter   string // column letter, "" when unknown
	Title    string // column title
	Ref      string // the cell to highlight, "" when none
	Value    string // masked
	Text     string // the problem and the advice, without the place
	Message  string // the full message

	table int // index of the table of Sheet in the workbook, -1 when none
}

// view is everything the feedback of one submission says, ready to write.
type view struct {
	Office    string
	File      string // path relative to the inbox
	Name      string // the original file name
	Commune   string
	Form      string
	Received  string
	ShortID   string
	Verdict   verdict
	Headline  string
	Errors    int
	Warnings  int
	DataRows  int
	ErrorRows int
	Why       []string
	Todo      []string
	Problems  []problem
	Related   string // the other file named by a duplicate or superseded verdict
}

// sub is one submission with what its feedback needs.
type sub struct {
	o        record.SubmissionOutcome
	wb       *record.Workbook // nil when the reader's result is not in the dataset
	findings []record.Finding
	pv       *privacy
	big      *batched // the rows are read by batch (wb has none); nil when wb holds them
}

// placeRe matches the place a stage's message starts with: “Tệp “a.xlsx”,
// sheet “M2”, dòng 25, cột K (Số điện thoại): ”.
var placeRe = regexp.MustCompile(`^[Tt]ệp [“"][^”"]*[”"](?:, (?:sheet|trang) [“"][^”"]*[”"])?(?:, dòng \d+)?(?:, cột [^:]*)?: `)

// problemText is a message without its leading place, capitalized.
func problemText(msg string) string {
	loc := placeRe.FindStringIndex(msg)
	if loc == nil || loc[1] >= len(msg) {
		return msg
	}
	return wording.Capitalize(msg[loc[1]:])
}

// shorten cuts s to at most n runes on one line, with an ellipsis.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// shortLen is the number of characters of shorten(s, n).
func shortLen(s string, n int) int {
	count, words, in := 0, 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
			continue
		}
		if !in {
			in = true
			words++
			if words > 1 {
				count++ // the space between words
			}
		}
		count++
	}
	if count <= n {
		return count
	}
	return n + 1 // the cut text and "…"
}

// quote puts a name in Vietnamese quotes.
func quote(s string) string { return "“" + s + "”" }

// letterOf is the column letters of a cell reference ("K25" -> "K").
func letterOf(ref string) string {
	i := 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z') {
		i++
	}
	if i == 0 || i == len(ref) {
		return ""
	}
	if _, err := strconv.Atoi(ref[i:]); err != nil {
		return ""
	}
	return strings.ToUpper(ref[:i])
}

// tableIndex finds the table of a sheet, or -1.
func tableIndex(wb *record.Workbook, sheet string) int {
	if wb == nil {
		return -1
	}
	for i := range wb.Tables {
		if wb.Tables[i].Sheet == sheet {
			return i
		}
	}
	return -1
}

// columnLetter is the letter of a field in a table, or "".
func columnLetter(t *record.Table, field string) string {
	if t == nil || field == "" {
		return ""
	}
	for _, c := range t.Columns {
		if c.Field == field {
			return c.Letter
		}
	}
	return ""
}

// colNum is the 1-based number of column letters (0 for "").
func colNum(letters string) int {
	n := 0
	for i := 0; i < len(letters); i++ {
		n = n*26 + int(letters[i]-'A'+1)
	}
	return n
}

// problems turns a submission's findings into problems, sorted as the
// clerk reads the file: file-level first, then sheet by sheet, row by row,
// column by column, errors before warnings.
func (s *sub) problems() []problem {
	out := make([]problem, 0, len(s.findings))
	for _, f := range s.findings {
		pr := problem{
			Severity: f.Severity,
			Sheet:    f.Sheet,
			Row:      f.Row,
			Title:    f.ColumnTitle,
			Value:    shorten(s.pv.value(s.o.Form, f.Column, f.Value), 200),
			table:    tableIndex(s.wb, f.Sheet),
		}
		if pr.Severity != record.Error {
			pr.Severity = record.Warning
		}
		pr.Message = s.pv.message(s.o.Form, f)
		pr.Text = problemText(pr.Message)
		var t *record.Table
		if pr.table >= 0 {
			t = &s.wb.Tables[pr.table]
		}
		pr.Letter = letterOf(f.Ref)
		if pr.Letter == "" {
			pr.Letter = columnLetter(t, f.Column)
		}
		switch {
		case f.Ref != "" && letterOf(f.Ref) != "":
			pr.Ref = strings.ToUpper(f.Ref)
		case pr.Letter != "" && f.Row > 0:
			pr.Ref = pr.Letter + strconv.Itoa(f.Row)
		}
		if pr.Row == 0 && pr.Ref != "" {
			// A cell named without its row: take the row from the reference.
			if n, err := strconv.Atoi(pr.Ref[len(letterOf(pr.Ref)):]); err == nil {
				pr.Row = n
			}
		}
		out = append(out, pr)
	}
	level := func(p *problem) int {
		if p.Sheet == "" && p.Row == 0 && p.Ref == "" {
			return 0
		}
		return 1
	}
	tbl := func(p *problem) int {
		if p.table < 0 {
			return 1 << 30
		}
		return p.table
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if la, lb := level(a), level(b); la != lb {
			return la < lb
		}
		if ta, tb := tbl(a), tbl(b); ta != tb {
			return ta < tb
		}
		if a.Sheet != b.Sheet {
			return a.Sheet < b.Sheet
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		if ca, cb := colNum(a.Letter), colNum(b.Letter); ca != cb {
			return ca < cb
		}
		if a.Severity != b.Severity {
			return a.Severity == record.Error
		}
		if a.Text != b.Text {
			return a.Text < b.Text
		}
		return a.Value < b.Value
	})
	return out
}

// formLabel names a form for people.
func formLabel(f record.Form) string {
	switch f {
	case record.FormNone:
		return "Không xác định"
	case record.FormKH:
		return "Kế hoạch đối thoại của xã (KH)"
	}
	if sc := schemas.Get(string(f)); sc != nil {
		return "Mẫu " + string(f) + " – " + sc.Title
	}
	return string(f)
}

// receivedText shows a moment as dd/mm/yyyy hh:mm in the plan's time zone.
func receivedText(p *plan.Plan, s record.Submission) string {
	if s.ReceivedAt.IsZero() {
		return "—"
	}
	return s.ReceivedAt.In(p.Location()).Format("02/01/2006 15:04")
}

// fileName is the original file's name (without its folder).
func fileName(path string) string {
	path = strings.ReplaceAll(path, `\`, "/")
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// rejection explains a rejection reason: why, and what to do.
func rejection(reason string) (why, todo string) {
	switch reason {
	case record.ReasonCorrupt:
		return "Tệp bị hỏng hoặc chưa được sao chép xong nên không mở được.",
			"Mở tệp trên máy của xã bằng Excel. Nếu mở được, chọn Lưu thành (Save As) dạng Excel Workbook (.xlsx) rồi gửi lại tệp vừa lưu; nếu không mở được, lấy lại bản gốc hoặc nhập lại rồi gửi lại."
	case record.ReasonEncrypted:
		return "Tệp có đặt mật khẩu nên huyện không đọc được.",
			"Mở tệp, bỏ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa mật khẩu), lưu lại rồi gửi lại."
	case record.ReasonTooLarge:
		return "Tệp quá lớn (quá nhiều sheet, dòng, cột hoặc hình ảnh) so với giới hạn của hệ thống.",
			"Chỉ giữ lại sheet của biểu mẫu, xóa các sheet, hình ảnh và dòng, cột thừa, lưu lại rồi gửi lại."
	case record.ReasonTooSlow:
		return "Tệp cần quá nhiều thời gian để đọc (vượt giới hạn thời gian cho một tệp) nên hệ thống đã dừng đọc; tệp có thể quá lớn hoặc có cấu trúc bất thường.",
			"Chỉ giữ lại sheet của biểu mẫu, xóa các sheet, dòng, cột và hình ảnh thừa, lưu lại dạng Excel Workbook (.xlsx) rồi gửi lại."
	case record.ReasonUnsupported:
		return "Định dạng tệp không được hỗ trợ (ví dụ tệp Excel đời quá cũ hoặc tệp của phần mềm khác).",
			"Mở tệp và chọn Lưu thành (Save As) dạng Excel Workbook (.xlsx), rồi gửi lại tệp vừa lưu."
	case record.ReasonEmpty:
		return "Tệp rỗng, không có nội dung.",
			"Kiểm tra lại tệp trên máy của xã (mở ra xem có dữ liệu không) rồi gửi lại tệp đúng."
	case record.ReasonNotSpreadsheet:
		return "Tệp không phải bảng tính (.xlsx, .xls, .ods, .csv) cũng không phải văn bản kế hoạch (.doc, .docx, .pdf); có thể đã gửi nhầm.",
			"Nếu gửi nhầm thì không cần làm gì. Nếu đây là biểu mẫu, hãy gửi tệp Excel theo mẫu (không gửi ảnh chụp hay tệp ghi chú)."
	case record.ReasonUnknownCommune:
		return "Không xác định được xã, thị trấn gửi tệp: thư mục chứa tệp và dòng “UBND XÃ …” ở đầu biểu mẫu đều không ghi tên một xã, thị trấn nào trong kế hoạch đối thoại.",
			"Ghi đúng tên xã, thị trấn ở đầu biểu mẫu (dòng “UBND XÃ …”), đặt tệp vào thư mục của xã (tên thư mục là mã hoặc tên xã) rồi gửi lại."
	case record.ReasonConflict:
		return "Thư mục chứa tệp và dòng “UBND XÃ …” ở đầu biểu mẫu ghi hai xã khác nhau, nên huyện không biết tệp là của xã nào.",
			"Nếu tệp là của xã mình, sửa dòng đầu biểu mẫu cho đúng tên xã; nếu là của xã khác, chuyển tệp vào đúng thư mục của xã đó. Sau đó gửi lại."
	case record.ReasonUnknownForm:
		return "Không nhận ra tệp là biểu mẫu nào (M1–M5): tiêu đề, dòng “Mẫu M…” và dòng tên cột không khớp với mẫu của huyện.",
			"Dùng đúng biểu mẫu của huyện, giữ nguyên tiêu đề và dòng tên cột, điền dữ liệu rồi gửi lại."
	case record.ReasonNotAForm:
		return "Tệp không phải một trong các biểu mẫu đối thoại (M1–M5): tiêu đề là của một văn bản khác hoặc dòng tên cột thiếu các cột chính của mẫu (ví dụ Mã hộ, Khóm/Ấp của Mẫu M1); có thể đã gửi nhầm tệp khác (danh sách cán bộ, bảng lương, …).",
			"Nếu gửi nhầm thì không cần làm gì. Nếu đây là biểu mẫu, dùng đúng biểu mẫu của huyện (giữ nguyên tiêu đề và dòng tên cột, đủ các cột chính), điền dữ liệu rồi gửi lại."
	case record.ReasonNoData:
		return "Biểu mẫu không có dòng dữ liệu nào.",
			"Điền dữ liệu vào biểu mẫu (dưới dòng tên cột, trên phần ký tên) rồi gửi lại."
	}
	return "Tệp không được tiếp nhận.", "Kiểm tra lại tệp và gửi lại đúng biểu mẫu."
}

// build makes the view of one submission's feedback; folders is p's.
func build(p *plan.Plan, folders *Folders, s *sub, byID map[string]*record.SubmissionOutcome, byPath map[string]*record.SubmissionOutcome) view {
	o := &s.o
	v := view{
		Office:   strings.TrimSpace(p.District.Office + " " + wording.LowerFirst(p.District.Name)),
		File:     o.Path,
		Name:     fileName(o.Path),
		Form:     formLabel(o.Form),
		Received: receivedText(p, o.Submission),
		ShortID:  shortID(o.ID),
		Commune:  "Không xác định",
	}
	if c := folders.commune[o.CommuneCode]; c != nil {
		v.Commune = c.FullName()
	} else if c := folders.communeOf(*o); c != nil {
		v.Commune = "Không xác định (tệp nằm trong thư mục của " + c.FullName() + ")"
	}
	v.Problems = s.problems()
	for _, pr := range v.Problems {
		if pr.Severity == record.Error {
			v.Errors++
		} else {
			v.Warnings++
		}
	}
	if s.wb != nil && !(o.Status == record.StatusRejected || o.Status == record.StatusDuplicate) {
		bad := map[[2]any]bool{}
		for _, pr := range v.Problems {
			if pr.Severity == record.Error && pr.Row > 0 {
				bad[[2]any{pr.Sheet, pr.Row}] = true
			}
		}
		for ti, t := range s.wb.Tables {
			if s.big != nil {
				// The rows found by the first pass over them.
				scan := &s.big.tables[ti]
				v.DataRows += scan.n
				for r := range scan.hits {
					if bad[[2]any{t.Sheet, r}] {
						v.ErrorRows++
					}
				}
				continue
			}
			v.DataRows += len(t.Rows)
			for _, r := range t.Rows {
				if bad[[2]any{t.Sheet, r.Row}] {
					v.ErrorRows++
				}
			}
		}
	}

	switch {
	case o.Status == record.StatusDuplicate:
		v.Verdict = verdictDuplicate
		v.Headline = "TRÙNG VỚI TỆP ĐÃ NHẬN – KHÔNG TÍNH THÊM"
		first := byPath[o.DuplicateOf]
		if o.DuplicateOf != "" {
			v.Related = o.DuplicateOf
			when := ""
			if first != nil && !first.ReceivedAt.IsZero() {
				when = " (nhận lúc " + receivedText(p, first.Submission) + ")"
			}
			v.Why = []string{"Tệp này có nội dung giống hệt tệp " + quote(o.DuplicateOf) + when + " mà huyện đã nhận trước đó, nên chỉ được tính là một lần gửi."}
			v.Todo = []string{"Không cần làm gì. Kết quả kiểm tra nằm trong phản hồi của tệp " + quote(fileName(o.DuplicateOf)) + "."}
		} else {
			v.Why = []string{"Tệp này có nội dung giống hệt một tệp huyện đã nhận trước đó, nên chỉ được tính là một lần gửi."}
			v.Todo = []string{"Không cần làm gì. Kết quả kiểm tra nằm trong phản hồi của tệp đã gửi trước."}
		}
	case o.Status == record.StatusRejected:
		v.Verdict = verdictRejected
		v.Headline = "KHÔNG TIẾP NHẬN"
		why, todo := rejection(o.Reason)
		v.Why = []string{why, "Tệp này không được dùng trong báo cáo và không thay thế tệp nào xã đã gửi trước."}
		v.Todo = []string{todo}
	case o.SupersededBy != "":
		v.Verdict = verdictSuperseded
		v.Headline = "ĐÃ ĐƯỢC THAY THẾ BẰNG TỆP MỚI HƠN"
		newer := byID[o.SupersededBy]
		name, when := "mới hơn", ""
		if newer != nil {
			v.Related = newer.Path
			name = quote(newer.Path)
			if !newer.ReceivedAt.IsZero() {
				when = " (nhận lúc " + receivedText(p, newer.Submission) + ")"
			}
		}
		v.Why = []string{"Xã đã gửi tệp " + name + when + " cùng biểu mẫu. Tệp mới thay thế hoàn toàn tệp này: số liệu của tệp này không còn được dùng trong báo cáo nhưng vẫn được lưu trữ."}
		if newer != nil {
			v.Todo = []string{"Không cần làm gì với tệp này. Kết quả kiểm tra nằm trong phản hồi của tệp " + quote(fileName(newer.Path)) + "."}
		} else {
			v.Todo = []string{"Không cần làm gì với tệp này. Kết quả kiểm tra nằm trong phản hồi của tệp mới hơn."}
		}
	case v.Errors > 0:
		v.Verdict = verdictErrors
		v.Headline = "ĐÃ TIẾP NHẬN – CÒN LỖI CẦN SỬA"
		first := fmt.Sprintf("Có %d lỗi", v.Errors)
		switch {
		case v.ErrorRows > 0 && v.DataRows > 0:
			first += fmt.Sprintf(" ở %d trong %d dòng dữ liệu: các dòng có lỗi chưa được tính vào số liệu của huyện.", v.ErrorRows, v.DataRows)
		default:
			first += ": phần có lỗi chưa được tính vào số liệu của huyện."
		}
		v.Todo = []string{
			first,
			"Mở tệp gốc " + quote(v.Name) + " trên máy của xã và sửa đúng các ô được tô đỏ trong phản hồi này: sheet, dòng và cột giữ đúng như tệp gốc; cột “Cần sửa” ở cuối mỗi dòng ghi rõ phải sửa gì.",
			"Gửi lại toàn bộ tệp đã sửa vào thư mục của xã (có thể đặt tên mới). Tệp mới sẽ thay thế hoàn toàn tệp này, nên giữ nguyên cả các dòng đúng; không gửi riêng các dòng đã sửa.",
		}
		if v.Warnings > 0 {
			v.Todo = append(v.Todo, fmt.Sprintf("Có %d cảnh báo (ô tô vàng): không bắt buộc sửa, nhưng hãy kiểm tra lại.", v.Warnings))
		}
	case v.Warnings > 0:
		v.Verdict = verdictWarnings
		v.Headline = "ĐÃ TIẾP NHẬN"
		v.Todo = []string{
			"Tệp đã được tiếp nhận và số liệu được dùng.",
			fmt.Sprintf("Có %d cảnh báo (ô tô vàng): hãy kiểm tra lại. Nếu cần sửa, gửi lại toàn bộ tệp đã sửa; tệp mới sẽ thay thế tệp này.", v.Warnings),
		}
	default:
		v.Verdict = verdictClean
		v.Headline = "ĐÃ TIẾP NHẬN"
		v.Todo = []string{"Tệp hợp lệ, không có lỗi. Không cần làm gì thêm."}
	}
	if v.Verdict.onePage() && v.Verdict != verdictRejected {
		// A duplicate or replaced file's own problems no longer matter.
		v.Problems = nil
		v.Errors, v.Warnings = 0, 0
	}
	return v
}

// verdictWord is the short verdict for the summary's “Kết quả” line.
func (v *view) verdictWord() string {
	switch v.Verdict {
	case verdictRejected:
		return "Không tiếp nhận"
	case verdictDuplicate:
		return "Trùng với tệp đã nhận (không tính thêm)"
	case verdictSuperseded:
		return "Đã tiếp nhận, nay đã được thay thế bằng tệp mới hơn"
	case verdictErrors:
		return "Đã tiếp nhận, còn lỗi cần sửa"
	}
	return "Đã tiếp nhận"
}

// severityWord names a severity for people.
func severityWord(s record.Severity) string {
	if s == record.Error {
		return "Lỗi"
	}
	return "Cảnh báo"
}

// placeText names where a problem is: “Sheet “M2”, dòng 25, cột K (Số
// điện thoại)”, or “Cả tệp”.
func (pr *problem) placeText() string {
	var parts []string
	if pr.Sheet != "" {
		parts = append(parts, "sheet "+quote(pr.Sheet))
	}
	if pr.Row > 0 {
		parts = append(parts, "dòng "+strconv.Itoa(pr.Row))
	}
	switch {
	case pr.Letter != "" && pr.Title != "":
		parts = append(parts, "cột "+pr.Letter+" ("+pr.Title+")")
	case pr.Letter != "":
		parts = append(parts, "cột "+pr.Letter)
	case pr.Title != "":
		parts = append(parts, "cột "+quote(pr.Title))
	}
	if len(parts) == 0 {
		return "Cả tệp"
	}
	return wording.Capitalize(strings.Join(parts, ", "))
}

// columnText names a problem's column for the list: “K (Số điện thoại)”.
func (pr *problem) columnText() string {
	switch {
	case pr.Letter != "" && pr.Title != "":
		return pr.Letter + " (" + pr.Title + ")"
	case pr.Letter != "":
		return pr.Letter
	}
	return pr.Title
}
