package dedupe

import (
	"fmt"
	"math/rand/v2"
	"slices"
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

// TestRadixSort: radixSort sorts like slices.Sort, small and large, with
// uniform and skewed top bytes and repeated keys.
func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		n    int
		key  func() uint64
	}{
		{"empty", 0, rng.Uint64},
		{"small", 300, rng.Uint64},
		{"uniform", 200_000, rng.Uint64},
		{"one top byte", 100_000, func() uint64 { return 0x42<<56 | rng.Uint64()>>8 }},
		{"repeated", 150_000, func() uint64 { return rng.Uint64N(50) << 50 }},
		{"few top bytes", 120_000, func() uint64 { return rng.Uint64N(3)<<62 | rng.Uint64N(1000) }},
		{"low bits only", 90_000, func() uint64 { return rng.Uint64N(1 << 20) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := make([]uint64, tc.n)
			for i := range keys {
				keys[i] = tc.key()
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			var buf []uint64
			radixSort(keys, &buf)
			if !slices.Equal(keys, want) {
				t.Fatal("not sorted like slices.Sort")
			}
			if tc.n >= 1<<16 && tc.name == "uniform" && len(buf) > tc.n/64 {
				t.Errorf("scratch of %d keys for %d uniform keys", len(buf), tc.n)
			}
		})
	}
}
