package read

import (
	"regexp"
	"strings"
	"unicode"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/vntext"
	"doithoai/stages/read/grid"
)

// headerLinesWithoutTable is how many non-empty top rows are read as the
// header block of a sheet where no column header was found.
const headerLinesWithoutTable = 12

// blockLine is one line of text in the header block of a sheet.
type blockLine struct {
	row, col int
	text     string // cleaned, one line
	first    bool   // the first line of its cell
	left     bool   // in the left half of the sheet, where the issuing body is written
}

// blockEnd is the first row below the header block: the column header
// when one was found, else the first row that looks like a table row (0
// when there is none).
func blockEnd(v *sheetView, m *mapping) int {
	if m != nil {
		return m.b.rows[0]
	}
	for _, rn := range v.tops {
		if r := v.row(rn); r != nil && tableLike(r) {
			return rn
		}
	}
	return 0
}

// headerBlock returns the lines above the column header (or the first
// rows when there is none), row by row, left to right. Rows that look
// like table rows (a column header such as "Tỉnh/Thành phố, Mã, Quận
// Huyện, Phường Xã", or data) are never part of it.
func headerBlock(v *sheetView, headerStart int) []blockLine {
	var out []blockLine
	width := 0
	for _, rn := range v.tops {
		if r := v.row(rn); r != nil {
			for _, c := range r.Cells {
				if c.Col <= maxHeaderCols && c.Col > width && c.Kind != grid.Empty && !isBlank(c.Text) {
					width = c.Col
				}
			}
		}
	}
	leftLimit := max(3, width/2)
	for i, rn := range v.tops {
		if headerStart > 0 && rn >= headerStart {
			break
		}
		if headerStart <= 0 && i >= headerLinesWithoutTable {
			break
		}
		r := v.row(rn)
		if r == nil || tableLike(r) {
			continue
		}
		for _, c := range r.Cells {
			if c.Col > maxHeaderCols {
				break
			}
			t := v.text(rn, c.Col)
			for j, line := range strings.Split(t, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					out = append(out, blockLine{row: rn, col: c.Col, text: line, first: j == 0, left: c.Col <= leftLimit})
				}
			}
		}
	}
	return out
}

// formHint is what the header block says about the form.
type formHint struct {
	titleForm, title string // from a title line (x-titles)
	mauForm, mau     string // from a "Mẫu Mx" line
	// foreign is a document title that names none of the forms
	// ("DANH SÁCH CÁN BỘ, CÔNG CHỨC", "BẢNG LƯƠNG"), as written.
	foreign string
}

// docWords (folded) begin the title of a document: "DANH SÁCH …",
// "BẢNG LƯƠNG …", "SỔ THEO DÕI …".
var docWords = []string{
	"danh sach", "danh muc", "bang", "so", "bao cao", "tong hop", "ket qua", "thong ke",
	"ke hoach", "bien ban", "to trinh", "quyet dinh", "phieu", "du toan", "lich", "chuong trinh",
}

// isDocTitle reports whether a line is the title of a document: upper
// case, three words or more, beginning with a document word that a word
// (not a number: "Số: 12/KH-UBND") follows.
func isDocTitle(text, folded string) bool {
	toks := strings.Fields(folded)
	if len(toks) < 3 || !mostlyUpper(text) {
		return false
	}
	for _, w := range docWords {
		n := len(strings.Fields(w))
		if len(toks) > n && strings.Join(toks[:n], " ") == w && !isDigits(toks[n]) {
			return true
		}
	}
	return false
}

// mostlyUpper reports whether nine letters in ten of s are capitals.
func mostlyUpper(s string) bool {
	letters, upper := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters > 0 && upper*10 >= letters*9
}

var mauRe = regexp.MustCompile(`(?:^| )mau(?: so)? m ?([1-9])(?: |$)`)

// findFormHint reads the titles and the "Mẫu" line of the block.
func findFormHint(lines []blockLine) formHint {
	var h formHint
	bestLen := 0
	for _, l := range lines {
		f := vntext.Fold(l.text)
		if f == "" {
			continue
		}
		if h.mauForm == "" {
			if m := mauRe.FindStringSubmatch(f); m != nil {
				form := "M" + m[1]
				if indexOf(form) != nil {
					h.mauForm, h.mau = form, l.text
				}
			}
		}
		padded := " " + f + " "
		named := false
		for _, ix := range schemaIndexes() {
			for _, t := range ix.titles {
				if strings.Contains(padded, " "+t+" ") {
					named = true
					if len(t) > bestLen {
						bestLen = len(t)
						h.titleForm, h.title = ix.s.Name, l.text
					}
				}
			}
		}
		if !named && h.foreign == "" && isDocTitle(l.text, f) {
			h.foreign = l.text
		}
	}
	if h.titleForm != "" || h.mauForm != "" {
		h.foreign = "" // the form's own title or "Mẫu" line outweighs another title line
	}
	return h
}

// nameHit is a commune named in the header block.
type nameHit struct {
	text    string        // the line as written
	name    string        // the name part, folded
	commune *plan.Commune // nil when the name is not a commune of the plan
	primary bool          // an issuing-body line ("UBND XÃ …"), not a mention
}

