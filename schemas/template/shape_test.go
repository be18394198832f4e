package template

import (
	"strings"
	"testing"
)

// TestVerbatim: only texts excelize writes unchanged, bar XML escapes, are
// replaced by placeholders.
func TestVerbatim(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"UBND XÃ THƯỜNG PHƯỚC 1", true},
		{`Ấp "Giồng" & <Bàng> 'Mới'`, true},
		{"Số 1", true},
		{"", false},
		{" Ấp 1", false},
		{"Ấp 1 ", false},
		{"Ấp\t1", false},
		{"dòng 1\ndòng 2", false},
		{"Ấp _x0041_", false},
		{"Ấp _X0041_", false},
		{"Ấp \uE0001\uE001", false},
		{"Ấp \uF8FF", false},
		{"Ấp \x01", false},
		{"Ấp \xff", false},
		{"Ấp \uFFFE", false},
		{"\uFFFD", true},
		{strings.Repeat("a", maxText), true},
		{strings.Repeat("a", maxText+1), false},
	} {
		if got := verbatim(tc.text); got != tc.want {
			t.Errorf("verbatim(%.40q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestPlaceholderRoundTrip: a part's placeholders are found where they
// are, and a broken one is an error.
func TestPlaceholderRoundTrip(t *testing.T) {
	data := []byte("<t>" + placeholder(1) + "</t><t>a" + placeholder(0) + placeholder(1) + "</t>")
	seen := make([]bool, 2)
	sp, err := parseSlots("x.xml", data, seen)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.chunks) != 4 || string(sp.chunks[0]) != "<t>" || string(sp.chunks[1]) != "</t><t>a" || string(sp.chunks[2]) != "" || string(sp.chunks[3]) != "</t>" {
		t.Errorf("chunks %q", sp.chunks)
	}
	if len(sp.slots) != 3 || sp.slots[0] != 1 || sp.slots[1] != 0 || sp.slots[2] != 1 || !seen[0] || !seen[1] {
		t.Errorf("slots %v, seen %v", sp.slots, seen)
	}
	for _, bad := range []string{markOpen + "1", markOpen + markClose, markOpen + "x" + markClose, placeholder(2)} {
		if _, err := parseSlots("x.xml", []byte("a"+bad), make([]bool, 2)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
