package read

import (
	"fmt"
	"strings"
)

// Recognition weighs the evidence that a sheet is one of the forms: the
// title, the "Mẫu Mx" line and the form's identifying columns (x-identify
// in the schemas). A few common column names ("Họ và tên", "Ngày sinh",
// "Giới tính") never make a cadre list or a payroll a form.

// missingGroups returns the identifying groups of the mapping's form that
// its header has no field of.
func missingGroups(m *mapping) [][]string {
	have := map[string]bool{}
	for _, f := range m.fields {
		have[f] = true
	}
	var out [][]string
	for _, g := range m.ix.identify {
		found := false
		for _, f := range g {
			if have[f] {
				found = true
				break
			}
		}
		if !found {
			out = append(out, g)
		}
	}
	return out
}

// identified reports whether the header has the form's identifying
// columns; one group may be missing when the title or "Mẫu" line names
// the form (a real form with one column renamed).
func identified(m *mapping, hinted bool) bool {
	n := len(missingGroups(m))
	return n == 0 || hinted && n == 1 && len(m.ix.identify) > 1
}

// pickForm is the form most sheets' headers are of (the higher total
// score breaks ties); nil when no sheet has one.
func pickForm(all []*schemaIndex, best []*mapping) *schemaIndex {
	count := map[*schemaIndex]int{}
	total := map[*schemaIndex]int{}
	for _, m := range best {
		if m != nil {
			count[m.ix]++
			total[m.ix] += m.score
		}
	}
	var pick *schemaIndex
	for _, ix := range all {
		if count[ix] == 0 {
			continue
		}
		if pick == nil || count[ix] > count[pick] || (count[ix] == count[pick] && total[ix] > total[pick]) {
			pick = ix
		}
	}
	return pick
}

// closestThreshold: a header this close to a form is named in the
// rejection of a file that is not one.
var closestThreshold = threshold{fields: 2, required: 1}

// closestMapping is the reading of any sheet closest to one of the forms
// (nil when no header comes near any form).
func closestMapping(views []*sheetView, ixs []*schemaIndex) *mapping {
	var best *mapping
	for _, v := range views {
		if m := findHeader(v, ixs, closestThreshold); m != nil && better(m, best) {
			best = m
		}
	}
	return best
}

// groupsText words identifying groups for people: "Mã hộ, Khóm/Ấp (hoặc
// Phân loại hộ)".
func groupsText(ix *schemaIndex, groups [][]string) string {
	var parts []string
	for _, g := range groups {
		t := fieldTitle(ix, g[0])
		if len(g) > 1 {
			var alt []string
			for _, f := range g[1:] {
				alt = append(alt, fieldTitle(ix, f))
			}
			t += " (hoặc " + strings.Join(alt, ", ") + ")"
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, ", ")
}

// missingRequired lists the titles of the required fields the mapping
// lacks.
func missingRequired(m *mapping) []string {
	have := map[string]bool{}
	for _, f := range m.fields {
		have[f] = true
	}
	var out []string
	for _, f := range m.ix.s.Fields {
		if f.Constraints.Required && !have[f.Name] {
			out = append(out, f.Title)
		}
	}
	return out
}

// shorten cuts s to n runes, with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}

// msgNotAForm tells the commune that the file is not one of the forms:
// which form it looked closest to and what it lacks, and its title.
func msgNotAForm(file string, closest *mapping, title string, foreignTitle bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tệp %q không phải một trong các mẫu đối thoại (M1–M5).", file)
	switch {
	case closest == nil:
		b.WriteString(" Dòng tên cột không giống mẫu nào (các mẫu có những cột như Mã hộ, Họ và tên chủ hộ, Khóm/Ấp, Thành phần, Nội dung ý kiến, kiến nghị, Cụm).")
	case len(missingGroups(closest)) > 0:
		fmt.Fprintf(&b, " Gần nhất là %s nhưng thiếu các cột: %s.", closest.ix.s.Mau, groupsText(closest.ix, missingGroups(closest)))
	case foreignTitle:
		fmt.Fprintf(&b, " Dòng tên cột gần giống %s nhưng tiêu đề là của một văn bản khác. Nếu đây đúng là %s, đề nghị xã sửa tiêu đề thành «%s» (hoặc thêm dòng \"%s\" dưới tiêu đề) rồi gửi lại.",
			closest.ix.s.Mau, closest.ix.s.Mau, closest.ix.s.Title, closest.ix.s.Mau)
	default:
		fmt.Fprintf(&b, " Gần nhất là %s nhưng dòng tên cột chỉ có ít cột của mẫu", closest.ix.s.Mau)
		if miss := missingRequired(closest); len(miss) > 0 {
			fmt.Fprintf(&b, " (thiếu các cột: %s)", strings.Join(miss, ", "))
		}
		b.WriteString(".")
	}
	if title != "" {
		fmt.Fprintf(&b, " Tiêu đề của tệp: «%s».", shorten(title, 80))
	}
	b.WriteString(" Nếu gửi nhầm tệp thì không cần làm gì; nếu đây là biểu mẫu, đề nghị xã dùng đúng biểu mẫu của huyện (giữ nguyên tiêu đề, dòng \"Mẫu M…\" và dòng tên cột) rồi gửi lại.")
	return b.String()
}
