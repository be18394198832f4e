package feedback

import (
	"fmt"
	"strings"

	"doithoai/pipeline/atomicfile"
)

// bom makes Notepad on older Windows read the text as UTF-8.
const bom = "\ufeff"

// textOf is the plain-text form of a feedback: the summary and the list of
// problems, one per paragraph, with Windows line ends.
func textOf(v *view) string {
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\n")
	}
	line("%s", strings.ToUpper(v.Office))
	line("PHẢN HỒI KẾT QUẢ KIỂM TRA TỆP")
	line("")
	line("Tệp: %s", v.Name)
	if v.File != v.Name {
		line("Nơi gửi (thư mục nhận): %s", v.File)
	}
	line("Xã, thị trấn: %s", v.Commune)
	line("Biểu mẫu: %s", v.Form)
	line("Thời điểm nhận: %s", v.Received)
	line("Mã tệp: %s", v.ShortID)
	line("Kết quả: %s", strings.ToUpper(v.verdictWord()))
	if v.Verdict == verdictDuplicate || v.Verdict == verdictSuperseded {
		if v.Related != "" {
			line("Tệp liên quan: %s", v.Related)
		}
	} else {
		line("Số lỗi (phải sửa): %d", v.Errors)
		line("Số cảnh báo (cần kiểm tra): %d", v.Warnings)
		if v.DataRows > 0 {
			line("Số dòng dữ liệu: %d, trong đó %d dòng có lỗi", v.DataRows, v.ErrorRows)
		}
	}
	if len(v.Why) > 0 {
		line("")
		line("LÝ DO")
		for _, w := range v.Why {
			line("%s", w)
		}
	}
	if len(v.Todo) > 0 {
		line("")
		line("VIỆC CẦN LÀM")
		for i, t := range v.Todo {
			if len(v.Todo) > 1 {
				line("%d. %s", i+1, t)
			} else {
				line("%s", t)
			}
		}
	}
	if len(v.Problems) > 0 {
		line("")
		line("DANH SÁCH VẤN ĐỀ (%d lỗi, %d cảnh báo)", v.Errors, v.Warnings)
		for i, pr := range v.Problems {
			line("")
			head := fmt.Sprintf("%d. [%s] %s", i+1, severityWord(pr.Severity), pr.placeText())
			if pr.Value != "" {
				head += ", giá trị " + quote(pr.Value)
			}
			line("%s", head)
			text := pr.Text
			if pr.Row == 0 && pr.Sheet == "" && pr.Letter == "" {
				text = pr.Message
			}
			line("   %s", strings.ReplaceAll(text, "\n", " "))
		}
	}
	if !v.Verdict.onePage() && v.DataRows > 0 {
		line("")
		line("Tệp Excel cùng tên (.xlsx) chép lại dữ liệu của xã, tô đỏ các ô có lỗi và tô vàng các ô cần kiểm tra.")
	}
	line("")
	line("Phản hồi này do hệ thống tiếp nhận của huyện lập tự động. Số CCCD/CMND và số điện thoại chỉ hiện 4 số cuối để bảo vệ thông tin cá nhân.")
	return b.String()
}

// writeText writes the plain-text feedback: UTF-8 with a byte-order mark
// and CRLF line ends, so that Notepad on Windows shows it right.
func writeText(path string, v *view) error {
	s := textOf(v)
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	return atomicfile.WriteBytes(path, []byte(bom+s))
}
