package read

import (
	"fmt"
	"strings"
	"time"

	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/stages/read/grid"
)

// Vietnamese messages for the communes and district staff. Every message
// names the file; row-level ones also the sheet, row and column.

// where names a place in a file (record.Place): «Tệp “M1.xlsx”, sheet
// “DS”, dòng 14, cột F (Số CCCD/CMND)». Empty parts are left out; a CSV
// has no sheet.
func where(fc fileCtx, sheet string, row int, col, title string) string {
	if fc.csv {
		sheet = ""
	}
	return record.Place(fc.sub.Path, sheet, row, col, title)
}

func msgCorrupt(file string) string {
	return fmt.Sprintf("Tệp %q bị hỏng hoặc chưa sao chép xong, không mở được. Đề nghị xã mở lại tệp bằng Excel, lưu lại và gửi lại.", file)
}

func msgEncrypted(file string) string {
	return fmt.Sprintf("Tệp %q có đặt mật khẩu nên không đọc được. Đề nghị xã gỡ mật khẩu (Excel: Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa mật khẩu) rồi gửi lại.", file)
}

func msgTooLarge(file string, lim grid.Limits) string {
	return fmt.Sprintf("Tệp %q quá lớn hoặc có quá nhiều trang, dòng, cột để xử lý (giới hạn %d MB, %d dòng mỗi trang). Đề nghị xã chỉ gửi trang danh sách theo mẫu.", file, lim.MaxFileBytes>>20, lim.MaxRows)
}

// msgLimit tells the commune which limit its file went over: what, the
// limit's value in plain units, and where when the decoder knew.
func msgLimit(file string, csv bool, ex grid.Excess) string {
	var what string
	switch ex.Limit {
	case grid.LimitFileBytes:
		what = fmt.Sprintf("tệp nặng hơn giới hạn %s cho một tệp", sizeVN(ex.Max))
	case grid.LimitUnpackedBytes:
		what = fmt.Sprintf("dữ liệu bên trong tệp (khi giải nén) vượt giới hạn %s; tệp có thể chứa nhiều hình ảnh, dữ liệu thừa hoặc bị hỏng", sizeVN(ex.Max))
	case grid.LimitZipRatio:
		what = fmt.Sprintf("tệp chứa dữ liệu nén bất thường, khi giải nén phình to hơn %s lần (dấu hiệu tệp bị hỏng hoặc cố ý làm phình to)", countVN(ex.Max))
	case grid.LimitCellBytes:
		what = fmt.Sprintf("có ô chứa nội dung dài hơn giới hạn %s cho một ô", sizeVN(ex.Max))
	case grid.LimitSheetBytes:
		what = fmt.Sprintf("tổng nội dung chữ của một trang vượt giới hạn %s (tính cả các dòng, ô được lặp lại)", sizeVN(ex.Max))
	case grid.LimitWorkbookBytes:
		what = fmt.Sprintf("tổng nội dung chữ của cả tệp vượt giới hạn %s", sizeVN(ex.Max))
	case grid.LimitSheets:
		what = fmt.Sprintf("tệp có nhiều hơn %s trang", countVN(ex.Max))
	case grid.LimitRows:
		what = fmt.Sprintf("có dữ liệu vượt quá giới hạn %s dòng mỗi trang", countVN(ex.Max))
	case grid.LimitCols:
		what = fmt.Sprintf("có dữ liệu vượt quá giới hạn %s cột", countVN(ex.Max))
	case grid.LimitCells:
		what = fmt.Sprintf("tệp có nhiều hơn %s ô có dữ liệu", countVN(ex.Max))
	case grid.LimitXMLDepth:
		what = fmt.Sprintf("cấu trúc bên trong tệp lồng nhau quá %s cấp", countVN(ex.Max))
	default:
		what = "tệp vượt giới hạn xử lý"
	}
	var at []string
	if ex.Sheet != "" && !csv {
		at = append(at, fmt.Sprintf("trang %q", ex.Sheet))
	}
	if ex.Row > 0 {
		at = append(at, fmt.Sprintf("dòng %s", countVN(int64(ex.Row))))
	}
	if ex.Col > 0 {
		at = append(at, "cột "+colLetters(ex.Col))
	}
	where := ""
	if len(at) > 0 {
		where = ", tại " + strings.Join(at, ", ")
	}
	return fmt.Sprintf("Tệp %q quá lớn để xử lý: %s%s. Đề nghị xã chỉ giữ lại trang danh sách theo mẫu, xóa các dòng, cột và nội dung thừa, lưu lại rồi gửi lại.", file, what, where)
}

