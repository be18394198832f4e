package read

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"doithoai/pipeline/vntext"
)

// trailingParenRE is the expression cutTrailingParen replaces.
var trailingParenRE = regexp.MustCompile(`\s*[\(\[][^\(\)\[\]]*[\)\]]\s*$`)

// TestCutTrailingParenAgreesWithRegexp checks the hand-written cut against
// the regular expression it replaces, on header texts as communes write
// them and on random strings of brackets, spaces and letters.
func TestCutTrailingParenAgreesWithRegexp(t *testing.T) {
	cases := []string{
		"", "Năm sinh", "Năm sinh (yyyy)", "Năm sinh (yyyy) ", " (1)", "(1)", "Số CCCD [12 số] (*)",
		"Họ tên (chủ hộ)(ghi rõ)", "a (b (c))", "a (b) c", "a ( b ]", "a [b)", "a )", "a (", "()", "[]",
		"Giới tính\t(Nam/Nữ)\n", "Ghi chú (nếu có)\u00a0", "x\u00a0(y)", "Mã hộ (*):", "a\f(b)\r",
		"\xff(\xfe)", "((()))", "a (b)) ", "Dân tộc (Kinh, Khơ-me,...) ",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"(", ")", "[", "]", " ", "\t", "\n", "a", "ă", "\u00a0", ":", "*", "1"}
	for i := 0; i < 20000; i++ {
		var sb strings.Builder
		for n := rng.IntN(10); n > 0; n-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	for _, s := range cases {
		want := trailingParenRE.ReplaceAllString(s, "")
		if got := cutTrailingParen(s); got != want {
			t.Fatalf("cutTrailingParen(%q) = %q, the expression gives %q", s, got, want)
		}
	}
}

// TestNumberCellTokenAgreesWithRegexp checks the hand-written match of a
// column-number cell against the expression it replaces: the same cells
// match, with the same first group.
func TestNumberCellTokenAgreesWithRegexp(t *testing.T) {
	re := regexp.MustCompile(numberCellExpr)
	cases := []string{
		"", "1", "(1)", "[2]", "( 3 )", "12", "123", "1234", "A", "a", "(B)", "ab", "x", "xx2", "ax2", "x x 2",
		"(3)=(1)+(2)", "(5) = (3) x (4)", "4=2×3", "4 × 3", "4×", "1+", "+1", "1 2", "(1", "1)", "((1))",
		"(1)-(2)-(3)", "(1)*[2]/3", "1\t+\n2", "1\f=\r2", "1\v", "1\u00a0", "Nguyễn Văn A", "HH-001", "0",
		"(000)", "1=1234", "1=(123)", "\xff", "1\xc3", "1×\xc3\x97", "A)", "[Z]x(9)",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"(", ")", "[", "]", " ", "\t", "\n", "\v", "1", "2", "0", "9", "a", "Z", "x", "×", "=", "+", "-", "*", "/", "ă", "\xc3", ".", "1234"}
	for i := 0; i < 100000; i++ {
		var sb strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	matched := 0
	for _, s := range cases {
		m := re.FindStringSubmatch(s)
		tok, ok := numberCellToken(s)
		if ok != (m != nil) || ok && tok != m[1] {
			t.Fatalf("numberCellToken(%q) = %q, %v; the expression gives %q", s, tok, ok, m)
		}
		if ok {
			matched++
		}
	}
	if matched < 1000 {
		t.Fatalf("only %d of %d cases match: the random cases say too little", matched, len(cases))
	}
}

// TestHeaderKeysAgreeWithFold checks the shortcuts of headerKeys.has
// against folding every text.
func TestHeaderKeysAgreeWithFold(t *testing.T) {
	labels := []string{"STT", "Họ và tên", "Mã hộ", "Năm sinh", "Ấp", "Đ", "1", "", "ho ten", "T"}
	var folded []string
	for _, l := range labels {
		folded = append(folded, vntext.Fold(l))
	}
	k := newHeaderKeys(folded)
	set := map[string]bool{}
	for _, f := range folded {
		set[f] = true
	}
	cases := append([]string{"", " ", "stt", "S.T.T", "STT ", "Họ  và tên", "HO VA TEN", "ấp", "Ap", "đ", "D", "1", "01", "Nguyễn Văn A"}, labels...)
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []string{"a", "A", "ă", "Ấ", "p", "đ", "Đ", "d", "s", "t", "T", "h", "o", " ", ".", "1", "\u0301", "\u00a0", "ten", "va", "\xff", "Ho", "ST", "ma", "Na"}
	for i := 0; i < 50000; i++ {
		var sb strings.Builder
		for n := rng.IntN(8); n > 0; n-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	hits := 0
	for _, s := range cases {
		want := set[vntext.Fold(s)]
		if got := k.has(s); got != want {
			t.Fatalf("has(%q) = %v, folding gives %v", s, got, want)
		}
		if want {
			hits++
		}
	}
	if hits < 100 {
		t.Fatalf("only %d hits", hits)
	}
	if (*headerKeys)(nil).has("stt") {
		t.Fatal("a column without labels has a key")
	}
}

// TestMayFoldToTotalAgreesWithFold: a text mayFoldToTotal rules out is
// never a total row's cell, whatever the row (isFooterText in a full
// row, where only total words count).
func TestMayFoldToTotalAgreesWithFold(t *testing.T) {
	cases := []string{"", "Tổng", "TỔNG SỐ", "Tổng cộng", "Cộng", "cong", "Tong so 12 ho", "Tổng số: 12 hộ", "Trần Văn A", "Cao Thị B",
		"Tongkhac", "tong1", "Co", "C", "T.", "T-ổng", "1 Tổng", "Công", "Tổ 3", "Toong"}
	rng := rand.New(rand.NewPCG(9, 10))
	alphabet := []string{"t", "T", "c", "C", "o", "O", "ô", "ộ", "Ổ", "n", "N", "g", "G", " ", ".", "-", "1", "s", "\u0301", "\u0302", "\u00a0", "r", "a", "\xff", "ho", "tong", "Tổng", "cộng", " số", " cộng", " 12", " hộ"}
	for i := 0; i < 100000; i++ {
		var sb strings.Builder
		for n := rng.IntN(9); n > 0; n-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	ruled, totals := 0, 0
	for _, s := range cases {
		total := isFooterText(s, 5, 0)
		if total {
			totals++
		}
		if !mayFoldToTotal(s) {
			ruled++
			if total {
				t.Fatalf("mayFoldToTotal(%q) is false, but it folds to %q, a total", s, vntext.Fold(s))
			}
		}
	}
	if ruled < 1000 || totals < 100 {
		t.Fatalf("%d ruled out, %d totals: the cases say little", ruled, totals)
	}
}
