package feedback

import (
	"context"
	"testing"
)

// BenchmarkFeedbackWrite writes the feedback of 40 submissions (10
// communes: M1 rosters of 2,000 households, M2–M4) into a fresh folder,
// sheets written cell by cell through excelize ("direct") and streamed
// ("streamed"), in the same process.
func BenchmarkFeedbackWrite(b *testing.B) {
	p, ds := generated(b, 10, 2000)
	addProblems(ds)
	defer func(v bool) { streamed = v }(streamed)
	for _, mode := range []struct {
		name   string
		stream bool
	}{{"direct", false}, {"streamed", true}} {
		b.Run(mode.name, func(b *testing.B) {
			streamed = mode.stream
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				b.StartTimer()
				if _, err := Write(context.Background(), dir, p, ds); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
