package record

import (
	"strings"
	"testing"
	"unsafe"
)

// TestOwnStrings: after OwnStrings no string of the values points into the
// buffer they were cut from, and every value is unchanged.
func TestOwnStrings(t *testing.T) {
	buf := "Danh sách hộ|Nguyễn Văn A|079123456789|Tổ 3"
	parts := strings.Split(buf, "|") // substrings of buf, sharing its memory
	sheet, name, id, hamlet := parts[0], parts[1], parts[2], parts[3]
	inBuf := func(s string) bool {
		if s == "" {
			return false
		}
		p, b := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(buf)))
		return p >= b && p < b+uintptr(len(buf))
	}
	findings := []Finding{{Sheet: sheet, Value: name, Message: "sai"}}
	pairs := []CandidatePair{{A: Source{Sheet: sheet}, NameA: name, NameB: id}}
	groups := []HouseholdGroup{{ID: "G-1", Reasons: []string{id}, Members: []Source{{Path: hamlet}}}}
	src := &Source{Path: sheet}
	want := []string{findings[0].Sheet, findings[0].Value, pairs[0].A.Sheet, pairs[0].NameA, pairs[0].NameB, groups[0].Reasons[0], groups[0].Members[0].Path, src.Path}

	OwnStrings(findings, pairs, groups, src, (*Source)(nil))

	got := []string{findings[0].Sheet, findings[0].Value, pairs[0].A.Sheet, pairs[0].NameA, pairs[0].NameB, groups[0].Reasons[0], groups[0].Members[0].Path, src.Path}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("value %d: %q, want %q", i, got[i], want[i])
		}
		if inBuf(got[i]) {
			t.Errorf("value %d (%q) still points into the shared buffer", i, got[i])
		}
	}
	if findings[0].Message != "sai" {
		t.Errorf("message %q", findings[0].Message)
	}
}
