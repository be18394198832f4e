package xl

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"doithoai/pipeline/plan"
)

// Upper upper-cases Vietnamese text (ư -> Ư, ự -> Ự).
func Upper(s string) string { return strings.ToUpper(s) }

// unitWords are the administrative unit words a place name may start with.
var unitWords = []string{"thành phố", "thị xã", "thị trấn", "huyện", "quận", "tỉnh", "xã", "tp."}

// PlaceName is a unit's name without its unit word: "Huyện Hồng Ngự" ->
// "Hồng Ngự".
func PlaceName(name string) string {
	name = strings.TrimSpace(name)
	low := strings.ToLower(name)
	for _, w := range unitWords {
		if strings.HasPrefix(low, w+" ") {
			return strings.TrimSpace(name[len(w):])
		}
	}
	return name
}

// Abbrev is the usual abbreviation of an office for document numbers:
// "Phòng Lao động - Thương binh và Xã hội" -> "LĐTBXH". It is "" when the
// office is not set.
func Abbrev(office string) string {
	var b strings.Builder
	for i, w := range strings.Fields(office) {
		lw := strings.ToLower(w)
		if (i == 0 && lw == "phòng") || lw == "và" || lw == "-" || lw == "–" {
			continue
		}
		r := []rune(w)
		if len(r) > 0 && unicode.IsLetter(r[0]) {
			b.WriteString(strings.ToUpper(string(baseLetter(r[0]))))
		}
	}
	return b.String()
}

// baseLetter drops a tone or vowel mark of a letter's first rune for the
// abbreviation (Đ stays Đ, as in LĐTBXH).
func baseLetter(r rune) rune {
	lr := unicode.ToLower(r)
	if lr == 'đ' {
		return 'đ'
	}
	const from = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
	const to = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy"
	fr, tr := []rune(from), []rune(to)
	for i, c := range fr {
		if c == lr {
			return tr[i]
		}
	}
	return lr
}

// Roman is the Roman numeral of a quarter (1..4).
func Roman(q int) string {
	switch q {
	case 1:
		return "I"
	case 2:
		return "II"
	case 3:
		return "III"
	case 4:
		return "IV"
	}
	return fmt.Sprint(q)
}

// ParsePeriod splits "2022Q2" into its year and quarter.
func ParsePeriod(period string) (year, quarter int, ok bool) {
	if _, err := fmt.Sscanf(period, "%dQ%d", &year, &quarter); err != nil || quarter < 1 || quarter > 4 {
		return 0, 0, false
	}
	return year, quarter, true
}

// QuarterLabel shows a period for people: "2022Q2" -> "Quý II/2022".
func QuarterLabel(period string) string {
	y, q, ok := ParsePeriod(period)
	if !ok {
		return period
	}
	return fmt.Sprintf("Quý %s/%d", Roman(q), y)
}

// QuarterBounds is the first instant of a period and of the next one.
func QuarterBounds(period string, loc *time.Location) (start, end time.Time, ok bool) {
	y, q, ok := ParsePeriod(period)
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	start = time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
	return start, start.AddDate(0, 3, 0), true
}

// DMY shows a date as dd/mm/yyyy in the plan's time zone ("" when zero).
func DMY(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("02/01/2006")
}

// DM shows a date as dd/mm in the plan's time zone.
func DM(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("02/01")
}

// PlaceDate is the place and date line of a document, following Decree
// 30/2020/NĐ-CP (a leading zero for days below 10 and for months 1 and 2):
// "Hồng Ngự, ngày 05 tháng 7 năm 2022".
func PlaceDate(place string, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	month := fmt.Sprint(int(t.Month()))
	if t.Month() <= 2 {
		month = "0" + month
	}
	s := fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), month, t.Year())
	if place == "" {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return place + ", " + s
}

// ClusterDate shows a cluster's dialogue date, or that it is not set.
func ClusterDate(c *plan.Cluster) string {
	if c == nil || !c.DialogueDate.Set {
		return "Chưa có thông báo"
	}
	return fmt.Sprintf("%02d/%02d/%04d", c.DialogueDate.D, int(c.DialogueDate.M), c.DialogueDate.Y)
}

// AdminHeader writes the administrative header of a document on rows
// top..top+2: the district's people's committee and office on the left
// (columns 1..split), the national name and motto on the right
// (split+1..last). It returns the next free row.
func (s *Sheet) AdminHeader(p *plan.Plan, top, split, last int) int {
	left1 := "UBND " + Upper(p.District.Name)
	s.Merge(top, 1, split, left1, BoldCenter)
	s.Merge(top, split+1, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", BoldCenter)
	if p.District.Office != "" {
		s.Merge(top+1, 1, split, Upper(p.District.Office), BoldCenter)
	}
	s.Merge(top+1, split+1, last, "Độc lập - Tự do - Hạnh phúc", BoldCenter)
	lw, rw := s.colWidths(1, split), s.colWidths(split+1, last)
	for r := top; r <= top+1; r++ {
		left, right := left1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
		if r > top {
			left, right = Upper(p.District.Office), "Độc lập - Tự do - Hạnh phúc"
		}
		s.FitHeight(r, 15, []string{left, right}, []float64{lw * 0.85, rw * 0.85})
	}
	s.Merge(top+2, 1, split, "———————", Centered)
	s.Merge(top+2, split+1, last, "———————————", Centered)
	return top + 3
}

// NumberLine is "Số: …/BC-LĐTBXH" for a report of the district office.
func NumberLine(p *plan.Plan, kind string) string {
	if ab := Abbrev(p.District.Office); ab != "" {
		return "Số: …/" + kind + "-" + ab
	}
	return "Số: …/" + kind
}

// colWidths adds up the widths of columns c1..c2, as excelize reads them
// (GetColWidth), those of a streamed sheet set so far included (excelize
// is only given them at Save).
func (s *Sheet) colWidths(c1, c2 int) float64 {
	w := 0.0
	for c := c1; c <= c2; c++ {
		if x, ok := s.streamedWidth(c); ok {
			w += x
			continue
		}
		x, err := s.b.f.GetColWidth(s.Name, Col(c))
		if err == nil {
			w += x
		}
	}
	return w
}

// streamedWidth is the width of column c of a streamed sheet as
// GetColWidth would read it once its widths are given to excelize: the
// last one set, unless none or 0 (then excelize's default, false).
func (s *Sheet) streamedWidth(c int) (float64, bool) {
	if s.g == nil {
		return 0, false
	}
	for i := len(s.g.pre) - 1; i >= 0; i-- {
		if op := s.g.pre[i]; op.comment == nil && op.col == c {
			return op.width, op.width != 0
		}
	}
	return 0, false
}
