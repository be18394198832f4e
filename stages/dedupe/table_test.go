package dedupe

import (
	"fmt"
	"strings"
	"testing"
)

// TestMatchTable checks that the compact table gives back every Match
// added, across chunk boundaries, with and without reasons and scores.
func TestMatchTable(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		id   func(k int) string
	}{
		{"none", 0, nil},
		{"few", 3, func(k int) string { return fmt.Sprintf("G-10001-%05d", k) }},
		{"several chunks", 300_000, func(k int) string { return fmt.Sprintf("G-%05d-%05d-%05d", k%2500, k%2500, k) }},
		{"empty IDs", 10, func(int) string { return "" }},
		{"an ID longer than a chunk", 3, func(k int) string { return strings.Repeat("x", idChunk*(k%2)+1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := make([]Match, tc.n)
			tab := newMatchTable(0)
			for k := range want {
				want[k] = Match{Group: tc.id(k)}
				if k%7 == 3 {
					want[k].Reason, want[k].Score = []string{"citizen_id", "name,name_fuzzy"}[k%2], float64(k)/float64(tc.n)
				}
				tab.add(want[k])
			}
			tab.flush()
			if tab.len() != tc.n {
				t.Fatalf("len %d, want %d", tab.len(), tc.n)
			}
			for k := range want {
				if got := tab.at(int32(k)); got != want[k] {
					t.Fatalf("match %d: %+v, want %+v", k, got, want[k])
				}
			}
		})
	}
}
