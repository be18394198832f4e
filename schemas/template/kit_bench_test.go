package template

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"doithoai/pipeline/plan"
)

// BenchmarkWriteKits writes every commune's kit of the embedded plan with
// one worker (the baseline: how Sync wrote them before) and with one
// worker per core, in the same process.
func BenchmarkWriteKits(b *testing.B) {
	p := plan.Default()
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				files, err := writeKits(context.Background(), b.TempDir(), p, workers)
				if err != nil {
					b.Fatal(err)
				}
				if len(files) != len(p.Communes())*len(kitForms) {
					b.Fatalf("%d files", len(files))
				}
			}
		})
	}
}
