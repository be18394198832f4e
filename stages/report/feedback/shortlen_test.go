package feedback

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShortLen(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pieces := []string{" ", "  ", "\n", "\t", "\u00a0", "\xff", "Nguyễn", "Văn", "a", "0912345678", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}
	for range 3000 {
		var b strings.Builder
		for range r.IntN(25) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s, n := b.String(), r.IntN(70)
		if got, want := shortLen(s, n), utf8.RuneCountInString(shorten(s, n)); got != want {
			t.Fatalf("shortLen(%q, %d) = %d, shorten has %d characters", s, n, got, want)
		}
	}
}
