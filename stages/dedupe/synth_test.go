package dedupe

import (
	"context"
	"testing"
)

// TestSynthetic resolves 20,000 synthetic rows with every kind of noise and
// checks pairwise precision and recall against the generator's truth.
func TestSynthetic(t *testing.T) {
	for _, seed := range []int64{1, 2} {
		in, truth := Synthesize(20000, seed)
		res, err := Resolve(context.Background(), in, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		m := truth.Evaluate(in, res)
		t.Logf("seed %d: %s; %d groups, %d borderline pairs", seed, m, len(res.Groups), len(res.Borderline))
		if m.Precision < 0.995 {
			t.Errorf("seed %d: precision %.4f < 0.995", seed, m.Precision)
		}
		if m.Recall < 0.98 {
			t.Errorf("seed %d: recall %.4f < 0.98", seed, m.Recall)
		}
		if agree := float64(m.EligibleAgree) / float64(m.EligibleTotal); agree < 0.99 {
			t.Errorf("seed %d: eligibility agrees on %.4f < 0.99", seed, agree)
		}
	}
}
