package read

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
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