// msgTooSlow tells the commune its file took longer than the time one file
// may take to read.
func msgTooSlow(file string, limit time.Duration) string {
	return fmt.Sprintf("Tệp %q cần quá nhiều thời gian để đọc (quá %s, giới hạn thời gian cho một tệp) nên đã dừng đọc; tệp có thể quá lớn hoặc có cấu trúc bất thường. Đề nghị xã chỉ giữ lại trang danh sách theo mẫu, lưu lại dạng Excel (.xlsx) rồi gửi lại.", file, durationVN(limit))
}

// sizeVN writes a byte count in plain units: "128 KB", "64 MB", "1,5 GB".
func sizeVN(n int64) string {
	units := []struct {
		size int64
		name string
	}{{1 << 30, "GB"}, {1 << 20, "MB"}, {1 << 10, "KB"}}
	for _, u := range units {
		if n >= u.size {
			whole, tenth := n/u.size, (n%u.size)*10/u.size
			if tenth == 0 {
				return fmt.Sprintf("%s %s", countVN(whole), u.name)
			}
			return fmt.Sprintf("%s,%d %s", countVN(whole), tenth, u.name)
		}
	}
	return fmt.Sprintf("%d byte", n)
}

// countVN writes a count with dots between thousands: 200.000.
func countVN(n int64) string { return vntext.Thousands(n) }

// durationVN writes a time limit in minutes or seconds: "2 phút", "60 giây".
func durationVN(d time.Duration) string {
	if d < time.Second {
		return strings.Replace(fmt.Sprintf("%g giây", d.Seconds()), ".", ",", 1)
	}
	if d >= 2*time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d phút", d/time.Minute)
	}
	return fmt.Sprintf("%d giây", int64((d+time.Second-1)/time.Second))
}

func msgUnsupported(file string) string {
	return fmt.Sprintf("Tệp %q có định dạng bảng tính chưa đọc được (ví dụ Excel đời cũ 2.0–5.0, .xlsb, Numbers). Đề nghị xã lưu lại dưới dạng Excel .xlsx rồi gửi lại.", file)
}

func msgNotSpreadsheet(file string) string {
	return fmt.Sprintf("Tệp %q không phải bảng tính (.xlsx, .xls, .ods, .csv) hay văn bản kế hoạch (.doc, .docx, .pdf), có thể đã gửi nhầm. Nếu là biểu mẫu, đề nghị xã gửi tệp Excel.", file)
}

func msgDocumentNoCommune(file, folder string) string {
	if strings.TrimSpace(folder) == "" {
		return fmt.Sprintf("Tệp %q là văn bản kế hoạch nhưng được đặt ngoài thư mục của xã nên không biết của xã nào. Đề nghị đặt tệp vào thư mục của xã (tên hoặc mã xã) rồi gửi lại.", file)
	}
	return fmt.Sprintf("Tệp %q là văn bản kế hoạch nhưng thư mục %q không phải tên hay mã của xã nào trong kế hoạch. Đề nghị đặt tệp vào đúng thư mục của xã.", file, folder)
}

