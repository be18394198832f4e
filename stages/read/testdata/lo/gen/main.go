//go:build ignore

// Command gen writes the source workbooks of the LibreOffice fixtures: one
// .xlsx per form M1–M5 made by the project's template writer, with
// Vietnamese text in every tone mark, đ/Đ, citizen IDs as a number and as
// text, dates, phones with spaces and a multi-sheet M1 (one sheet per
// hamlet). make.sh runs it, then converts each workbook with LibreOffice.
//
//	go run ./stages/read/testdata/lo/gen/main.go -out stages/read/testdata/lo
package main

import (
	"flag"
	"fmt"
	"log"
	"path/filepath"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas/template"
)

const commune = "29956" // xã Thường Phước 1

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// forms are the source workbooks, by file stem.
var forms = map[string]template.Options{
	"m1": {Form: record.FormM1, Commune: commune, Date: day(2022, 3, 18), Sheets: []template.Sheet{
		{Hamlet: "Ấp 1", Rows: []template.Row{
			{"household_code": "TP1-001", "head_name": "Nguyễn Thị Hồng Đào", "birth_year": 1968, "gender": "Nữ",
				"citizen_id": "087168001234", "ethnicity": "Kinh", "hamlet": "Ấp 1", "household_class": "Hộ nghèo", "members": 4,
				"note": "Đã được hỗ trợ vốn vay; cần đào tạo nghề"},
			{"household_code": "TP1-002", "head_name": "Trần Văn Tuấn", "birth_year": day(1975, 11, 2), "gender": "Nam",
				"citizen_id": 87075009876, "ethnicity": "Kinh", "hamlet": "Ấp 1", "household_class": "Hộ cận nghèo", "members": 3},
		}},
		{Hamlet: "Ấp 2", Rows: []template.Row{
			{"household_code": "TP1-010", "head_name": "Lê Thị Mỹ Hạnh", "birth_year": 1982, "gender": "Nữ",
				"citizen_id": "087182004321", "ethnicity": "Khơ-me", "hamlet": "Ấp 2", "household_class": "Hộ nghèo", "members": 5,
				"note": "Ở nhờ nhà người thân, ẩm thấp; ưu tiên Nhà ở"},
		}},
		{Hamlet: "Ấp Chòm Xoài", Rows: []template.Row{
			{"household_code": "TP1-020", "head_name": "Đỗ Quỳnh Như", "birth_year": 1990, "gender": "Nữ",
				"citizen_id": "087190000111", "ethnicity": "Hoa", "hamlet": "Ấp Chòm Xoài", "household_class": "Hộ cận nghèo", "members": 2},
			{"household_code": "TP1-021", "head_name": "Phạm Ngọc Ẩn", "birth_year": 1959, "gender": "Nam",
				"citizen_id": "087059007777", "ethnicity": "Kinh", "hamlet": "Ấp Chòm Xoài", "household_class": "Hộ nghèo", "members": 6,
				"note": "Ốm đau thường xuyên; ỷ lại ít, cần hỗ trợ"},
		}},
	}},
	"m2": {Form: record.FormM2, Commune: commune, Sheets: []template.Sheet{{Rows: []template.Row{
		{"rep_name": "Nguyễn Thị Hồng Đào", "birth_year": 1968, "gender": "Nữ", "citizen_id": "087168001234", "relation": "Chủ hộ",
			"head_name": "Nguyễn Thị Hồng Đào", "household_code": "TP1-001", "hamlet": "Ấp 1", "household_class": "Hộ nghèo",
			"phone": "0912 345 678", "note": "Đăng ký phát biểu"},
		{"rep_name": "Trần Thị Ánh", "birth_year": day(1978, 1, 30), "gender": "Nữ", "citizen_id": 87178004455, "relation": "Vợ",
			"head_name": "Trần Văn Tuấn", "household_code": "TP1-002", "hamlet": "Ấp 1", "household_class": "Hộ cận nghèo",
			"phone": "0277 3 851 234"},
		{"rep_name": "Phạm Đức Lộc", "birth_year": 1985, "gender": "Nam", "citizen_id": "087085002468", "relation": "Con",
			"head_name": "Phạm Ngọc Ẩn", "household_code": "TP1-021", "hamlet": "Ấp Chòm Xoài", "household_class": "Hộ nghèo",
			"phone": "098 765 4321"},
	}}}},
	"m3": {Form: record.FormM3, Commune: commune, Sheets: []template.Sheet{{Rows: []template.Row{
		{"name": "Võ Thành Đạt", "position": "Phó Chủ tịch UBND xã, Trưởng ban giảm nghèo", "component": "Ban giảm nghèo", "phone": "0913 111 222"},
		{"name": "Huỳnh Thị Quế", "position": "Chủ tịch Hội Liên hiệp Phụ nữ xã", "component": "Hội đoàn thể", "phone": "0277 3 860 999"},
		{"name": "Dương Văn Ửng", "position": "Trưởng ấp", "component": "Trưởng khóm/ấp", "hamlet": "Ấp Chòm Xoài", "phone": "0987 654 321"},
	}}}},
	"m4": {Form: record.FormM4, Commune: commune, Sheets: []template.Sheet{{Rows: []template.Row{
		{"hamlet": "Ấp 1", "reporter_name": "Nguyễn Thị Hồng Đào", "household_code": "TP1-001", "topic": "Tín dụng chính sách",
			"content": "Đề nghị gia hạn khoản vay; lãi suất ưu đãi “hộ nghèo” còn cao.", "received_on": day(2022, 4, 5)},
		{"hamlet": "Ấp Chòm Xoài", "reporter_name": "Phạm Ngọc Ẩn", "household_code": "TP1-021", "topic": "Nhà ở",
			"content": "Nhà dột nát, xin hỗ trợ sửa chữa trước mùa mưa (tháng 7–8).", "received_on": day(2022, 4, 12)},
	}}}},
	"m5": {Form: record.FormM5, Commune: commune, Sheets: []template.Sheet{{Rows: []template.Row{
		{"cluster": 1, "date": day(2022, 5, 20), "district_team": 7, "commune_delegates": 7, "hamlet_heads": 5,
			"household_reps": 25, "opinions": 12, "answered": 9, "forwarded": 3},
	}}}},
}

func main() {
	out := flag.String("out", ".", "directory for the source workbooks")
	flag.Parse()
	p := plan.Default()
	for stem, opt := range forms {
		path := filepath.Join(*out, stem+".xlsx")
		if err := template.Write(path, p, opt); err != nil {
			log.Fatalf("gen: %v", err)
		}
		fmt.Println(path)
	}
}
