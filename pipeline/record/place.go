package record

import (
	"strconv"
	"strings"
)

// Place is the one place text that starts a message for people: «Tệp
// “29956/M2.xlsx”, sheet “DS ấp 1”, dòng 17, cột K (Số điện thoại)». The
// path and the sheet are named exactly as they are; the parts that are
// empty or zero are left out (a CSV has no sheet; a file-level message has
// neither row nor column). The column is its letter with its title, or
// either alone (a title alone is quoted). Every stage's messages start
// with it, so that the feedback can find where the place ends.
func Place(path, sheet string, row int, letter, title string) string {
	var b strings.Builder
	b.WriteString("Tệp “")
	b.WriteString(path)
	b.WriteString("”")
	if sheet != "" {
		b.WriteString(", sheet “")
		b.WriteString(sheet)
		b.WriteString("”")
	}
	if row > 0 {
		b.WriteString(", dòng ")
		b.WriteString(strconv.Itoa(row))
	}
	switch {
	case letter != "" && title != "":
		b.WriteString(", cột " + letter + " (" + title + ")")
	case title != "":
		b.WriteString(", cột “" + title + "”")
	case letter != "":
		b.WriteString(", cột " + letter)
	}
	return b.String()
}

// PlaceInSentence is Place inside a sentence: «tệp “a.xlsx”, dòng 9».
func PlaceInSentence(path, sheet string, row int, letter, title string) string {
	return "t" + strings.TrimPrefix(Place(path, sheet, row, letter, title), "T")
}
