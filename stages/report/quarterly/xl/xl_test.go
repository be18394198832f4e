package xl

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestMaskText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"CCCD 087123456789 sai", "CCCD ********6789 sai"},
		{"gọi 0912 345 678 nhé", "gọi ******5678 nhé"},
		{"gọi 0912.345.678", "gọi ******5678"},
		{"CMND 341234567.", "CMND *****4567."},
		{"vay 50.000.000 đồng", "vay 50.000.000 đồng"},
		{"vay 1.500.000.000 đồng", "vay 1.500.000.000 đồng"},
		{"Mã hộ 29956-0059", "Mã hộ 29956-0059"},
		{"ngày 20/05/2022, 15 hộ", "ngày 20/05/2022, 15 hộ"},
		{"số 12345678", "số 12345678"},
		{"13 chữ số 1234567890123", "13 chữ số 1234567890123"},
		{"gọi +84 912 345 678", "gọi +*******5678"},
		{"", ""},
	} {
		if got := MaskText(c.in); got != c.want {
			t.Errorf("MaskText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLabels(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	for _, c := range []struct{ got, want string }{
		{QuarterLabel("2022Q2"), "Quý II/2022"},
		{QuarterLabel("2023Q4"), "Quý IV/2023"},
		{QuarterLabel("bad"), "bad"},
		{Abbrev("Phòng Lao động - Thương binh và Xã hội"), "LĐTBXH"},
		{Abbrev("Phòng Nội vụ"), "NV"},
		{Abbrev(""), ""},
		{PlaceName("Huyện Hồng Ngự"), "Hồng Ngự"},
		{PlaceName("Thị xã Hồng Ngự"), "Hồng Ngự"},
		{PlaceName("Cao Lãnh"), "Cao Lãnh"},
		{PlaceDate("Hồng Ngự", time.Date(2022, 7, 5, 9, 0, 0, 0, loc), loc), "Hồng Ngự, ngày 05 tháng 7 năm 2022"},
		{PlaceDate("Hồng Ngự", time.Date(2022, 2, 15, 9, 0, 0, 0, loc), loc), "Hồng Ngự, ngày 15 tháng 02 năm 2022"},
		{Upper("Huyện Hồng Ngự"), "HUYỆN HỒNG NGỰ"},
		{SheetName("Ý kiến theo lĩnh vực và cơ quan trả lời [2022]"), "Ý kiến theo lĩnh vực và cơ quan"},
		{SheetName("a/b"), "a-b"},
		{CleanText("a\x00b\x1fc\nd"), "abc\nd"},
		{Where("x.xlsx", "M2", 7), "x.xlsx – sheet M2, dòng 7"},
		{Where("x.csv", "", 7), "x.csv, dòng 7"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	start, end, ok := QuarterBounds("2022Q2", loc)
	if !ok || !start.Equal(time.Date(2022, 4, 1, 0, 0, 0, 0, loc)) || !end.Equal(time.Date(2022, 7, 1, 0, 0, 0, 0, loc)) {
		t.Errorf("bounds %v %v", start, end)
	}
}

func TestLines(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float64
		want  int
	}{
		{"", 10, 1},
		{"abc", 10, 1},
		{"a\nb\nc", 10, 3},
		{strings.Repeat("x", 100), 11, 10},
		{"Phòng Lao động - Thương binh và Xã hội", 20, 2},
		{"Phòng Lao động - Thương binh và Xã hội", 15, 3},
		{"Không đủ điều kiện", 9, 2},
		{"Không đủ điều kiện", 7, 3},
	} {
		if got := Lines(c.text, c.width); got != c.want {
			t.Errorf("Lines(%d chars, %v) = %d, want %d", len(c.text), c.width, got, c.want)
		}
	}
}

// linesBefore is Lines as it was written before it stopped allocating
// (strings.Split and strings.Fields): the reference of TestLinesSameAsBefore.
func linesBefore(text string, width float64) int {
	capacity := width - 1
	if capacity < 1 {
		capacity = 1
	}
	n := 0
	for _, para := range strings.Split(text, "\n") {
		lines, used := 1, 0.0
		for _, w := range strings.Fields(para) {
			wl := 0.0
			for _, r := range w {
				wl += runeWidth(r)
			}
			switch {
			case used == 0:
				used = wl
			case used+0.5+wl <= capacity:
				used += 0.5 + wl
			default:
				lines++
				used = wl
			}
			for used > capacity {
				lines++
				used -= capacity
			}
		}
		n += lines
	}
	return max(1, n)
}

func TestLinesSameAsBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{" ", "  ", "\n", "\t", "\u00a0", "\u0085", "\u2003", "\xff", "mười", "Nguyễn", "i", "WWW", "một-hai", "\r\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}
	for range 3000 {
		var b strings.Builder
		for range r.IntN(30) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		text, width := b.String(), float64(r.IntN(40))
		if got, want := Lines(text, width), linesBefore(text, width); got != want {
			t.Fatalf("Lines(%q, %v) = %d, before %d", text, width, got, want)
		}
	}
}