func msgHeaderNotInPlan(file, line string, year int) string {
	return fmt.Sprintf("Tệp %q: đầu biểu ghi %q nhưng xã này không có trong kế hoạch đối thoại năm %d của huyện. Đề nghị kiểm tra lại tên xã ở đầu biểu.", file, line, year)
}

func msgNoCommune(file, folder string) string {
	if strings.TrimSpace(folder) == "" {
		return fmt.Sprintf("Tệp %q: không xác định được xã gửi tệp — tệp đặt ngoài thư mục của xã và đầu biểu không có dòng \"UBND XÃ …\" ghi tên một xã trong kế hoạch. Đề nghị đặt tệp vào thư mục của xã hoặc ghi tên xã ở đầu biểu.", file)
	}
	return fmt.Sprintf("Tệp %q: không xác định được xã gửi tệp — thư mục %q không phải tên hay mã của xã nào trong kế hoạch và đầu biểu không có dòng \"UBND XÃ …\" ghi tên xã. Đề nghị đặt tệp vào đúng thư mục của xã hoặc ghi tên xã ở đầu biểu.", file, folder)
}

func msgConflictFolder(file, folder, folderCommune, line, headerCommune string) string {
	return fmt.Sprintf("Tệp %q nằm trong thư mục %q (%s) nhưng đầu biểu ghi %q (%s). Không rõ tệp của xã nào nên chưa nhận; đề nghị kiểm tra và gửi lại vào đúng thư mục của xã.", file, folder, folderCommune, line, headerCommune)
}

func msgConflictHeader(file, a, b string) string {
	return fmt.Sprintf("Tệp %q: đầu biểu ghi tên hai xã khác nhau (%s và %s). Không rõ tệp của xã nào nên chưa nhận; đề nghị sửa lại đầu biểu và gửi lại.", file, a, b)
}

func msgUnknownForm(file string, hint formHint, closest *mapping) string {
	var looked []string
	for _, ix := range schemaIndexes() {
		looked = append(looked, fmt.Sprintf("%s (%q)", ix.s.Mau, ix.s.Title))
	}
	base := fmt.Sprintf("Tệp %q: không nhận ra biểu mẫu. Đã tìm trong 30 dòng đầu của các trang: tiêu đề biểu, dòng \"Mẫu M1\"…\"Mẫu M5\" và dòng tên cột (STT, Mã hộ, Họ và tên chủ hộ, Năm sinh, …) của các mẫu %s, nhưng không thấy.", file, strings.Join(looked, "; "))
	if form := hint.mauForm; form != "" || hint.titleForm != "" {
		if form == "" {
			form = hint.titleForm
		}
		base += fmt.Sprintf(" Tiêu đề cho biết đây là mẫu %s nhưng không tìm thấy dòng tên cột của mẫu này.", form)
		if closest != nil {
			if miss := missingGroups(closest); len(miss) > 0 {
				base += fmt.Sprintf(" Dòng tên cột gần nhất thiếu các cột: %s.", groupsText(closest.ix, miss))
			}
		}
	}
	return base + " Đề nghị xã dùng đúng biểu mẫu của huyện (giữ nguyên dòng tên cột) và gửi lại."
}

func msgNoData(file, form string) string {
	return fmt.Sprintf("Tệp %q: có dòng tên cột của mẫu %s nhưng không có dòng dữ liệu nào bên dưới. Đề nghị xã điền danh sách rồi gửi lại.", file, form)
}

func msgNoSheets(file string) string {
	return fmt.Sprintf("Tệp %q không có trang nào có dữ liệu (các trang đều trống hoặc bị ẩn). Đề nghị xã kiểm tra lại tệp và gửi lại.", file)
}

// encodingName is the Vietnamese name of a legacy font encoding.
func encodingName(e vntext.Encoding) string {
	switch e {
	case vntext.TCVN3:
		return "phông TCVN3 (.VnTime)"
	case vntext.VNI:
		return "phông VNI (VNI-Times)"
	}
	return "Unicode"
}
