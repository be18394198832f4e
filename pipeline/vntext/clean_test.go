package vntext

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestClean(t *testing.T) {
	nfd := norm.NFD.String("Nguyễn Văn Hùng")
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii unchanged", "Ap 3", "Ap 3"},
		{"trim and collapse", "  Ấp   3\t\t ", "Ấp 3"},
		{"NFD to NFC", nfd, "Nguyễn Văn Hùng"},
		{"zero-width joiners removed", "Ng\u200dguy\u200cễn", "Ngguyễn"},
		{"zero-width space separates", "Văn\u200bHùng", "Văn Hùng"},
		{"zero-width space at ends", "\u200bHùng\u200b", "Hùng"},
		{"BOM removed", "\ufeffXã Long Thuận", "Xã Long Thuận"},
		{"soft hyphen removed", "Thuận\u00adA", "ThuậnA"},
		{"NBSP to space", "Ấp\u00a03", "Ấp 3"},
		{"narrow NBSP and ideographic space", "a\u202fb\u3000c", "a b c"},
		{"control chars removed", "a\x00b\x07c\x1bd", "abcd"},
		{"C1 control removed", "a\u0085b", "ab"},
		{"CRLF", "dòng 1\r\ndòng 2", "dòng 1\ndòng 2"},
		{"CR", "dòng 1\rdòng 2", "dòng 1\ndòng 2"},
		{"trailing spaces on lines", "a   \n  b  \n c", "a\nb\nc"},
		{"blank line kept", "a\n\nb", "a\n\nb"},
		{"leading and trailing breaks", "\n\n a \n\n", "a"},
		{"line separator", "a\u2028b", "a\nb"},
		{"vertical tab is a break", "a\vb", "a\nb"},
		{"bidi marks", "\u200eabc\u202e", "abc"},
		{"invalid utf8 dropped", "a\xffb", "ab"},
		{"NFD after removal composes", "e\u200d\u0301", "é"},
		{"only spaces", " \t \u00a0 ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Clean(tc.in); got != tc.want {
				t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
			// Clean is idempotent.
			if got := Clean(tc.want); got != tc.want {
				t.Errorf("Clean(Clean(%q)) = %q", tc.in, got)
			}
		})
	}
}

func TestCleanLine(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"Nguyễn Văn\nHùng", "Nguyễn Văn Hùng"},
		{"Nguyễn Văn \r\n  Hùng\n", "Nguyễn Văn Hùng"},
		{"a\n\n\nb", "a b"},
		{"plain", "plain"},
		{"x\u200by", "x y"},
	}
	for _, tc := range tests {
		if got := CleanLine(tc.in); got != tc.want {
			t.Errorf("CleanLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanKeepsTCVN3SoftHyphen(t *testing.T) {
	// "Thường Phước 1" typed in TCVN3: ư is the soft hyphen U+00AD.
	in := "Th\u00adêng Ph\u00adíc 1"
	got := Clean(in)
	if got != in {
		t.Fatalf("Clean(%q) = %q: the TCVN3 ư was removed", in, got)
	}
	dec, enc := ToUnicode(got)
	if enc != TCVN3 || dec != "Thường Phước 1" {
		t.Fatalf("ToUnicode(Clean(...)) = %q, %v", dec, enc)
	}
	// A soft hyphen in real Unicode text still goes.
	if got := Clean("Thư\u00adờng"); got != "Thường" {
		t.Errorf("Clean removed nothing: %q", got)
	}
}
