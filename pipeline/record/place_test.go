package record

import "testing"

// TestPlace: the place text of messages, part by part.
func TestPlace(t *testing.T) {
	tests := []struct {
		path, sheet   string
		row           int
		letter, title string
		want          string
	}{
		{"29956/M2.xlsx", "DS ấp 1", 17, "K", "Số điện thoại", "Tệp “29956/M2.xlsx”, sheet “DS ấp 1”, dòng 17, cột K (Số điện thoại)"},
		{"29956/M2.xlsx", "M2", 17, "", "", "Tệp “29956/M2.xlsx”, sheet “M2”, dòng 17"},
		{"29956/M2.xlsx", "M2", 0, "", "", "Tệp “29956/M2.xlsx”, sheet “M2”"},
		{"29956/M2.xlsx", "", 0, "", "", "Tệp “29956/M2.xlsx”"},
		{"29956/m1.csv", "", 4, "C", "", "Tệp “29956/m1.csv”, dòng 4, cột C"},
		{"29956/M1.xlsx", "DS", 0, "", "Mã hộ", "Tệp “29956/M1.xlsx”, sheet “DS”, cột “Mã hộ”"},
		{"a  b/Tệp rất dài.xlsx", "Khóm 10", 3, "", "", "Tệp “a  b/Tệp rất dài.xlsx”, sheet “Khóm 10”, dòng 3"},
	}
	for _, tt := range tests {
		if got := Place(tt.path, tt.sheet, tt.row, tt.letter, tt.title); got != tt.want {
			t.Errorf("Place(%q, %q, %d, %q, %q) = %q, want %q", tt.path, tt.sheet, tt.row, tt.letter, tt.title, got, tt.want)
		}
		if got, want := PlaceInSentence(tt.path, tt.sheet, tt.row, tt.letter, tt.title), "t"+tt.want[1:]; got != want {
			t.Errorf("PlaceInSentence = %q, want %q", got, want)
		}
	}
}
