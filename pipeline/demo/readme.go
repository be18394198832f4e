package demo

import (
	"fmt"
	"strings"

	"doithoai/pipeline/atomicfile"
)

// writeReadme explains the demo folder in Vietnamese.
func writeReadme(path string, ws *workspace) error {
	var b strings.Builder
	p := ws.p
	now := ws.now.In(p.Location())
	fmt.Fprintf(&b, "HỘP THƯ MẪU (DEMO) — ĐỐI THOẠI CHÍNH SÁCH GIẢM NGHÈO NĂM %d, %s\n", ws.year, strings.ToUpper(p.District.Name))
	b.WriteString(strings.Repeat("=", 72) + "\n\n")
	fmt.Fprintf(&b, "Thư mục này do lệnh \"doithoai demo\" tạo ra (hạt giống ngẫu nhiên %d; cùng hạt giống cho cùng các tệp).\n", ws.seed)
	b.WriteString("Mọi họ tên, mã hộ, số CCCD/CMND và số điện thoại đều là dữ liệu giả, sinh ngẫu nhiên, không phải của người thật.\n\n")

	b.WriteString("CÁC THƯ MỤC\n")
	fmt.Fprintf(&b, "- inbox/   tệp của %d xã, thị trấn, mỗi xã một thư mục, đặt tên như cán bộ xã thường đặt (có dấu, không dấu, có hoặc không có chữ \"xã\"):\n", len(ws.communes))
	b.WriteString("            kế hoạch đối thoại của xã (KH, tệp Word), Mẫu M1 (hộ dự kiến thoát nghèo, thoát cận nghèo), M2 (đại diện hộ tham gia),\n")
	b.WriteString("            M3 (thành phần cấp xã, trưởng khóm/ấp), M4 (ý kiến, kiến nghị); xã chủ trì của cụm đã đối thoại gửi thêm M5 (kết quả).\n")
	b.WriteString("- outbox/  kết quả xử lý: phản hồi cho từng xã, báo cáo quý, danh sách tham dự, danh sách ý kiến theo cơ quan (mở outbox/index.html).\n")
	b.WriteString("- state/   sổ nhận tệp và bản lưu nguyên gốc các tệp đã nhận (chương trình tự quản lý, không sửa tay).\n\n")

	b.WriteString("THỜI ĐIỂM CỦA BẢN MẪU\n")
	fmt.Fprintf(&b, "Chương trình được chạy như thể lúc %s ngày %s (%s). Mọi tệp trong inbox được coi là nhận vào lúc đó",
		now.Format("15:04"), now.Format("02/01/2006"), ws.whenInQuarter())
	if d, ok := p.CommunePlanDeadline(); ok {
		verdict := "đúng hạn"
		if p.Late(ws.now, d) {
			verdict = "trễ hạn"
		}
		fmt.Fprintf(&b, ",\nnên kế hoạch của các xã (hạn %s) được ghi nhận là nộp %s.\n", d.Format("02/01/2006"), verdict)
	} else {
		b.WriteString(".\n")
	}
	b.WriteString("\nNgày đối thoại của các cụm:\n")
	for _, cl := range p.Clusters {
		d := ws.dates[cl.ID]
		note := "theo kế hoạch"
		if ws.assumed[cl.ID] {
			note = "giả định cho bản mẫu, vì kế hoạch chưa có ngày"
		}
		state := "chưa đối thoại"
		if ws.held(cl.ID) {
			state = "đã đối thoại, xã chủ trì đã gửi Mẫu M5"
		}
		fmt.Fprintf(&b, "- %s: %s (%s) — %s.\n", cl.Name, d.Format("02/01/2006"), note, state)
	}

	b.WriteString("\nTHƯ MỤC CỦA CÁC XÃ\n")
	for _, cm := range ws.communes {
		fmt.Fprintf(&b, "- inbox/%s/  %s (mã %s, cụm %d)\n", cm.folder, cm.c.FullName(), cm.c.Code, cm.c.Cluster)
	}

	b.WriteString("\nCÁC LỖI CỐ Ý (để xem phần phản hồi cho xã)\n")
	for i, m := range ws.mistakes {
		fmt.Fprintf(&b, "%d. %s\n", i+1, m.text)
	}

	b.WriteString("\nCHẠY LẠI\n")
	fmt.Fprintf(&b, "    doithoai run --inbox inbox --outbox outbox --state state --now %s\n", now.Format("2006-01-02T15:04:05-07:00"))
	b.WriteString("(chạy trong thư mục này). Có thể sửa một tệp trong inbox, lưu thành tệp mới rồi chạy lại để xem tệp mới thay thế tệp cũ.\n")
	return atomicfile.WriteBytes(path, []byte(b.String()))
}

// whenInQuarter places the demo's moment against the dialogue quarter, in
// Vietnamese: "giữa quý đối thoại" for the default moment.
func (ws *workspace) whenInQuarter() string {
	start := ws.quarterStart()
	end := start.AddDate(0, 3, 0)
	switch {
	case ws.now.Before(start):
		return "trước quý đối thoại"
	case !ws.now.Before(end):
		return "sau khi hết quý đối thoại"
	}
	return "trong quý đối thoại"
}
