package process

import (
	"strings"
	"testing"
	"unsafe"

	"doithoai/pipeline/record"
)

// TestDetach: after detach, no string an item keeps points into the
// buffer its texts were cut from, except the M1 rows'.
func TestDetach(t *testing.T) {
	buf := strings.Repeat("Nguyễn Văn An|DANH SÁCH HỘ NGHÈO|Mã hộ|12345|", 50)
	cut := func(i int) string { return buf[i*8 : i*8+6] }
	inBuf := func(s string) bool {
		if s == "" {
			return false
		}
		p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(buf)))
		return p >= lo && p < lo+uintptr(len(buf))
	}
	it := Item{
		Workbook: record.Workbook{Title: cut(1), HeaderName: cut(2), Tables: []record.Table{{
			Sheet: cut(3), Columns: []record.Column{{Field: cut(4), Letter: cut(5), Header: cut(6)}}, Unknown: []string{cut(7)}}},
			Findings: []record.Finding{{Value: cut(8), Message: cut(9)}}},
		Checked: record.Checked{
			Findings:      []record.Finding{{Value: cut(10), Sheet: cut(11)}},
			Households:    []record.Household{{HeadName: cut(12)}},
			Registrations: []record.Registration{{RepName: cut(13), Source: record.Source{Sheet: cut(14)}}},
			Delegates:     []record.Delegate{{Name: cut(15)}},
			Opinions:      []record.Opinion{{Content: cut(16)}},
			Results:       []record.Result{{Source: record.Source{Path: cut(17)}}},
		},
	}
	detach(&it)
	wb, c := &it.Workbook, &it.Checked
	for name, s := range map[string]string{
		"title": wb.Title, "header name": wb.HeaderName, "sheet": wb.Tables[0].Sheet,
		"column field": wb.Tables[0].Columns[0].Field, "column letter": wb.Tables[0].Columns[0].Letter,
		"column header": wb.Tables[0].Columns[0].Header, "unknown": wb.Tables[0].Unknown[0],
		"file finding": wb.Findings[0].Value, "file finding message": wb.Findings[0].Message,
		"row finding": c.Findings[0].Value, "row finding sheet": c.Findings[0].Sheet,
		"registration": c.Registrations[0].RepName, "registration sheet": c.Registrations[0].Sheet,
		"delegate": c.Delegates[0].Name, "opinion": c.Opinions[0].Content, "result path": c.Results[0].Path,
	} {
		if inBuf(s) {
			t.Errorf("%s %q still points into the file's buffer", name, s)
		}
		if s == "" {
			t.Errorf("%s lost its text", name)
		}
	}
	if !inBuf(c.Households[0].HeadName) {
		t.Error("the M1 rows were copied (they keep their file's texts)")
	}
}