// Words (folded) that introduce the issuing body before "xã …".
var orgPrefixes = []string{
	"ubnd", "uy ban nhan dan", "ub nd", "ub", "dang uy", "hdnd", "hoi dong nhan dan",
	"ban chi dao giam ngheo", "ban chi dao", "bcd giam ngheo", "bcd", "ban giam ngheo",
	"mttq", "uy ban mttq", "uy ban mat tran to quoc", "tm ubnd", "tm uy ban nhan dan",
}

// Words (folded) after which "xã …" is a mention of the commune.
var mentionPrefixes = []string{"cua", "tai", "thuoc", "dia ban"}

// Commune kinds (folded), longest first.
var communeKinds = [][]string{{"thi", "tran"}, {"xa"}, {"phuong"}, {"tt"}}

// Words that end a commune name ("UBND XÃ A HUYỆN B").
var nameStops = map[string]bool{"huyen": true, "tinh": true, "tp": true}

// nameStopAt reports whether the name ends before toks[j].
func nameStopAt(toks []string, j int) bool {
	if nameStops[toks[j]] {
		return true
	}
	if j+1 < len(toks) {
		pair := toks[j] + " " + toks[j+1]
		return pair == "thanh pho" || pair == "thi xa"
	}
	return false
}

// findNames finds the communes the header block names: issuing-body lines
// such as "UBND XÃ THƯỜNG PHƯỚC 1", "ỦY BAN NHÂN DÂN XÃ PHÚ THUẬN A",
// "UBND THỊ TRẤN …", and mentions such as "(Kèm theo Kế hoạch … của UBND
// xã X)". Lines that name no commune ("BAN CHỈ ĐẠO GIẢM NGHÈO") are not
// hits. A name is never matched by similarity.
func findNames(lines []blockLine, m *plan.Matcher) []nameHit {
	var out []nameHit
	for _, l := range lines {
		segs := splitSegments(l.text)
		for si, seg := range segs {
			toks := strings.Fields(vntext.Fold(seg))
			for i := 0; i < len(toks); i++ {
				k := kindAt(toks, i)
				if k == 0 {
					continue
				}
				prefix := strings.Join(toks[:i], " ")
				if toks[i] == "tt" && prefix == "" {
					continue // "TT" alone may be any "trung tâm"
				}
				primary := si == 0 && l.left && (prefix == "" || contains(orgPrefixes, prefix))
				mention := !primary && (endsWithAny(prefix, orgPrefixes) || endsWithAny(prefix, mentionPrefixes))
				if !primary && !mention {
					continue
				}
				nameToks := toks[i+k:]
				for j := range nameToks {
					if j > 0 && nameStopAt(nameToks, j) {
						nameToks = nameToks[:j]
						break
					}
				}
				if len(nameToks) == 0 || len(nameToks) > 6 {
					continue
				}
				name := strings.Join(nameToks, " ")
				hit := nameHit{text: l.text, name: name, primary: primary}
				hit.commune = m.Commune(strings.Join(toks[i:i+k], " ") + " " + name)
				if hit.commune == nil && mention {
					// A mention may run on ("… xã X năm 2022"): try shorter
					// names, whole words only.
					for j := len(nameToks) - 1; j >= 1 && hit.commune == nil; j-- {
						hit.commune = m.Commune(strings.Join(toks[i:i+k], " ") + " " + strings.Join(nameToks[:j], " "))
					}
					if hit.commune == nil {
						break // an unknown mention says nothing
					}
				}
				if hit.commune == nil && !looksLikeName(nameToks) {
					break
				}
				out = append(out, hit)
				break
			}
		}
	}
	return out
}

// kindAt returns the number of tokens of a commune kind at toks[i], or 0.
func kindAt(toks []string, i int) int {
	for _, k := range communeKinds {
		if i+len(k) > len(toks) {
			continue
		}
		ok := true
		for j, w := range k {
			if toks[i+j] != w {
				ok = false
				break
			}
		}
		if ok && i+len(k) < len(toks) {
			return len(k)
		}
	}
	return 0
}

// looksLikeName rejects name parts that are plainly not a place name
// ("xã hội", a lone number).
func looksLikeName(toks []string) bool {
	if len(toks) == 1 && (toks[0] == "hoi" || isDigits(toks[0])) {
		return false
	}
	if len(toks) >= 2 && toks[0] == "hoi" && toks[1] == "chu" {
		return false // "xã hội chủ nghĩa"
	}
	return true
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func endsWithAny(s string, words []string) bool {
	for _, w := range words {
		if s == w || strings.HasSuffix(s, " "+w) {
			return true
		}
	}
	return false
}

// splitSegments cuts a line at brackets, commas, semicolons and spaced
// dashes, which end a commune name.
func splitSegments(s string) []string {
	f := func(r rune) bool {
		switch r {
		case '(', ')', '[', ']', ',', ';', '–', '—':
			return true
		}
		return false
	}
	var out []string
	for _, p := range strings.FieldsFunc(s, f) {
		for _, q := range strings.Split(p, " - ") {
			if q = strings.TrimSpace(q); q != "" {
				out = append(out, q)
			}
		}
	}
	return out
}
